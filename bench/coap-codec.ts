// CoAP message codec throughput: hilrig's parseCoap/serializeCoap versus the npm package
// coap-packet (parse/generate) on the same datagrams, in the same process, in alternating rounds
// after a warm-up, so machine drift hits both alike. The mix is what a conformance run sees: a
// GET with a path and token, a piggybacked 2.05, a Block2 response, an Observe notification, a
// PUT with Block1, an RST and an empty ACK.
//   node dist/bench/coap-codec.js [--count 20000] [--rounds 7]
import { parseArgs } from 'node:util';
import { generate, parse } from 'coap-packet';
import { encodeBlock } from '../protocols/coap/block-option.js';
import { parseCoap, serializeCoap } from '../protocols/coap/coap-codec.js';
import { CoapCode } from '../protocols/coap/coap-codes.js';
import { CoapOptionNumber as O, encodeUint } from '../protocols/coap/coap-options.js';
import { type CoapMessage, type CoapOption, CoapType, emptyMessage } from '../protocols/coap/coap-types.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const msg = (type: CoapType, code: number, mid: number, token: Uint8Array, options: CoapOption[], payload: Uint8Array = new Uint8Array(0)): CoapMessage => ({ version: 1, type, code, mid, token, options, payload });

const MIX: [string, CoapMessage][] = [
  ['GET, 3 Uri-Path segments, 4-byte token', msg(CoapType.CON, CoapCode.GET, 0x1001, bytes(4, 1), [
    { number: O.URI_PATH, value: text('sensors') }, { number: O.URI_PATH, value: text('temp') }, { number: O.URI_PATH, value: text('celsius') },
  ])],
  ['2.05 piggybacked ACK, Content-Format, 64-byte payload', msg(CoapType.ACK, CoapCode.CONTENT, 0x1001, bytes(4, 1), [{ number: O.CONTENT_FORMAT, value: encodeUint(50) }], bytes(64, 2))],
  ['2.05 Block2 3/M/1024 + Size2, 1024-byte payload', msg(CoapType.ACK, CoapCode.CONTENT, 0x1002, bytes(2, 3), [
    { number: O.CONTENT_FORMAT, value: encodeUint(42) },
    { number: O.BLOCK2, value: encodeBlock({ num: 3, more: true, szx: 6 }) },
    { number: O.SIZE2, value: encodeUint(8000) },
  ], bytes(1024, 4))],
  ['Observe notification (NON 2.05)', msg(CoapType.NON, CoapCode.CONTENT, 0x2001, bytes(8, 5), [
    { number: O.OBSERVE, value: encodeUint(0x1234) }, { number: O.CONTENT_FORMAT, value: encodeUint(0) }, { number: O.MAX_AGE, value: encodeUint(30) },
  ], text('22.5 C'))],
  ['PUT with Block1 2/M/512, 512-byte payload', msg(CoapType.CON, CoapCode.PUT, 0x3001, bytes(3, 6), [
    { number: O.URI_PATH, value: text('fw') }, { number: O.CONTENT_FORMAT, value: encodeUint(42) }, { number: O.BLOCK1, value: encodeBlock({ num: 2, more: true, szx: 5 }) },
  ], bytes(512, 7))],
  ['RST', emptyMessage(CoapType.RST, 0x3001)],
  ['empty ACK', emptyMessage(CoapType.ACK, 0x3002)],
];

// both libraries read the same Buffers (coap-packet needs Buffer methods; a Buffer is a Uint8Array)
const DATAGRAMS = MIX.map(([, m]) => Buffer.from(serializeCoap(m)));

type Impl = 'hilrig' | 'coap-packet';
type Work = 'parse' | 'serialize' | 'parse+serialize';
let sink = 0;

const parsedHilrig = DATAGRAMS.map((d) => {
  const r = parseCoap(d);
  if (r.kind !== 'ok') throw new Error('bench message did not parse');
  return r.value;
});
const parsedPeer = DATAGRAMS.map((d) => parse(d));

/** Messages per second for `count` passes over the mix. */
function run(impl: Impl, work: Work, count: number): number {
  const n = DATAGRAMS.length;
  const start = performance.now();
  if (impl === 'hilrig') {
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < n; i++) {
        if (work === 'serialize') sink += serializeCoap(parsedHilrig[i]!).length;
        else {
          const r = parseCoap(DATAGRAMS[i]!);
          if (r.kind !== 'ok') throw new Error('parse failed');
          sink += work === 'parse' ? r.value.options.length : serializeCoap(r.value).length;
        }
      }
    }
  } else {
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < n; i++) {
        if (work === 'serialize') sink += generate(parsedPeer[i]!).length;
        else {
          const p = parse(DATAGRAMS[i]!);
          sink += work === 'parse' ? p.options.length : generate(p).length;
        }
      }
    }
  }
  return (count * n) / ((performance.now() - start) / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } } });
  const count = Number(values.count);
  const rounds = Number(values.rounds);
  // same bytes out of both, or the comparison means nothing
  DATAGRAMS.forEach((d, i) => {
    const ours = Buffer.from(serializeCoap(parsedHilrig[i]!));
    const theirs = generate(parse(d));
    if (!ours.equals(d) || !theirs.equals(d)) throw new Error(`round trip differs for ${MIX[i]![0]}: ${d.toString('hex')} / ${ours.toString('hex')} / ${theirs.toString('hex')}`);
  });
  console.log(`CoAP codec, ${DATAGRAMS.length}-message mix (${DATAGRAMS.reduce((a, d) => a + d.length, 0)} bytes), ${count} passes per round, ${rounds} rounds, median:`);
  for (const work of ['parse', 'serialize', 'parse+serialize'] as const) {
    for (let w = 0; w < 3; w++) {
      run('coap-packet', work, count); // warm-up: JIT both paths before counting
      run('hilrig', work, count);
    }
    const rates: Record<Impl, number[]> = { hilrig: [], 'coap-packet': [] };
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const peer = run('coap-packet', work, count);
      const ours = run('hilrig', work, count);
      rates['coap-packet'].push(peer);
      rates.hilrig.push(ours);
      ratios.push(ours / peer);
    }
    const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M msg/s`.padStart(14);
    console.log(`  ${work.padEnd(16)} hilrig ${fmt(median(rates.hilrig))}   coap-packet ${fmt(median(rates['coap-packet']))}   ratio ${median(ratios).toFixed(2)}×`);
  }
  if (sink === 0) console.log('(no work done?)');
}

main();
