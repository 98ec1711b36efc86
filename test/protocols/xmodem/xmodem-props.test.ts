// fast-check properties of the XMODEM codec: random bytes into every decoder never throw and
// always answer well-formed results; what the encoder makes decodes back; every single-bit
// error after the first byte of a block is caught; YMODEM block 0 round-trips.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Decoded } from '../../../rig/engine/codec.js';
import {
  ACK,
  type BlockCheck,
  CAN,
  decodeBlock,
  decodeReceiverSignal,
  decodeSenderFrame,
  decodeYmodemHeader,
  encodeBlock,
  encodeYmodemHeader,
  EOT,
  NAK,
  SOH,
  STX,
} from '../../../protocols/xmodem/xmodem-codec.js';

/** Random bytes with the bytes that matter to the decoders over-represented. */
const noisyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 1200 }),
  fc.array(fc.oneof(fc.constantFrom(SOH, STX, EOT, ACK, NAK, CAN, 0x43, 0x00, 0xff), fc.integer({ min: 0, max: 255 })), { maxLength: 1200 }).map((a) => Uint8Array.from(a)),
);
const checkArb = fc.constantFrom<BlockCheck>('crc', 'checksum');
const sizeArb = fc.constantFrom<128 | 1024>(128, 1024);

/** A decoder's answer is one of the three kinds, with sane numbers. */
function wellFormed<T>(r: Decoded<T>, len: number): void {
  if (r.kind === 'ok') assert.ok(r.consumed >= 1 && r.consumed <= len, `consumed ${r.consumed} of ${len}`);
  else if (r.kind === 'malformed') {
    assert.ok(r.offset >= 0 && r.offset <= len && r.rule.length > 0);
    if (r.skip !== undefined) assert.ok(r.skip >= 1);
  } else assert.equal(r.kind, 'incomplete');
}

describe('xmodem codec properties', () => {
  it('random bytes into every decoder never throw and give well-formed answers', () => {
    fc.assert(
      fc.property(noisyBytes, checkArb, sizeArb, (bytes, check, maxSize) => {
        wellFormed(decodeBlock(bytes, { check, maxSize }), bytes.length);
        wellFormed(decodeSenderFrame(bytes, { check, maxSize }), bytes.length);
        wellFormed(decodeReceiverSignal(bytes), bytes.length);
        const h = decodeYmodemHeader(bytes);
        if (h.kind === 'ok') assert.equal(h.consumed, bytes.length);
        else assert.equal(h.kind, 'malformed');
      }),
      { numRuns: 1000 },
    );
  });

  it('reading receiver bytes always moves on: all is consumed but a trailing lone CAN', () => {
    fc.assert(
      fc.property(noisyBytes, (bytes) => {
        let off = 0;
        for (;;) {
          const r = decodeReceiverSignal(bytes.subarray(off));
          if (r.kind !== 'ok') break;
          off += r.consumed;
        }
        const rest = bytes.length - off;
        assert.ok(rest === 0 || (rest === 1 && bytes[off] === CAN), `stuck with ${rest} bytes left`);
      }),
      { numRuns: 500 },
    );
  });

  it('a block decodes to what was encoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), fc.nat(100_000), checkArb, (data, n, check) => {
        const size = data.length > 128 ? 1024 : 128;
        const r = decodeBlock(encodeBlock(n, data, { size, check }), { check });
        assert.ok(r.kind === 'ok');
        assert.equal(r.value.number, n % 256);
        assert.deepEqual(r.value.payload.subarray(0, data.length), data);
      }),
      { numRuns: 300 },
    );
  });

  it('every single-bit error after the first byte of a block is caught', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), fc.nat(255), checkArb, fc.nat(), fc.nat(7), (data, n, check, at, bit) => {
        const wire = encodeBlock(n, data, { size: 128, check });
        const i = 1 + (at % (wire.length - 1));
        wire[i]! ^= 1 << bit;
        assert.equal(decodeBlock(wire, { check }).kind, 'malformed', `bit ${bit} of byte ${i}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('YMODEM block 0 round-trips name, size, mtime and mode', () => {
    const name = fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(name, fc.nat(2 ** 40), fc.nat(2 ** 33), fc.nat(0o177777), (n, size, mtime, mode) => {
        const b = decodeBlock(encodeYmodemHeader({ name: n, size, mtime, mode }));
        assert.ok(b.kind === 'ok');
        const h = decodeYmodemHeader(b.value.payload);
        assert.ok(h.kind === 'ok');
        assert.deepEqual(h.value, { name: n, size, mtime, mode });
      }),
      { numRuns: 300 },
    );
  });
});
