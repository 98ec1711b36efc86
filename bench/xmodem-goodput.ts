// XMODEM-1K goodput to lrzsz `rx -c` over a socat pty pair paced like a UART (8N1), at 115200
// and 921600 baud, as a fraction of the line rate and of what the framing allows: a stop-and-wait
// block is 1029 bytes out (STX, n, 255-n, 1024 data, CRC) and one ACK byte back, so at best
// 1024/1030 of the line carries file bytes. The pacing is on our side only: the engine's
// connection goes through impairDriver(serialDriver, { baud }) (both directions of that link,
// our blocks and the ACKs we read); a pty itself has no line rate, and rx writes unpaced.
// The peer, measured in the same run on the same kind of line: lrzsz's own sender `sx -k`,
// which cannot be paced itself, so it goes through a relay on the engine whose rx-side
// connection is paced the same way (one more pty hop, a fraction of a millisecond per block).
// "data s" runs from the first block to the EOT (the ACK of the last block); lrzsz then waits
// 1 s after the EOT before it answers, which is rx's, not the line's, and is left out.
// What is lost to the bound is the turnaround, printed per block: the paced link hands bytes on
// in ~1 ms slices on timers (Node's timers do not go below 1 ms, for the 1-byte ACK too), plus
// two socat hops and rx: a few ms a block, a few % of an 89 ms block at 115200 and a larger
// share of an 11 ms block at 921600.
// Rounds alternate hilrig and sx so machine drift hits both alike; the median round is printed.
//   node dist/bench/xmodem-goodput.js [--kib 64] [--bauds 115200,921600] [--rounds 3]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createPtyPair, type PtyPair } from '../drivers/serial/pty-pair.js';
import { serialDriver } from '../drivers/serial/serial-driver.js';
import { bytesSource } from '../protocols/xmodem/file-source.js';
import { XmodemEv, type XmodemEvents, xmodemSend } from '../protocols/xmodem/xmodem-sender.js';
import { Ev, impairDriver, Manager } from '../rig/index.js';
import { spawnOnPty } from '../test/protocols/xmodem/lrzsz.js';

const { values } = parseArgs({ options: { kib: { type: 'string', default: '64' }, bauds: { type: 'string', default: '115200,921600' }, rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new TypeError(`--rounds must be a whole number >= 1, got ${values.rounds}`);
const kib = Number(values.kib);
if (!(Number.isInteger(kib) && kib >= 1)) throw new TypeError(`--kib must be a whole number of KiB >= 1, got ${values.kib}`);
const bauds = values.bauds.split(',').map(Number);
if (bauds.some((b) => !(b >= 300))) throw new TypeError(`--bauds must be line rates like 115200,921600, got ${values.bauds}`);

const BLOCK_WIRE = 1029;
const payload = Uint8Array.from({ length: kib * 1024 }, (_, i) => (i * 131 + (i >> 10)) & 0xff);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-bench-xmodem-'));
const serialUrl = (p: string): string => `serial://${p}?baud=921600`;

interface Measured {
  dataSeconds: number;
  ok: boolean;
}

function checkReceived(dir: string): boolean {
  const got = fs.readFileSync(path.join(dir, 'out.bin'));
  return got.length === payload.length && got.equals(payload);
}

/** Our sender on a paced connection, rx on the other end of the pty pair. */
async function viaHilrig(baud: number): Promise<Measured> {
  const pair = await createPtyPair();
  const mgr = new Manager({ drivers: { serial: impairDriver(serialDriver, { baud }) } });
  const dir = fs.mkdtempSync(path.join(tmp, 'hilrig-'));
  try {
    let first = 0;
    let last = 0;
    const c = mgr.connect<XmodemEvents>(serialUrl(pair.rigSide), (_c, ev, _data) => {
      if (ev === XmodemEv.Started) first = performance.now();
      else if (ev === XmodemEv.Progress) last = performance.now();
    });
    await c.ready;
    const rx = spawnOnPty('rx', ['-c', '-b', '-q', 'out.bin'], pair.boardSide, dir);
    await xmodemSend(c, { mode: 'xmodem-1k', file: bytesSource('out.bin', payload) });
    await rx.exited;
    return { dataSeconds: (last - first) / 1000, ok: checkReceived(dir) };
  } finally {
    await mgr.shutdown();
    await pair.close();
  }
}

/** lrzsz `sx -k` on pty pair 1, relayed by the engine onto pty pair 2 (paced), rx on its far end. */
async function viaSx(baud: number): Promise<Measured> {
  const fromSx: PtyPair = await createPtyPair();
  const toRx: PtyPair = await createPtyPair();
  const plain = new Manager();
  const paced = new Manager({ drivers: { serial: impairDriver(serialDriver, { baud }) } });
  const dir = fs.mkdtempSync(path.join(tmp, 'sx-'));
  const src = path.join(dir, 'src.bin');
  fs.writeFileSync(src, payload);
  const blocksWire = (payload.length / 1024) * BLOCK_WIRE;
  try {
    let forwarded = 0;
    let first = 0;
    let eot = 0;
    const sxSide = plain.connect(serialUrl(fromSx.rigSide), (c, ev) => {
      if (ev !== Ev.Recv) return;
      const bytes = c.recv.toBytes();
      c.recv.consume(bytes.length);
      if (forwarded === 0) first = performance.now();
      forwarded += bytes.length;
      // sx sends the EOT only once the last block is acknowledged
      if (eot === 0 && forwarded > blocksWire) eot = performance.now();
      rxSide.send(bytes);
    });
    const rxSide = paced.connect(serialUrl(toRx.rigSide), (c, ev) => {
      if (ev !== Ev.Recv) return;
      const bytes = c.recv.toBytes();
      c.recv.consume(bytes.length);
      sxSide.send(bytes);
    });
    await Promise.all([sxSide.ready, rxSide.ready]);
    const rx = spawnOnPty('rx', ['-c', '-b', '-q', 'out.bin'], toRx.boardSide, dir);
    const sx = spawnOnPty('sx', ['-k', '-b', '-q', 'src.bin'], fromSx.boardSide, dir);
    const [sxExit] = await Promise.all([sx.exited, rx.exited]);
    return { dataSeconds: (eot - first) / 1000, ok: sxExit.code === 0 && checkReceived(dir) };
  } finally {
    await plain.shutdown();
    await paced.shutdown();
    await fromSx.close();
    await toRx.close();
  }
}

function row(baud: number, who: string, m: Measured): string {
  const line = baud / 10; // bytes per second, 8N1
  const goodput = payload.length / m.dataSeconds;
  const bound = (line * 1024) / (BLOCK_WIRE + 1);
  const blockMs = (BLOCK_WIRE * 10 * 1000) / baud;
  const turnaroundMs = (m.dataSeconds * 1000) / (payload.length / 1024) - blockMs;
  const cells = [String(baud), who, m.dataSeconds.toFixed(3), goodput.toFixed(0), pct(goodput / line), pct(goodput / bound), turnaroundMs.toFixed(2), m.ok ? 'yes' : 'NO'];
  return cells.map((c, i) => c.padEnd(WIDTHS[i]!)).join('');
}

const WIDTHS = [8, 14, 8, 12, 9, 14, 16, 10];
const pct = (f: number): string => `${(100 * f).toFixed(1)}%`;

console.log(`XMODEM-1K, ${kib} KiB (${kib} blocks), pty pair paced on the engine side, rx -c receiving, median of ${rounds} rounds`);
console.log(['baud', 'sender', 'data s', 'goodput B/s', 'of line', 'of 1024/1030', 'turnaround ms', 'identical'].map((c, i) => c.padEnd(WIDTHS[i]!)).join(''));
/** The median round by time; `ok` only if every round delivered the file intact. */
function median(ms: Measured[]): Measured {
  const sorted = [...ms].sort((a, b) => a.dataSeconds - b.dataSeconds);
  return { dataSeconds: sorted[Math.floor(sorted.length / 2)]!.dataSeconds, ok: ms.every((m) => m.ok) };
}

try {
  for (const baud of bauds) {
    const ours: Measured[] = [];
    const peer: Measured[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(await viaHilrig(baud));
      peer.push(await viaSx(baud));
    }
    const o = median(ours);
    const p = median(peer);
    console.log(row(baud, 'hilrig', o));
    console.log(row(baud, 'lrzsz sx -k', p));
    const spread = (ms: Measured[]): string => ms.map((m) => m.dataSeconds.toFixed(3)).join(' ');
    console.log(`${''.padEnd(8)}hilrig / sx goodput: ${(p.dataSeconds / o.dataSeconds).toFixed(3)}   (rounds, data s: hilrig ${spread(ours)}; sx ${spread(peer)})`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
