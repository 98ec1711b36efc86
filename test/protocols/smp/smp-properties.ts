// Properties of the SMP codecs (header + CBOR, console framing), shared by the default test run
// (smp-properties.test.ts) and any longer fuzz run. Each takes its number of runs, and a seed
// to replay a failure.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSmp, encodeSmp, type SmpMessage, type SmpOp, type SmpVersionBits } from '../../../protocols/smp/smp-header.js';
import { encodeSmpSerial, encodeSmpSerialFrames, SmpSerialDecoder } from '../../../protocols/smp/smp-serial-codec.js';
import { concat, cutsOf, decodeChunked, normalize, packets } from './smp-fixtures.js';

export interface SmpProperty {
  name: string;
  defaultRuns: number;
  check(runs: number, seed?: number): void;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const run = <T extends unknown[]>(prop: fc.IProperty<T>, runs: number, seed?: number): void => fc.assert(prop, seed === undefined ? { numRuns: runs } : { numRuns: runs, seed });

/** CBOR values SMP bodies carry: text, integers (to 2^53), booleans, null, byte strings, arrays and maps. */
const { cborValue } = fc.letrec((tie) => ({
  cborValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 80, size: 'medium' }),
    fc.array(tie('cborValue'), { maxLength: 4 }),
    tie('cborMap'),
  ),
  // cbor-x renames a "__proto__" key when decoding (against prototype pollution): leave it out
  cborMap: fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'), tie('cborValue'), { maxKeys: 5, noNullPrototype: true }),
}));
const body = fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'), cborValue, { maxKeys: 6, noNullPrototype: true });

export const smpMessageArb: fc.Arbitrary<SmpMessage> = fc.record(
  {
  op: fc.integer({ min: 0, max: 3 }).map((n) => n as SmpOp),
  version: fc.integer({ min: 0, max: 3 }).map((n) => n as SmpVersionBits),
  flags: fc.integer({ min: 0, max: 255 }),
  group: fc.oneof(fc.constantFrom(0, 1, 2, 3, 8, 9, 63), fc.integer({ min: 0, max: 63 })),
  seq: fc.integer({ min: 0, max: 255 }),
  id: fc.integer({ min: 0, max: 255 }),
  body,
  },
  { noNullPrototype: true },
);

/** Console text: any bytes but the two that open frame markers (no console prints 0x04 or 0x06). */
const consoleText = fc.uint8Array({ minLength: 1, maxLength: 120, size: 'max' }).map((b) => b.map((x) => (x === 0x04 || x === 0x06 ? 0x2e : x)));

type Sent = { kind: 'text'; bytes: Uint8Array } | { kind: 'message'; bytes: Uint8Array };
const sentArb: fc.Arbitrary<Sent> = fc.oneof(
  consoleText.map((bytes): Sent => ({ kind: 'text', bytes })),
  fc.uint8Array({ maxLength: 400, size: 'max' }).map((bytes): Sent => ({ kind: 'message', bytes })),
);

/** What the decoder should report for a stream of sent items: text merged, each message a packet. */
function expected(items: readonly Sent[]): string[] {
  const out: string[] = [];
  let text = '';
  for (const s of items) {
    if (s.kind === 'text') {
      text += hex(s.bytes);
      continue;
    }
    if (text) out.push(`text ${text}`);
    text = '';
    out.push(`packet ${hex(s.bytes)}`);
  }
  if (text) out.push(`text ${text}`);
  return out;
}

/** Random bytes with what matters to the framing over-represented: markers, newlines, base64, '='. */
const noisyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400, size: 'max' }),
  fc
    .array(fc.oneof(fc.constantFrom(0x04, 0x14, 0x06, 0x09, 0x0a, 0x0d, 0x3d, 0x41, 0x42, 0x2b, 0x2f, 0x67), fc.integer({ min: 0, max: 255 })), { maxLength: 400, size: 'max' })
    .map((a) => Uint8Array.from(a)),
  fc.array(fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 300, size: 'max' }).map((m) => encodeSmpSerial(m))), { maxLength: 6, size: 'max' }).map((parts) => concat(parts)),
);

export const SMP_PROPERTIES: readonly SmpProperty[] = [
  {
    name: 'any SMP message survives encodeSmp -> decodeSmp',
    defaultRuns: 2000,
    check: (runs, seed) =>
      run(
        fc.property(smpMessageArb, (m) => {
          const r = decodeSmp(encodeSmp(m));
          assert.equal(r.kind, 'ok');
          if (r.kind !== 'ok') return;
          const { data: _data, reserved, ...got } = r.value;
          assert.equal(reserved, 0);
          assert.deepEqual(got, m);
        }),
        runs,
        seed,
      ),
  },
  {
    name: 'decodeSmp never throws on arbitrary bytes, whole or streamed, and consumes within bounds',
    defaultRuns: 3000,
    check: (runs, seed) =>
      run(
        fc.property(fc.uint8Array({ maxLength: 80, size: 'max' }), (b) => {
          for (const mode of ['whole', 'stream'] as const) {
            const r = decodeSmp(b, { mode });
            if (r.kind === 'ok') assert.ok(r.consumed >= 8 && r.consumed <= b.length);
            if (r.kind === 'malformed') assert.ok(r.offset >= 0 && r.offset <= b.length);
            if (r.kind === 'incomplete') assert.equal(mode, 'stream');
          }
        }),
        runs,
        seed,
      ),
  },
  {
    name: 'any message -> frame lines (any line limit) -> decoder = that message, every line within the limit',
    defaultRuns: 1500,
    check: (runs, seed) =>
      run(
        fc.property(fc.uint8Array({ maxLength: 700, size: 'max' }), fc.integer({ min: 7, max: 300 }), (msg, maxFrame) => {
          const lines = encodeSmpSerialFrames(msg, { maxFrame });
          lines.forEach((l, i) => {
            assert.ok(l.length <= maxFrame, `line ${i}: ${l.length} > ${maxFrame}`);
            assert.deepEqual([...l.subarray(0, 2)], i === 0 ? [0x06, 0x09] : [0x04, 0x14]);
            assert.equal(l.indexOf(0x0a), l.length - 1);
          });
          const items = decodeChunked(concat(lines), []);
          assert.deepEqual(normalize(items), [`packet ${hex(msg)}`]);
          const p = items[0]!;
          assert.ok(p.kind === 'packet' && p.frames === lines.length && p.longestLine === Math.max(...lines.map((l) => l.length)));
        }),
        runs,
        seed,
      ),
  },
  {
    name: 'SMP messages framed in the old length form (message only) decode to the same messages',
    defaultRuns: 800,
    check: (runs, seed) =>
      run(
        fc.property(smpMessageArb, fc.integer({ min: 7, max: 200 }), (m, maxFrame) => {
          const msg = encodeSmp(m);
          const items = decodeChunked(encodeSmpSerial(msg, { lengthExcludesCrc: true, maxFrame }), []);
          assert.deepEqual(packets(items).map(hex), [hex(msg)]);
          assert.ok(items.every((i) => i.kind === 'packet' && i.lengthExcludesCrc));
        }),
        runs,
        seed,
      ),
  },
  {
    name: 'console text and packets interleaved read back the same however the port cut the stream',
    defaultRuns: 800,
    check: (runs, seed) =>
      run(
        fc.property(fc.array(sentArb, { maxLength: 10, size: 'max' }), fc.array(fc.nat(), { maxLength: 30, size: 'max' }), (items, raw) => {
          const wire = concat(items.map((s) => (s.kind === 'text' ? s.bytes : encodeSmpSerial(s.bytes))));
          assert.deepEqual(normalize(decodeChunked(wire, cutsOf(wire.length, raw))), expected(items));
        }),
        runs,
        seed,
      ),
  },
  {
    name: 'random bytes never throw, every byte is accounted for, and chunking changes nothing',
    defaultRuns: 1500,
    check: (runs, seed) =>
      run(
        fc.property(noisyBytes, fc.array(fc.nat(), { maxLength: 30, size: 'max' }), fc.integer({ min: 7, max: 200 }), (bytes, raw, maxLine) => {
          const dec = new SmpSerialDecoder({ maxLine });
          const chunked = decodeChunked(bytes, cutsOf(bytes.length, raw), dec);
          assert.equal(dec.pending, 0);
          assert.equal(dec.stats.textBytes + dec.stats.frameBytes, bytes.length);
          assert.deepEqual(normalize(chunked), normalize(decodeChunked(bytes, [], new SmpSerialDecoder({ maxLine }))));
        }),
        runs,
        seed,
      ),
  },
];
