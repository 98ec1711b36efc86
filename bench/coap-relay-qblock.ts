// One upload over a link with a long round trip: a `hilrig relay` process delays every datagram
// 10 ms each way (20 ms round trip), and three whole programs send the same-sized body across
// it, in turn, round after round:
//   (a) libcoap's coap-client-notls -m put -b 1024 (Block1, RFC 7959: stop-and-wait, one round
//       trip per block) into coap-server-notls;
//   (b) hilrig coap put --block 1024 (Block1) into the virtual board's /large-update;
//   (c) hilrig coap put --qblock (Q-Block1, RFC 9177: bursts of MAX_PAYLOADS NON blocks, one
//       round trip per burst) into the same resource.
// The figure is the median of the per-round ratios (a)/(c) (the issue's goal: at least 8×). Each
// program uploads its own body (same size, other bytes), read back afterwards byte for byte.
// 256 KiB by default: Block1 needs ~5 s for it at 20 ms a block, 20 s for 1 MiB (--kib 1024).
// Then, in this process, Q-Block1 with other MAX_PAYLOADS values than the CLI can use.
//   node dist/bench/coap-relay-qblock.js [--kib 256] [--rounds 3] [--delay 10] [--what-if 10,20,50] [--timeout-ms 120000]
import { parseArgs } from 'node:util';
import { bodyBytes, expectFile, scratchDir } from './lib/bodies.js';
import { coapPings, hilrig, LIBCOAP_CLIENT, requirePrograms, startLibcoapServer, startRelay, startVirtualBoard } from './lib/coap-peers.js';
import { check, runTimed, type Service, type Timed } from './lib/procs.js';
import { qblockWhatIf } from './lib/qblock-what-if.js';
import { intOption, median, ratios, spread } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    kib: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
    delay: { type: 'string', default: '10' },
    'what-if': { type: 'string', default: '10,20,50' },
    'timeout-ms': { type: 'string', default: '120000' },
  },
});
const bytes = intOption('kib', values.kib, 2) * 1024;
const rounds = intOption('rounds', values.rounds, 1);
const delayMs = intOption('delay', values.delay, 0);
const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 1000);
const whatIf = values['what-if'] === '' ? [] : values['what-if'].split(',').map((s) => intOption('what-if', s, 1));
const blocks = Math.ceil(bytes / 1024);

/** What `hilrig coap` prints when a block-wise upload ends: `(... 256 blocks, 27 round trips, 256 datagrams, 612 ms, ...)`. */
function cliStats(r: Timed): { roundTrips: number; datagrams: number; ms: number } | undefined {
  const m = /(\d+) round trips, (\d+) datagrams, (\d+) ms/.exec(r.stderr);
  return m ? { roundTrips: Number(m[1]), datagrams: Number(m[2]), ms: Number(m[3]) } : undefined;
}

async function main(): Promise<void> {
  requirePrograms();
  const scratch = scratchDir('hilrig-bench-relay');
  const started: Service[] = [];
  const keep = <S extends Service>(s: S): S => (started.push(s), s);
  try {
    const up = { timeoutMs: 15_000 };
    const libcoap = keep(await startLibcoapServer(['-d', '10'], up));
    const board = keep(await startVirtualBoard(Math.max(bytes, 65_536), up));
    // one relay per server, as separate processes with the same link
    const relayL = keep(await startRelay(libcoap.port, delayMs, up));
    const relayB = keep(await startRelay(board.port, delayMs, up));
    const rtt = async (port: number): Promise<number> => median((await coapPings(port, 7, 10_000)).slice(2));
    const link = { direct: await rtt(libcoap.port), viaL: await rtt(relayL.port), viaB: await rtt(relayB.port) };

    type Name = 'a' | 'b' | 'c';
    const bodies: Record<Name, Uint8Array> = { a: bodyBytes(bytes, 11), b: bodyBytes(bytes, 22), c: bodyBytes(bytes, 33) };
    const files: Record<Name, string> = { a: scratch.write('a.bin', bodies.a), b: scratch.write('b.bin', bodies.b), c: scratch.write('c.bin', bodies.c) };
    const via = (port: number, path: string): string => `coap://127.0.0.1:${port}${path}`;
    const argv: Record<Name, [string, string[]]> = {
      a: [LIBCOAP_CLIENT, ['-m', 'put', '-b', '1024', '-B', String(Math.ceil(timeoutMs / 1000)), '-f', files.a, via(relayL.port, '/b')]],
      b: hilrig('coap', 'put', via(relayB.port, '/large-update'), '--file', files.b, '--block', '1024'),
      c: hilrig('coap', 'put', via(relayB.port, '/large-update'), '--file', files.c, '--qblock'),
    };
    const label: Record<Name, string> = {
      a: 'coap-client-notls -m put -b 1024 -> coap-server-notls',
      b: 'hilrig coap put --block 1024 -> hilrig sim /large-update',
      c: 'hilrig coap put --qblock -> hilrig sim /large-update',
    };
    // read back directly (not through the relay) with libcoap's client: a peer's view of the upload
    const readBack = async (name: Name): Promise<void> => {
      const out = scratch.path(`${name}.back`);
      const url = name === 'a' ? via(libcoap.port, '/b') : via(board.port, '/large-update');
      check(await runTimed(LIBCOAP_CLIENT, ['-m', 'get', '-o', out, url], { timeoutMs }), `coap-client-notls -m get ${url}`);
      expectFile(`(${name}) ${label[name]}, read back`, bodies[name], out);
    };
    const run = async (name: Name): Promise<Timed> => {
      const [cmd, args] = argv[name];
      const r = check(await runTimed(cmd, args, { timeoutMs, label: label[name] }), label[name]);
      await readBack(name);
      return r;
    };

    await run('c'); // warm-up: the first Node start reads its files from disk
    const secs: Record<Name, number[]> = { a: [], b: [], c: [] };
    const stats: Partial<Record<Name, ReturnType<typeof cliStats>[]>> = { b: [], c: [] };
    for (let i = 0; i < rounds; i++) {
      for (const name of ['a', 'b', 'c'] as const) {
        const r = await run(name);
        secs[name].push(r.ms / 1000);
        const st = cliStats(r);
        stats[name]?.push(st);
        // the CLI falls back to Block1 quietly when the server answers the probe 4.02 (RFC 9177 §4.1)
        if (name === 'c' && !(st && st.roundTrips < blocks)) throw new Error(`(c) ${label.c}: ${st ? `${st.roundTrips} round trips for ${blocks} blocks` : 'no statistics line'}: not Q-Block1 (fell back to Block1?): ${r.stderr.trim()}`);
      }
    }
    const what = whatIf.length > 0 ? await qblockWhatIf(bodyBytes(bytes, 44), whatIf, rounds, delayMs, timeoutMs) : [];

    const col = (xs: number[]): string => spread(xs, 2, 's').padEnd(24);
    const cli = (name: 'b' | 'c'): string => {
      const s = stats[name]!.filter((x) => x !== undefined);
      if (s.length === 0) return '';
      return `${median(s.map((x) => x.roundTrips))} round trips, ${median(s.map((x) => x.datagrams))} requests, transfer ${(median(s.map((x) => x.ms)) / 1000).toFixed(2)} s by its own timer`;
    };
    const log = (s: string): void => console.log(s.trimEnd());
    log(`Upload of ${bytes} B (${blocks} blocks of 1024 B) through \`hilrig relay --delay ${delayMs}\` (${delayMs} ms each way), whole programs in turn, ${rounds} rounds, median (min .. max):`);
    log(`  link, CoAP ping round trip: direct ${link.direct.toFixed(2)} ms; via relay to coap-server-notls ${link.viaL.toFixed(1)} ms; to hilrig sim ${link.viaB.toFixed(1)} ms`);
    log(`  (a) libcoap Block1   ${col(secs.a)} ${label.a} (stop-and-wait: ${blocks} round trips)`);
    log(`  (b) hilrig Block1    ${col(secs.b)} ${label.b}; ${cli('b')}`);
    log(`  (c) hilrig Q-Block1  ${col(secs.c)} ${label.c}; ${cli('c')}`);
    log(`  libcoap Block1 / hilrig Q-Block1   ${median(ratios(secs.a, secs.c)).toFixed(2)}×  (median of per-round ratios; goal: at least 8×)`);
    log(`  hilrig Block1 / hilrig Q-Block1    ${median(ratios(secs.b, secs.c)).toFixed(2)}×`);
    log(`  hilrig Block1 / libcoap Block1     ${median(ratios(secs.b, secs.a)).toFixed(2)}×`);
    const bound = (m: number): number => (1 + Math.ceil(blocks / m)) * link.viaB;
    log(`  Q-Block1's floor at MAX_PAYLOADS 10: a CON probe, then one burst per 2.31 Continue: (1 + ceil(${blocks}/10)) × ${link.viaB.toFixed(1)} ms = ${(bound(10) / 1000).toFixed(2)} s`);
    if (what.length > 0) {
      log(`Q-Block1 in this process (qblock1Put and a QBlock1Receiver agreeing on MAX_PAYLOADS), through another relay with the same delay, ${rounds} rounds after a warm-up:`);
      for (const m of whatIf) {
        const runs = what.filter((w) => w.maxPayloads === m);
        const secsM = runs.map((w) => w.ms / 1000);
        log(`  MAX_PAYLOADS ${String(m).padEnd(4)} ${col(secsM)} ${median(runs.map((w) => w.roundTrips))} round trips (floor ${(bound(m) / 1000).toFixed(2)} s); libcoap Block1 (a) / this: ${(median(secs.a) / median(secsM)).toFixed(1)}×`);
      }
    }
    log(`byte-identical: every upload above read back (coap-client-notls -m get, or the receiver's body) and compared`);
  } finally {
    for (const s of started.reverse()) await s.stop();
    scratch.remove();
  }
}

await main();
