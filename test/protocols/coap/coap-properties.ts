// Properties of the CoAP codecs, shared by the default test run (coap-properties.test.ts, about
// 210 000 cases) and the long fuzz run (test/fuzz/coap-fuzz.ts). Each property takes its number
// of runs, and a seed to replay a failure.
import fc from 'fast-check';
import { decodeBlock, encodeBlock, type BlockValue } from '../../../protocols/coap/block-option.js';
import { parseCoap, peekHeader, serializeCoap } from '../../../protocols/coap/coap-codec.js';
import type { CoapMessage, CoapOption, CoapType } from '../../../protocols/coap/coap-types.js';
import { formatLinkFormat, type Link, parseLinkFormat } from '../../../protocols/coap/link-format.js';
import { sameBytes, sameMessage } from './coap-test-helpers.js';

export interface CoapProperty {
  name: string;
  /** runs in the default test run */
  defaultRuns: number;
  check(runs: number, seed?: number): void;
}

// Deltas that sit on the encoding boundaries of RFC 7252 §3.1, so both sides of each are hit.
const boundaryDelta = fc.constantFrom(0, 1, 12, 13, 14, 267, 268, 269, 270, 1000, 65266, 65267, 65535);
const value = fc.oneof({ weight: 6, arbitrary: fc.uint8Array({ maxLength: 16 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) });

/** Options by delta: sorted by construction, repeats (delta 0) included, numbers kept <= 65535. */
const optionsByDelta = fc.array(fc.tuple(fc.oneof(boundaryDelta, fc.integer({ min: 0, max: 400 })), value), { maxLength: 10 }).map((pairs) => {
  const out: CoapOption[] = [];
  let n = 0;
  for (const [delta, v] of pairs) {
    if (n + delta > 0xffff) break;
    n += delta;
    out.push({ number: n, value: v });
  }
  return out;
});

/** Options with arbitrary numbers 0..65535, stably sorted the way they would go on the wire. */
const optionsByNumber = fc
  .array(fc.record({ number: fc.integer({ min: 0, max: 0xffff }), value }), { maxLength: 8 })
  .map((opts) => opts.sort((a, b) => a.number - b.number));

const payload = fc.oneof(
  { weight: 3, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 1100 }) },
);

/** Any message parse accepts: version 1, token 0-8, and an Empty message (0.00) really empty. */
export const wellFormedMessage: fc.Arbitrary<CoapMessage> = fc
  .record({
    type: fc.integer({ min: 0, max: 3 }),
    code: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 255 }) }),
    mid: fc.integer({ min: 0, max: 0xffff }),
    token: fc.uint8Array({ maxLength: 8 }),
    options: fc.oneof(optionsByDelta, optionsByNumber),
    payload,
  })
  .map(({ type, code, mid, token, options, payload: p }) => {
    const empty = code === 0;
    const nothing = new Uint8Array(0);
    return { version: 1, type: type as CoapType, code, mid, token: empty ? nothing : token, options: empty ? [] : options, payload: empty ? nothing : p };
  });

type Mutation = { op: 'set' | 'insert' | 'delete' | 'truncate'; at: number; byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({ op: fc.constantFrom('set', 'set', 'insert', 'delete', 'truncate'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

function mutate(bytes: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = Array.from(bytes);
  for (const { op, at, byte } of muts) {
    const i = b.length === 0 ? 0 : at % (b.length + (op === 'insert' ? 1 : 0));
    if (op === 'set' && b.length > 0) b[i] = byte;
    else if (op === 'insert') b.splice(i, 0, byte);
    else if (op === 'delete') b.splice(i, 1);
    else if (op === 'truncate') b = b.slice(0, i);
  }
  return Uint8Array.from(b);
}

const RULE = /^RFC 7252 §(3|3\.1|4\.1): /;

/** The datagram contract on any bytes: no throw, ok or malformed, and ok means exact round trip. */
function judgeBytes(bytes: Uint8Array): boolean {
  const r = parseCoap(bytes);
  if (r.kind === 'malformed') {
    if (!(r.offset >= 0 && r.offset <= bytes.length) || !RULE.test(r.rule)) throw new Error(`bad malformed result ${JSON.stringify(r)}`);
    return true;
  }
  if (r.kind !== 'ok') throw new Error(`a datagram codec answered ${r.kind}`);
  const h = peekHeader(bytes)!;
  if (r.consumed !== bytes.length || h.mid !== r.value.mid || h.code !== r.value.code || h.type !== r.value.type) throw new Error('header or consumed mismatch');
  return sameBytes(serializeCoap(r.value), bytes);
}

const assertProp = <T>(arb: fc.Arbitrary<T>, pred: (t: T) => boolean, runs: number, seed?: number): void =>
  fc.assert(fc.property(arb, pred), seed === undefined ? { numRuns: runs } : { numRuns: runs, seed });

const blockValue: fc.Arbitrary<BlockValue> = fc.record({ num: fc.integer({ min: 0, max: 0xfffff }), more: fc.boolean(), szx: fc.integer({ min: 0, max: 6 }) });

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const chars = (set: string, min: number, max: number) => fc.array(fc.constantFrom(...set), { minLength: min, maxLength: max }).map((a) => a.join(''));
const link: fc.Arbitrary<Link> = fc
  .record({
    target: chars(ALNUM + "/-._~:?#[]@!$&'()*+,;=", 0, 20),
    attrs: fc.array(fc.tuple(fc.constantFrom('rt', 'if', 'title', 'obs', 'sz', 'ct', 'x-ext'), chars(ALNUM + ' -."\\\\/é', 1, 12), fc.boolean()), { maxLength: 5 }),
  })
  .map(({ target, attrs }) => {
    const m = new Map<string, string[] | true>();
    for (const [name, raw, flag] of attrs) {
      if (name === 'obs' || (flag && name === 'x-ext')) {
        if (!m.has(name)) m.set(name, true);
        continue;
      }
      // values that satisfy each attribute's grammar
      const v = name === 'sz' ? String(raw.length) : name === 'ct' ? `${raw.length} 40` : name === 'rt' || name === 'if' ? raw.replace(/ +/g, ' ').trim() || 'x' : raw;
      const had = m.get(name);
      if (had === undefined || had === true) m.set(name, [v]);
      else had.push(v);
    }
    return { target, attrs: m };
  });

const sameLinks = (a: Link[], b: Link[]): boolean => JSON.stringify(a.map((l) => [l.target, [...l.attrs]])) === JSON.stringify(b.map((l) => [l.target, [...l.attrs]]));

export const COAP_PROPERTIES: readonly CoapProperty[] = [
  {
    name: 'parse(serialize(m)) = m for every well-formed message',
    defaultRuns: 50_000,
    check: (runs, seed) =>
      assertProp(wellFormedMessage, (m) => {
        const bytes = serializeCoap(m);
        const r = parseCoap(bytes);
        return r.kind === 'ok' && r.consumed === bytes.length && sameMessage(r.value, m);
      }, runs, seed),
  },
  {
    name: 'mutated valid messages: never throws, ok|malformed, and ok bytes serialize back exactly',
    defaultRuns: 80_000,
    check: (runs, seed) => assertProp(fc.tuple(wellFormedMessage, fc.array(mutation, { minLength: 1, maxLength: 4 })), ([m, muts]) => judgeBytes(mutate(serializeCoap(m), muts)), runs, seed),
  },
  {
    name: 'random bytes: never throws, ok|malformed, and ok bytes serialize back exactly',
    defaultRuns: 60_000,
    check: (runs, seed) =>
      assertProp(
        fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 48 })).map(([b0, rest]) => {
          // most first bytes say version 1 with a token length 0-8, so the options get exercised
          const bytes = new Uint8Array(rest.length + 1);
          bytes[0] = b0 < 224 ? 0x40 | (b0 & 0x30) | (b0 % 9) : b0;
          bytes.set(rest, 1);
          return bytes;
        }),
        judgeBytes,
        runs,
        seed,
      ),
  },
  {
    name: 'block option values: decode(encode(b)) = b',
    defaultRuns: 10_000,
    check: (runs, seed) =>
      assertProp(blockValue, (b) => {
        const r = decodeBlock(encodeBlock(b));
        return r.kind === 'ok' && r.value.num === b.num && r.value.more === b.more && r.value.szx === b.szx;
      }, runs, seed),
  },
  {
    name: 'link format: parse(format(links)) = links, and parse never throws on text',
    defaultRuns: 10_000,
    check: (runs, seed) =>
      assertProp(fc.tuple(fc.array(link, { maxLength: 4 }), fc.string({ maxLength: 40 })), ([links, junk]) => {
        const r = parseLinkFormat(formatLinkFormat(links));
        const j = parseLinkFormat(junk);
        return r.kind === 'ok' && sameLinks(r.value, links) && (j.kind === 'ok' || j.kind === 'malformed');
      }, runs, seed),
  },
];
