// SMP image upload over UDP with a 20 ms round trip: a window of chunks in flight against one
// chunk per round trip, the same image to the same board, in alternating rounds (the median
// round is printed, and the per-round ratio). The round trip comes from the link impairment
// layer on the uploader's UDP driver (impairDriver, delayMs 10 each way: what `hilrig relay
// --delay 10` does between two sockets; `--via relay` runs that relay in between instead); the board is the virtual board's SMP server with its
// flash answering at once (flashTimeScale 0), so what is measured is the link, not the flash
// model's 100 ms board polls. The windowed run takes the window the board's MCUmgr parameters
// give (buf_count 9 -> window 8); the peer is the same uploader with --window 1.
//   node dist/bench/smp-window.js [--kib 256] [--rounds 3] [--delay 10] [--buf-count 9] [--via driver|relay]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createSmpService } from '../boards/virtual/services/smp.js';
import { shellService } from '../boards/virtual/services/shell.js';
import { VirtualBoard } from '../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../drivers/index.js';
import { impairDriver } from '../drivers/impair/impair-driver.js';
import { startUdpRelay } from '../drivers/impair/udp-relay.js';
import { udpDriver } from '../drivers/udp/udp-driver.js';
import { buildTestImage } from '../protocols/mcuboot/image.js';
import { silentProgress } from '../rig/upload/progress.js';
import { upload } from '../rig/upload/upload.js';
import { intOption, median, ratios, spread } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    kib: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
    delay: { type: 'string', default: '10' },
    'buf-count': { type: 'string', default: '9' },
    via: { type: 'string', default: 'driver' },
  },
});
const kib = intOption('kib', values.kib, 1);
const rounds = intOption('rounds', values.rounds, 1);
const delayMs = intOption('delay', values.delay, 0);
const bufCount = intOption('buf-count', values['buf-count'], 2);
const via = values.via;
if (via !== 'driver' && via !== 'relay') throw new TypeError(`--via ${via}: expected driver or relay`);

const body = Uint8Array.from({ length: kib * 1024 }, (_, i) => (i * 131 + (i >> 10)) & 0xff);
const image = buildTestImage({ version: '1.2.3', payload: body });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-bench-smp-'));
const file = path.join(dir, 'app.signed.bin');
fs.writeFileSync(file, image);

const board = await new VirtualBoard({ drivers: defaultDrivers, services: [shellService, createSmpService({ flashTimeScale: 0, bufCount })] }).start({ udp: '127.0.0.1:0' });
// driver: the uploader's own socket delays both ways; relay: a relay socket pair in between does
const relay = via === 'relay' ? await startUdpRelay({ to: board.endpoints.udp!, impair: { delayMs } }) : undefined;
const target = relay?.url ?? board.endpoints.udp!;
const delayed = relay ? undefined : { udp: impairDriver(udpDriver, { delayMs }) };

async function once(window: number | undefined): Promise<{ seconds: number; window: string }> {
  let plan = '';
  const progress = { ...silentProgress(), note: (l: string) => void (l.includes('chunks') && (plan = l)) };
  const s = await upload({ file, target, protocol: 'smp', window, progress, drivers: delayed });
  if (!s.verdict.ok || !s.verdict.checked) throw new Error(`upload not verified: ${s.verdict.detail}`);
  return { seconds: s.seconds, window: /window (\d+)/.exec(plan)?.[1] ?? '?' };
}

try {
  const how = relay ? `a relay delaying each datagram ${delayMs} ms` : `impairDriver delayMs ${delayMs} on the uploader's socket`;
  console.log(`SMP upload of a ${image.length}-byte image over UDP, ${2 * delayMs} ms round trip (${how}), board buf_size 2048, buf_count ${bufCount}`);
  const windowed: number[] = [];
  const single: number[] = [];
  let w = '?';
  for (let r = 0; r < rounds; r++) {
    const a = await once(undefined);
    w = a.window;
    windowed.push(a.seconds);
    single.push((await once(1)).seconds);
  }
  const mbps = (s: number): string => `${(image.length / 1024 / s).toFixed(1)} KiB/s`;
  console.log(`window ${w} (from buf_count): ${spread(windowed, 3, 's')}  goodput ${mbps(median(windowed))}`);
  console.log(`window 1 (one chunk per round trip): ${spread(single, 3, 's')}  goodput ${mbps(median(single))}`);
  console.log(`ratio window 1 / window ${w}: ${spread(ratios(single, windowed), 2, 'x')} (goal >= 4x)`);
} finally {
  await relay?.close();
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
