import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ConsoleLine, decodeAll, decodeLine, flushLine } from '../../protocols/console/line-codec.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const texts = (ls: ConsoleLine[]): string[] => ls.map((l) => l.text);
const ENDING_BYTES: Record<ConsoleLine['ending'], number[]> = { lf: [0x0a], crlf: [0x0d, 0x0a], cr: [0x0d], cut: [], flush: [] };

/** Feed `chunks` the way the protocol handler does (append, decode until incomplete), flush at the end. */
function decodeChunked(chunks: Uint8Array[], maxLine?: number): ConsoleLine[] {
  const out: ConsoleLine[] = [];
  let held = new Uint8Array(0);
  for (const chunk of chunks) {
    const next = new Uint8Array(held.length + chunk.length);
    next.set(held);
    next.set(chunk, held.length);
    held = next;
    for (;;) {
      const r = decodeLine(held, { maxLine });
      if (r.kind === 'incomplete') break;
      out.push(r.line);
      held = held.subarray(r.consumed);
    }
  }
  const f = flushLine(held);
  if (f) out.push(f.line);
  return out;
}

/** Cut `b` at the given fractions into chunks (some possibly empty). */
function chunk(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * (b.length + 1))))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const a of at) {
    out.push(b.subarray(prev, Math.min(a, b.length)));
    prev = Math.min(a, b.length);
  }
  out.push(b.subarray(prev));
  return out;
}

// bytes rich in line ends, UTF-8 pieces and invalid bytes
const consoleByte = fc.oneof(
  fc.constantFrom(0x0a, 0x0d, 0x41, 0x20, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x00, 0x1b),
  fc.integer({ min: 0, max: 255 }),
);
const stream = fc.array(consoleByte, { maxLength: 300 }).map((a) => new Uint8Array(a));

describe('console line codec', () => {
  it('ends lines at \\n, \\r\\n and a lone \\r, with "\\r\\n" as one end', () => {
    const { lines, rest } = decodeAll(bytes('one\ntwo\r\nthree\rfour\n\n'));
    assert.deepEqual(texts(lines), ['one', 'two', 'three', 'four', '']);
    assert.deepEqual(lines.map((l) => l.ending), ['lf', 'crlf', 'cr', 'lf', 'lf']);
    assert.equal(rest.length, 0);
  });

  it('waits on a trailing \\r, since the \\n of \\r\\n may be in the next chunk', () => {
    assert.deepEqual(decodeLine(bytes('abc\r')), { kind: 'incomplete' });
    const r = decodeLine(bytes('abc\r\n'));
    assert.equal(r.kind === 'ok' && r.consumed, 5);
  });

  it('reports incomplete for a partial line and consumes nothing', () => {
    assert.deepEqual(decodeLine(bytes('uart:~$ ')), { kind: 'incomplete' });
    assert.deepEqual(decodeLine(new Uint8Array(0)), { kind: 'incomplete' });
  });

  it('flushes a partial line (a prompt) as a line, taking a trailing \\r as its end', () => {
    const f = flushLine(bytes('uart:~$ '));
    assert.equal(f?.line.text, 'uart:~$ ');
    assert.equal(f?.line.ending, 'flush');
    assert.equal(f?.consumed, 8);
    assert.equal(flushLine(bytes('50%\r'))?.line.ending, 'cr');
    assert.equal(flushLine(new Uint8Array(0)), undefined);
  });

  it('cuts a line longer than maxLine, flagged, and keeps the rest for the next line', () => {
    const { lines, rest } = decodeAll(bytes('abcdefghij\n'), { maxLine: 4 });
    assert.deepEqual(texts(lines), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(lines.map((l) => l.ending), ['cut', 'cut', 'lf']);
    assert.equal(rest.length, 0);
    // a line of exactly maxLine bytes is not cut
    assert.deepEqual(decodeAll(bytes('abcd\n'), { maxLine: 4 }).lines.map((l) => l.ending), ['lf']);
  });

  it('does not cut inside a UTF-8 character', () => {
    // "ab€" is 61 62 e2 82 ac: a cut at 4 would split the euro sign
    const { lines } = decodeAll(bytes('ab€c\n'), { maxLine: 4 });
    assert.deepEqual(texts(lines), ['ab', '€c']);
    assert.deepEqual(lines.map((l) => l.ending), ['cut', 'lf']);
    assert.ok(lines.every((l) => l.valid));
  });

  it('keeps invalid UTF-8 raw in bytes, visible as U+FFFD in text, and says so', () => {
    const raw = new Uint8Array([0x6f, 0x6b, 0xff, 0xfe, 0x21, 0x0a]);
    const r = decodeLine(raw);
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.equal(r.line.valid, false);
    assert.equal(r.line.text, 'ok\uFFFD\uFFFD!');
    assert.deepEqual([...r.line.bytes], [0x6f, 0x6b, 0xff, 0xfe, 0x21]);
  });

  it('keeps a byte-order mark and a literal U+FFFD as text, and calls them valid', () => {
    const r = decodeLine(bytes('\uFEFFboot \uFFFD\n'));
    assert.equal(r.kind === 'ok' && r.line.text, '\uFEFFboot \uFFFD');
    assert.equal(r.kind === 'ok' && r.line.valid, true);
  });

  it('returns lines that do not alias the input buffer', () => {
    const buf = bytes('abc\n');
    const r = decodeLine(buf);
    buf.fill(0x7a);
    assert.equal(r.kind === 'ok' && Buffer.from(r.line.bytes).toString(), 'abc');
  });

  it('yields the same lines for any chunking of the same bytes', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (b, cuts, maxLine) => {
        const whole = decodeChunked([b], maxLine);
        const pieces = decodeChunked(chunk(b, cuts), maxLine);
        assert.deepEqual(pieces, whole);
        const bytewise = decodeChunked([...b].map((x) => new Uint8Array([x])), maxLine);
        assert.deepEqual(bytewise, whole);
      }),
      { numRuns: 400 },
    );
  });

  it('loses no byte: the lines and their endings put back together are the input', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 40 }), (b, maxLine) => {
        const back = decodeChunked([b], maxLine).flatMap((l) => [...l.bytes, ...ENDING_BYTES[l.ending]]);
        assert.deepEqual(back, [...b]);
      }),
      { numRuns: 400 },
    );
  });
});
