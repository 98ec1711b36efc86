// fast-check properties of the slipmux splitter: a line of mixed items reads back as those
// items, however the serial driver cut it into reads; random bytes never throw and never stall.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSlipmuxStream } from '../../../protocols/slipmux/slipmux-codec.js';
import { cutsOf, expectedOf, normalize, PROP_MAX, readChunked, type Sent, sentArb, wireOf } from './slipmux-fixtures.js';

const whole = (wire: Uint8Array): ReturnType<typeof normalize> => normalize(decodeSlipmuxStream(wire, { maxFrame: PROP_MAX, idle: true }).entries);
const wireOfAll = (items: readonly Sent[]): Uint8Array => Buffer.concat(items.map(wireOf));

/** Random bytes with the bytes that matter to the splitter over-represented. */
const noisyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300, size: 'max' }),
  fc
    .array(fc.oneof(fc.constantFrom(0xc0, 0xdb, 0xdc, 0xdd, 0xa9, 0x0a, 0x45, 0x60, 0x6d, 0xe2, 0x82), fc.integer({ min: 0, max: 255 })), { maxLength: 300, size: 'max' })
    .map((a) => Uint8Array.from(a)),
);

describe('slipmux codec properties', () => {
  it('a line of mixed items reads back as those items', () => {
    fc.assert(
      fc.property(fc.array(sentArb, { maxLength: 12 }), (items) => {
        assert.deepEqual(
          normalize(decodeSlipmuxStream(wireOfAll(items), { maxFrame: PROP_MAX, idle: true }).entries, false),
          mergeText(items.flatMap(expectedOf)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('frames sharing their ENDs (RIOT style) read back as those frames', () => {
    const frames = sentArb.filter((s) => s.kind !== 'text');
    fc.assert(
      fc.property(fc.array(frames, { maxLength: 12 }), (items) => {
        const wire = Buffer.concat([Uint8Array.of(0xc0), ...items.map((s) => wireOf(s).subarray(1))]);
        assert.deepEqual(normalize(decodeSlipmuxStream(wire, { maxFrame: PROP_MAX, idle: true }).entries, false), items.flatMap(expectedOf));
      }),
      { numRuns: 300 },
    );
  });

  it('any chunking of an encoded line reads as the whole line does', () => {
    fc.assert(
      fc.property(fc.array(sentArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (items, raw) => {
        const wire = wireOfAll(items);
        const chunked = normalize(readChunked(wire, cutsOf(wire.length, raw)));
        assert.deepEqual(chunked, whole(wire));
      }),
      { numRuns: 300 },
    );
  });

  it('byte-at-a-time reading reads as the whole line does', () => {
    fc.assert(
      fc.property(fc.array(sentArb, { maxLength: 6 }), (items) => {
        const wire = wireOfAll(items);
        const cuts = Array.from({ length: wire.length }, (_, i) => i);
        assert.deepEqual(normalize(readChunked(wire, cuts)), whole(wire));
      }),
      { numRuns: 100 },
    );
  });

  it('random bytes never throw, always make progress, and read the same however chunked', () => {
    fc.assert(
      fc.property(noisyBytes, fc.array(fc.nat(), { maxLength: 40 }), fc.integer({ min: 4, max: 80 }), (bytes, raw, max) => {
        // readChunked asserts progress on every answer and bounds the number of answers
        const chunked = normalize(readChunked(bytes, cutsOf(bytes.length, raw), max));
        const all = normalize(decodeSlipmuxStream(bytes, { maxFrame: max, idle: true }).entries);
        assert.deepEqual(chunked, all);
      }),
      { numRuns: 1000 },
    );
  });
});

/** Adjacent text items of the model are one text run on the line. */
function mergeText(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const prev = out[out.length - 1];
    if (prev?.startsWith('text:') && l.startsWith('text:')) out[out.length - 1] = prev + l.slice(5);
    else out.push(l);
  }
  return out;
}
