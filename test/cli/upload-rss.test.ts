// Memory: `hilrig upload` streams the file, so its peak resident memory must not grow with the
// file. Measured honestly on the real CLI in a child process: the kernel's high-water mark of
// its resident set (VmHWM in /proc/PID/status, which only rises) is read while it runs, for a
// 1 MiB and a 64 MiB upload of the same kind (raw, SMP over UDP, 8 KiB chunks, window 4) to a
// board on 127.0.0.1 that hashes and discards what it gets. The difference is what the 63 MiB
// more cost; holding the file would cost at least 63 MiB, and the bound is 24 MiB (measured:
// about 9 MiB here, the allocator warming up: bench/smp-rss.ts shows it level off near 18 MiB
// from 512 MiB to 1 GiB).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { RunningBoard } from '../../boards/virtual/virtual-board.js';
import { CLI } from '../helpers/cli.js';
import { within } from '../helpers/wait.js';
import { fakeSmpService } from '../upload/fake-smp-service.js';
import { startBoard, tempFiles, type TempFiles } from '../upload/upload-fixtures.js';

const MiB = 1024 * 1024;

/** Write `n` bytes of a pattern in 1 MiB pieces (the test process does not hold the file either). */
function writeLarge(path: string, n: number): void {
  const fd = fs.openSync(path, 'w');
  try {
    const piece = new Uint8Array(MiB);
    for (let off = 0; off < n; off += MiB) {
      for (let i = 0; i < piece.length; i += 4096) piece[i] = (off / MiB + i) & 0xff;
      fs.writeSync(fd, piece, 0, Math.min(MiB, n - off));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Run the CLI; resolves with its exit code, output and the highest VmHWM (kB) read while it ran. */
function uploadMeasured(args: string[]): Promise<{ code: number | null; out: string; err: string; peakKb: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let peakKb = 0;
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const sample = (): void => {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // the process is gone: the last reading stands (the mark only rises, so it is close)
    }
  };
  const timer = setInterval(sample, 10);
  return new Promise((resolve) => {
    child.on('exit', () => {
      clearInterval(timer);
      resolve({ code: child.exitCode, out, err, peakKb });
    });
  });
}

describe('hilrig upload memory (CLI, /proc VmHWM)', function () {
  this.timeout(120000);
  let board: RunningBoard | undefined;
  let files: TempFiles;
  before(async () => {
    files = tempFiles('hilrig-upload-rss-');
    board = await startBoard([fakeSmpService({ bufSize: 8192, bufCount: 5, keep: false }).service]);
  });
  after(async () => {
    await board?.stop();
    files.remove();
  });

  it('peak RSS for a 64 MiB file is within 24 MiB of that for a 1 MiB file', async function () {
    if (!fs.existsSync('/proc/self/status')) this.skip();
    const small = `${files.dir}/small.bin`;
    const large = `${files.dir}/large.bin`;
    writeLarge(small, MiB);
    writeLarge(large, 64 * MiB);
    const args = (f: string): string[] => ['upload', '--target', board!.endpoints.udp!, '--raw', '--chunk', '8000', '--window', '4', '--progress', 'none', f];
    const a = await within(uploadMeasured(args(small)), 30000, 'the 1 MiB upload');
    assert.equal(a.code, 0, a.err);
    const b = await within(uploadMeasured(args(large)), 100000, 'the 64 MiB upload');
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /uploaded 64\.0 MiB .*\(67108864 bytes\)/);
    assert.match(b.out, /^verified: the board checked what it received against the sha announced/m);
    const growthMiB = (b.peakKb - a.peakKb) / 1024;
    // for the record in the test output
    console.log(`      peak RSS: 1 MiB file ${(a.peakKb / 1024).toFixed(1)} MiB, 64 MiB file ${(b.peakKb / 1024).toFixed(1)} MiB, growth ${growthMiB.toFixed(1)} MiB; ${b.out.split('\n')[0]}`);
    assert.ok(a.peakKb > 10_000 && b.peakKb > 10_000, 'the readings are of a running node process');
    assert.ok(growthMiB < 24, `peak RSS grew by ${growthMiB.toFixed(1)} MiB for 63 MiB more file`);
  });
});
