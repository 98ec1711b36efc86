// Console capture throughput: lines from a real pty through the engine's serial driver, the
// console line protocol and the JSONL writer (hilrig's path), versus serialport +
// @serialport/parser-readline + JSON lines to a write stream (the glue people write), in the
// same run, alternating. Also the raw byte rate of the engine's serial path with no parsing.
//   node dist/bench/console-capture.js [--mb 16] [--rounds 5]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPort } from 'serialport';
import { createPtyPair } from '../drivers/serial/pty-pair.js';
import { Ev, Manager } from '../rig/index.js';
import { ConsoleSession } from '../rig/console/console-session.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '16' }, rounds: { type: 'string', default: '5' } } });
const LINE = '[00:00:01.234,567] <inf> app: sensor reading 0123456789 temperature=21.5C\n';
const lines = Math.floor((Number(values.mb) * 1e6) / LINE.length);
const payload = Buffer.from(LINE.repeat(lines));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-bench-'));

/** Write the payload into the board side of the pty as fast as it takes it. */
async function produce(boardSide: string): Promise<void> {
  const fd = fs.openSync(boardSide, 'w');
  const ws = fs.createWriteStream('', { fd, highWaterMark: 1 << 16 });
  await new Promise<void>((resolve, reject) => ws.end(payload, () => resolve()).on('error', reject));
}

type Result = { seconds: number; lines: number };

async function viaHilrig(rigSide: string, boardSide: string): Promise<Result> {
  const mgr = new Manager();
  const out = path.join(tmp, 'hilrig.jsonl');
  const s = await ConsoleSession.attach(mgr, `serial://${rigSide}?baud=921600`, { label: 'bench', jsonl: out, keepLines: 1000 });
  let n = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  s.onLine(() => ++n === lines && done());
  const t0 = performance.now();
  await produce(boardSide);
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await s.close();
  await mgr.shutdown();
  fs.rmSync(out);
  return { seconds, lines: n };
}

async function viaReadline(rigSide: string, boardSide: string): Promise<Result> {
  const port = new SerialPort({ path: rigSide, baudRate: 921600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const out = fs.createWriteStream(path.join(tmp, 'readline.jsonl'));
  const parser = port.pipe(new ReadlineParser({ delimiter: '\n' }));
  let n = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  parser.on('data', (text: string) => {
    out.write(`${JSON.stringify({ ts: new Date().toISOString(), board: 'bench', text })}\n`);
    if (++n === lines) done();
  });
  const t0 = performance.now();
  await produce(boardSide);
  await all;
  await new Promise<void>((r) => out.end(() => r()));
  const seconds = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => port.close(() => r()));
  return { seconds, lines: n };
}

async function rawEngine(rigSide: string, boardSide: string): Promise<Result> {
  const mgr = new Manager();
  let bytes = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const c = mgr.connect(`serial://${rigSide}?baud=921600`, (conn, ev, data) => {
    if (ev === Ev.Recv) {
      bytes += data.bytes;
      conn.recv.clear();
      if (bytes === payload.length) done();
    }
  });
  await c.ready;
  const t0 = performance.now();
  await produce(boardSide);
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await mgr.shutdown();
  return { seconds, lines };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const pair = await createPtyPair();
  try {
    const runs = { hilrig: [] as number[], readline: [] as number[], raw: [] as number[] };
    await viaHilrig(pair.rigSide, pair.boardSide); // warm-up
    await viaReadline(pair.rigSide, pair.boardSide);
    for (let i = 0; i < Number(values.rounds); i++) {
      runs.hilrig.push((await viaHilrig(pair.rigSide, pair.boardSide)).seconds);
      runs.readline.push((await viaReadline(pair.rigSide, pair.boardSide)).seconds);
      runs.raw.push((await rawEngine(pair.rigSide, pair.boardSide)).seconds);
    }
    const mb = payload.length / 1e6;
    const row = (name: string, s: number): string => `  ${name.padEnd(40)} ${(lines / s / 1000).toFixed(0).padStart(6)} k lines/s  ${(mb / s).toFixed(1).padStart(6)} MB/s`;
    console.log(`Console capture over a pty, ${lines} lines (${mb.toFixed(1)} MB) per round, ${values.rounds} rounds (median):`);
    console.log(row('hilrig: engine + line protocol + JSONL', median(runs.hilrig)));
    console.log(row('serialport + parser-readline + JSONL', median(runs.readline)));
    console.log(row('hilrig engine, raw bytes only', median(runs.raw)));
    console.log(`  hilrig/readline throughput ratio ${(median(runs.readline) / median(runs.hilrig)).toFixed(2)}; USB full-speed CDC tops out near 1 MB/s, a 921600 baud UART at 0.09 MB/s`);
  } finally {
    await pair.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
