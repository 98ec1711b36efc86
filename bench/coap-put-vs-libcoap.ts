// A Block1 upload (RFC 7959 §2.3) of 1 MiB in 1024-byte blocks into libcoap's coap-server-notls
// on loopback, by whole programs as a user runs them: `hilrig coap put --block 1024` versus
// libcoap's `coap-client-notls -m put -b 1024`, in turn (hilrig, libcoap, hilrig, libcoap ...)
// after a warm-up, so drift of the machine hits both alike; the figure is the median of the
// per-round ratios (the goal: hilrig within 1.5× of libcoap). Also timed in each round:
// `node -e 0`, the floor under any Node CLI, and both clients sending one block, so the wall
// time splits into start-up and transfer. Then the same upload in this process (block1Put
// through the engine, no start-up) as goodput in MB/s. Both uploads are read back once and
// compared byte for byte.
//   node dist/bench/coap-put-vs-libcoap.js [--rounds 9] [--kib 1024] [--goodput-rounds 15] [--timeout-ms 60000]
import { parseArgs } from 'node:util';
import { udpDriver } from '../drivers/udp/udp-driver.js';
import { block1Put, block2Get } from '../protocols/coap/block/index.js';
import { describeCode, isSuccess } from '../protocols/coap/coap-codes.js';
import { connectCoap } from '../rig/coap/connect-coap.js';
import { Manager } from '../rig/engine/manager.js';
import { bodyBytes, differs, expectFile, scratchDir } from './lib/bodies.js';
import { hilrig, LIBCOAP_CLIENT, NODE, requirePrograms, startLibcoapServer } from './lib/coap-peers.js';
import { check, runTimed, type Timed, within } from './lib/procs.js';
import { differences, intOption, median, ratios, spread } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    kib: { type: 'string', default: '1024' },
    'goodput-rounds': { type: 'string', default: '15' },
    'timeout-ms': { type: 'string', default: '60000' },
  },
});
const rounds = intOption('rounds', values.rounds, 1);
const bytes = intOption('kib', values.kib, 2) * 1024;
const goodputRounds = intOption('goodput-rounds', values['goodput-rounds'], 1);
const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 1000);

/** The transfer time `hilrig coap` prints on stderr: `2.04 Changed (... 72 ms, 14.56 MB/s)`. */
function ownTransferMs(r: Timed): number {
  const m = /, (\d+) ms, [\d.∞]+ MB\/s\)/.exec(r.stderr);
  return m ? Number(m[1]) : NaN;
}

async function main(): Promise<void> {
  requirePrograms();
  const scratch = scratchDir('hilrig-bench-put');
  const body = bodyBytes(bytes);
  const bodyFile = scratch.write('body.bin', body);
  const oneFile = scratch.write('one.bin', bodyBytes(1024, 7));
  const server = await startLibcoapServer(['-d', '10'], { timeoutMs: 10_000 });
  try {
    const url = server.url;
    const run = async (label: string, [cmd, args]: [string, string[]]): Promise<Timed> => check(await runTimed(cmd, args, { timeoutMs, label }), label);
    const programs = {
      hilrig: () => run('hilrig coap put', hilrig('coap', 'put', `${url}/b`, '--file', bodyFile, '--block', '1024')),
      libcoap: () => run('coap-client-notls -m put', [LIBCOAP_CLIENT, ['-m', 'put', '-b', '1024', '-f', bodyFile, `${url}/b`]]),
      floor: () => run('node -e 0', [NODE, ['-e', '0']]),
      hilrigOne: () => run('hilrig coap put (one block)', hilrig('coap', 'put', `${url}/one`, '--file', oneFile, '--block', '1024')),
      libcoapOne: () => run('coap-client-notls -m put (one block)', [LIBCOAP_CLIENT, ['-m', 'put', '-b', '1024', '-f', oneFile, `${url}/one`]]),
    };
    type Name = keyof typeof programs;
    const order: Name[] = ['hilrig', 'libcoap', 'floor', 'hilrigOne', 'libcoapOne'];

    // warm-up (the first Node start reads its files from disk), and the read-back checks: what
    // each client uploaded, fetched by the other client (Block2), must be the body
    for (const name of order) await programs[name]();
    await programs.hilrig();
    const back = scratch.path('back.bin');
    check(await runTimed(LIBCOAP_CLIENT, ['-m', 'get', '-o', back, `${url}/b`], { timeoutMs }), 'coap-client-notls -m get');
    expectFile('hilrig coap put, read back by coap-client-notls', body, back);
    await programs.libcoap();
    const back2 = scratch.path('back2.bin');
    const [gc, ga] = hilrig('coap', 'get', `${url}/b`, '--out', back2);
    check(await runTimed(gc, ga, { timeoutMs }), 'hilrig coap get');
    expectFile('coap-client-notls -m put, read back by hilrig coap get', body, back2);

    const ms: Record<Name, number[]> = { hilrig: [], libcoap: [], floor: [], hilrigOne: [], libcoapOne: [] };
    const own: number[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const name of order) {
        const r = await programs[name]();
        ms[name].push(r.ms);
        if (name === 'hilrig') own.push(ownTransferMs(r));
      }
    }

    // in this process: the engine and block1Put alone, no start-up, same server
    const mgr = new Manager({ drivers: { udp: udpDriver }, pollMs: 0 });
    const rates: number[] = [];
    let readBack: string | undefined;
    try {
      const link = connectCoap(mgr, url, () => undefined, { random: Math.random });
      await link.c.ready;
      const put = async (): Promise<number> => {
        const t0 = performance.now();
        const r = await within(block1Put(link.ep, { method: 'PUT', path: '/g' }, body, { szx: 6 }), timeoutMs, 'block1Put in this process');
        const dt = performance.now() - t0;
        // 2.01 Created the first time (libcoap's -d makes the resource), 2.04 Changed after
        if (!isSuccess(r.code)) throw new Error(`block1Put: answered ${describeCode(r.code)}`);
        return body.length / 1e6 / (dt / 1000);
      };
      await put(); // warm-up: JIT the path before counting
      for (let i = 0; i < goodputRounds; i++) rates.push(await put());
      readBack = differs(body, (await within(block2Get(link.ep, { path: '/g' }), timeoutMs, 'block2Get in this process')).body);
    } finally {
      await mgr.shutdown();
    }
    if (readBack) throw new Error(`block1Put in process, read back with block2Get: not byte-identical: ${readBack}`);

    const blocks = Math.ceil(bytes / 1024);
    const ratio = median(ratios(ms.hilrig, ms.libcoap));
    const floorRatio = median(ratios(ms.floor, ms.libcoap));
    // hilrig's transfer by its own timer (first block sent to last answer, same run); libcoap
    // prints none, so its transfer is the whole upload minus a one-block upload of the same round
    const hTransfer = own.some(Number.isNaN) ? differences(ms.hilrig, ms.hilrigOne) : own;
    const hRest = differences(ms.hilrig, hTransfer);
    const lTransfer = differences(ms.libcoap, ms.libcoapOne);
    const rate = (n: number, dtMs: number): string => (dtMs > 0 ? `${(((n * 1024) / 1e6) / (dtMs / 1000)).toFixed(1)} MB/s, ${((dtMs * 1000) / n).toFixed(0)} µs a block` : 'n/a');
    const col = (xs: number[]): string => spread(xs, 1, 'ms').padEnd(30);
    const log = (line: string): void => console.log(line.trimEnd());
    log(`CoAP Block1 PUT of ${bytes} B (${blocks} blocks of 1024 B, CON, one in flight) into coap-server-notls -d 10 on 127.0.0.1,`);
    log(`whole programs in turn after a warm-up, ${rounds} rounds, median (min .. max):`);
    log(`  hilrig coap put --block 1024      ${col(ms.hilrig)}`);
    log(`  coap-client-notls -m put -b 1024  ${col(ms.libcoap)}`);
    log(`  node -e 0 (floor of a Node CLI)   ${col(ms.floor)}`);
    log(`  hilrig / libcoap                  ${ratio.toFixed(2)}×  (median of per-round ratios; goal: within 1.5×)`);
    log(`  node -e 0 / libcoap               ${floorRatio.toFixed(2)}×  (the floor alone against the goal)`);
    log(`where the time goes, same rounds:`);
    log(`  hilrig, the transfer              ${col(hTransfer)} ${rate(hTransfer === own ? blocks : blocks - 1, median(hTransfer))} (${hTransfer === own ? 'its own timer' : 'whole minus one block'})`);
    log(`  hilrig, the rest                  ${col(hRest)} Node start, loading the CLI, socket, exit`);
    log(`  hilrig, a one-block upload        ${col(ms.hilrigOne)}`);
    log(`  libcoap, the transfer             ${col(lTransfer)} ${rate(blocks - 1, median(lTransfer))} (whole minus a one-block upload)`);
    log(`  libcoap, a one-block upload       ${col(ms.libcoapOne)}`);
    log(`  transfer, hilrig / libcoap        ${median(ratios(hTransfer, lTransfer)).toFixed(2)}×  (per-round ratios; the ${hTransfer === own ? blocks : blocks - 1} and ${blocks - 1} blocks)`);
    log(`in this process (block1Put through the engine, no start-up), ${goodputRounds} rounds after a warm-up:`);
    log(`  goodput                           ${spread(rates, 2, 'MB/s')}, ${(1024 / median(rates)).toFixed(0)} µs a block`);
    log(`byte-identical: hilrig's upload read back by coap-client-notls, libcoap's by hilrig coap get, block1Put's by block2Get`);
  } finally {
    await server.stop();
    scratch.remove();
  }
}

await main();
