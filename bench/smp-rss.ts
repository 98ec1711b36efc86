// Memory of `hilrig upload` against the size of the image: the bundled CLI in a child process
// uploads MCUboot images of 1 MiB, 64 MiB and 256 MiB (SMP over UDP to a board on 127.0.0.1
// that hashes and discards the data, and lists the image's SHA-256 TLV in slot 1 when it
// matches, so each upload ends verified), and its peak resident set (VmHWM, /proc/PID/status,
// read every 10 ms while it runs) is printed against the 1 MiB run's. The images are written
// to disk a MiB at a time, hashed as they are written. The goal: a 256 MiB image costs less
// than 64 MiB of RSS more than a 1 MiB one.
//   npm run bundle && node dist/bench/smp-rss.js [--mib 1,64,256] [--chunk 8000] [--window 4]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeImageHeader, IMAGE_HEADER_SIZE, TLV_HEADER_SIZE, TLV_INFO_MAGIC, TLV_INFO_SIZE, TlvType } from '../protocols/mcuboot/image.js';
import { fakeSmpService } from '../test/upload/fake-smp-service.js';
import { startBoard } from '../test/upload/upload-fixtures.js';
import { intOption } from './lib/stats.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1,64,256' }, chunk: { type: 'string', default: '8000' }, window: { type: 'string', default: '4' } } });
const sizes = values.mib.split(',').map((s) => intOption('mib', s, 1));
const chunk = intOption('chunk', values.chunk, 64);
const window = intOption('window', values.window, 1);
const CLI = fileURLToPath(new URL('../cli/bin/main.js', import.meta.url));
const MiB = 1024 * 1024;

/** An unsigned MCUboot image with a `bodyBytes` body, written in 1 MiB pieces. */
function writeImage(file: string, bodyBytes: number): void {
  const header = encodeImageHeader({ loadAddr: 0, hdrSize: IMAGE_HEADER_SIZE, protectTlvSize: 0, imgSize: bodyBytes, flags: 0, version: { major: 9, minor: 0, revision: 0, build: 0 } });
  const sha = createHash('sha256').update(header);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, header);
    const piece = new Uint8Array(MiB);
    for (let off = 0; off < bodyBytes; off += MiB) {
      for (let i = 0; i < piece.length; i += 512) piece[i] = (off / MiB + i / 512) & 0xff;
      const n = Math.min(MiB, bodyBytes - off);
      sha.update(piece.subarray(0, n));
      fs.writeSync(fd, piece, 0, n);
    }
    const tlv = new Uint8Array(TLV_INFO_SIZE + TLV_HEADER_SIZE + 32);
    const dv = new DataView(tlv.buffer);
    dv.setUint16(0, TLV_INFO_MAGIC, true);
    dv.setUint16(2, tlv.length, true);
    dv.setUint16(4, TlvType.SHA256, true);
    dv.setUint16(6, 32, true);
    tlv.set(sha.digest(), 8);
    fs.writeSync(fd, tlv);
  } finally {
    fs.closeSync(fd);
  }
}

function measured(args: string[]): Promise<{ code: number | null; out: string; err: string; peakKb: number; seconds: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let peakKb = 0;
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const timer = setInterval(() => {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // gone
    }
  }, 10);
  return new Promise((resolve) => child.on('exit', () => (clearInterval(timer), resolve({ code: child.exitCode, out, err, peakKb, seconds: (performance.now() - t0) / 1000 }))));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-bench-rss-'));
const board = await startBoard([fakeSmpService({ bufSize: chunk + 256, bufCount: window + 1, keep: false }).service]);
try {
  console.log(`hilrig upload (SMP over UDP, ${chunk}-byte chunks, window ${window}) of MCUboot images; peak RSS of the CLI process (VmHWM)`);
  let base: number | undefined;
  for (const mib of sizes) {
    const file = path.join(dir, `app-${mib}.bin`);
    writeImage(file, mib * MiB);
    const r = await measured(['upload', '--target', board.endpoints.udp!, '--chunk', String(chunk), '--window', String(window), '--progress', 'none', file]);
    fs.rmSync(file);
    if (r.code !== 0) throw new Error(`upload of ${mib} MiB exited ${r.code}: ${r.err}`);
    if (!/^verified: image list/m.test(r.out)) throw new Error(`upload of ${mib} MiB not verified: ${r.out}`);
    base ??= r.peakKb;
    const growth = (r.peakKb - base) / 1024;
    console.log(`${String(mib).padStart(4)} MiB image: peak RSS ${(r.peakKb / 1024).toFixed(1)} MiB (+${growth.toFixed(1)} MiB over the ${sizes[0]} MiB run), ${r.seconds.toFixed(1)} s wall; ${r.out.split('\n')[0]}`);
  }
  console.log('goal: a 256 MiB image within 64 MiB of the smallest');
} finally {
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
