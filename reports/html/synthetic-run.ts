// A made-up run of any size, shaped like a real one (CoAP exchanges with retransmissions and the
// odd malformed datagram, failures that quote the message at fault, Zephyr-style console lines,
// one test that floods the console), for the report's size benchmark and its browser tests.
// Deterministic: the same sizes give the same run.
import { type ExchangeMessage, runResult, type RunResult, type TestResult, type Verdict } from '../results/result-model.js';

export interface SyntheticOptions {
  tests: number;
  consoleLines: number;
  board?: string;
  /** share of the console lines printed by one test (a log storm); default 0.5 */
  floodShare?: number;
}

/** A small linear congruential generator: reproducible, good enough to vary made-up data. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PATHS = ['test', 'large', 'obs', 'separate', 'fw', 'sensors/temp', '.well-known/core', 'validate'];
const METHODS = [
  ['0.01', 'GET'],
  ['0.02', 'POST'],
  ['0.03', 'PUT'],
  ['0.04', 'DELETE'],
] as const;
const RESPONSES = [
  ['2.05', 'Content'],
  ['2.04', 'Changed'],
  ['2.01', 'Created'],
  ['2.31', 'Continue'],
  ['4.04', 'Not Found'],
] as const;
const MODULES = ['coap', 'net_l2', 'flash', 'app', 'sensor', 'mcumgr', 'udp'];
const SENTENCES = [
  'request from udp://192.0.2.10:40123 handled in 412 us',
  'block 17 of 64 written to slot 1 at offset 0x00011000',
  'observe: notifying 2 observers of /obs, sequence 1042',
  'rx buffer 3 of 8 in use, 912 bytes free in the net pool',
  'temperature=21.5C humidity=40.2% pressure=1013.2hPa',
  'retransmitting CON MID 0x1a2b to udp://192.0.2.10:40123 (attempt 2 of 4)',
  'malformed message from udp://192.0.2.10:40123, rejected with RST: option delta 15 is reserved',
];

export function syntheticRun(o: SyntheticOptions): RunResult {
  const rnd = prng(0x5eed ^ o.tests ^ o.consoleLines);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const floodShare = o.floodShare ?? 0.5;
  const flood = o.tests > 0 ? Math.floor(o.consoleLines * floodShare) : 0;
  const perTest = o.tests > 1 ? Math.floor((o.consoleLines - flood) / (o.tests - 1)) : 0;
  let uptimeUs = 1_000_000;
  const tests: TestResult[] = [];
  for (let i = 0; i < o.tests; i++) {
    const r = rnd();
    const verdict: Verdict = r < 0.06 ? 'fail' : r < 0.08 ? 'error' : r < 0.11 ? 'inconclusive' : 'pass';
    const exchange: ExchangeMessage[] = [];
    let t = 0;
    let mid = (i * 97) & 0xffff;
    for (let k = 0, n = 1 + Math.floor(rnd() * 6); k < n; k++) {
      const [code, name] = pick(METHODS);
      const token = Math.floor(rnd() * 0xffffffff).toString(16).padStart(8, '0');
      const path = pick(PATHS);
      const uri = path.split('/').map((p) => `Uri-Path:"${p}"`).join(' ');
      const out = `CON ${code} ${name} MID 0x${mid.toString(16).padStart(4, '0')} token ${token} ${uri} (0 B)`;
      t += 5 + rnd() * 20;
      exchange.push({ t: Math.round(t * 1000) / 1000, dir: 'out', text: out, type: 'CON', code, mid, token, payloadSize: 0, retransmission: 0 });
      if (rnd() < 0.1) {
        t += 2000 + rnd() * 1000;
        exchange.push({ t: Math.round(t * 1000) / 1000, dir: 'out', text: out, type: 'CON', code, mid, token, payloadSize: 0, retransmission: 1 });
      }
      const [rcode, rname] = pick(RESPONSES);
      const size = Math.floor(rnd() * 1024);
      t += 10 + rnd() * 40;
      exchange.push({
        t: Math.round(t * 1000) / 1000,
        dir: 'in',
        text: `ACK ${rcode} ${rname} MID 0x${mid.toString(16).padStart(4, '0')} token ${token} Content-Format:text/plain;charset=utf-8 (0) Block2:0/1/64 (${size} B)`,
        type: 'ACK',
        code: rcode,
        mid,
        token,
        payloadSize: size,
        retransmission: 0,
      });
      mid = (mid + 1) & 0xffff;
    }
    if (rnd() < 0.05) {
      t += 3;
      exchange.push({ t, dir: 'out', text: 'not a CoAP message: token length 9 is reserved (9-15)', retransmission: 0, hex: '4901123401020304050607080900' });
    }
    // the first test floods; the last takes what the division left, so the total is exact
    const lines = o.tests === 1 ? o.consoleLines : i === 0 ? flood : perTest + (i === o.tests - 1 ? o.consoleLines - flood - perTest * (o.tests - 1) : 0);
    const consoleLines: string[] = [];
    for (let k = 0; k < lines; k++) {
      uptimeUs += Math.floor(rnd() * 5000);
      const s = Math.floor(uptimeUs / 1e6);
      const stamp = `[${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String(Math.floor(uptimeUs / 1000) % 1000).padStart(3, '0')},${String(uptimeUs % 1000).padStart(3, '0')}]`;
      const level = rnd() < 0.02 ? 'err' : rnd() < 0.08 ? 'wrn' : 'inf';
      consoleLines.push(`${stamp} <${level}> ${pick(MODULES)}: ${pick(SENTENCES)}`);
    }
    const last = exchange.filter((m) => m.dir === 'in').pop();
    const test: TestResult = {
      id: `SYN_${String(i + 1).padStart(4, '0')}`,
      suite: i % 3 === 0 ? 'smoke' : 'coap',
      title: `synthetic test ${i + 1}: ${pick(['GET', 'PUT', 'Observe', 'Block2', 'Block1', 'ping'])} against /${pick(PATHS)}`,
      verdict,
      durationMs: Math.floor(rnd() * 400),
      startedAt: new Date(Date.UTC(2024, 4, 1, 12, 0, 0) + i * 500).toISOString(),
      specRefs: [`RFC 7252 §${pick(['4.2', '5.2.1', '5.4.1', '3'])}`, 'ETSI CoAP plugtest TD_COAP_CORE_01'],
      needs: rnd() < 0.3 ? ['/large'] : [],
      exchange,
      notes: rnd() < 0.2 ? [`payload ${Math.floor(rnd() * 2048)} B in ${1 + Math.floor(rnd() * 30)} blocks`] : [],
      console: consoleLines,
    };
    if (verdict === 'fail') {
      test.rule = 'RFC 7252 §4.2';
      test.message = `RFC 7252 §4.2: an ACK carries the Message ID of the CON it acknowledges${last ? ` (${last.text})` : ''}`;
    } else if (verdict === 'error') {
      test.errorName = 'Timeout';
      test.message = 'the board answered nothing for 93 s (EXCHANGE_LIFETIME)';
    } else if (verdict === 'inconclusive') {
      test.message = 'the board has no /large resource';
    }
    tests.push(test);
  }
  return runResult(
    {
      board: { name: o.board ?? 'synthetic', coapUrl: 'coap://192.0.2.1:5683' },
      host: 'rig-01',
      startedAt: '2024-05-01T12:00:00.000Z',
      durationMs: o.tests * 500,
      hilrig: '0.1.0',
      suites: ['coap', 'smoke'],
      bail: false,
      timeoutMs: 30_000,
      clockFactor: 1,
      planned: o.tests,
      finished: true,
      interrupted: false,
    },
    tests,
  );
}
