// RFC 1055 SLIP: encoding vectors, escaping, and the streaming decoder's answers (ok, skipped
// empty frames, malformed with a skip, incomplete), then properties over random payloads.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC, slipDecode, slipEncode } from '../../../protocols/slip/slip-codec.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

describe('SLIP (RFC 1055)', () => {
  describe('slipEncode', () => {
    it('uses the RFC 1055 byte values', () => {
      assert.deepEqual([SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC], [0o300, 0o333, 0o334, 0o335]);
    });

    it('frames with END on both sides, END first as RFC 1055 suggests against line noise', () => {
      assert.equal(hex(slipEncode(b(0x01, 0x02, 0x03))), 'c0010203c0');
      assert.equal(hex(slipEncode(b(0x01), { leadingEnd: false })), '01c0');
      assert.equal(hex(slipEncode(b())), 'c0c0');
    });

    it('escapes END as ESC ESC_END and ESC as ESC ESC_ESC, and nothing else', () => {
      assert.equal(hex(slipEncode(b(0xc0))), 'c0dbdcc0');
      assert.equal(hex(slipEncode(b(0xdb))), 'c0dbddc0');
      // the escape codes themselves travel as they are
      assert.equal(hex(slipEncode(b(0xdc, 0xdd, 0xdb, 0xc0, 0x00))), 'c0dcdddbdddbdc00c0');
    });
  });

  describe('slipDecode', () => {
    it('decodes a frame and consumes its END (and the leading one)', () => {
      assert.deepEqual(slipDecode(b(0xc0, 0x01, 0xdb, 0xdc, 0xdb, 0xdd, 0x02, 0xc0, 0x99)), {
        kind: 'ok',
        value: b(0x01, 0xc0, 0xdb, 0x02),
        consumed: 8,
      });
      assert.deepEqual(slipDecode(b(0x05, 0xc0)), { kind: 'ok', value: b(0x05), consumed: 2 });
    });

    it('skips empty frames (back-to-back ENDs)', () => {
      assert.deepEqual(slipDecode(b(0xc0, 0xc0, 0xc0, 0x07, 0xc0)), { kind: 'ok', value: b(0x07), consumed: 5 });
    });

    it('is incomplete without the terminating END, or with nothing but ENDs', () => {
      assert.equal(slipDecode(b()).kind, 'incomplete');
      assert.equal(slipDecode(b(0xc0, 0xc0)).kind, 'incomplete');
      assert.equal(slipDecode(b(0xc0, 0x01, 0x02)).kind, 'incomplete');
      // an ESC at the end: its meaning comes with the next byte
      assert.equal(slipDecode(b(0xc0, 0x01, 0xdb)).kind, 'incomplete');
    });

    it('reports ESC followed by another byte as malformed, skipping past the frame', () => {
      const r = slipDecode(b(0xc0, 0x01, 0xdb, 0x41, 0x02, 0xc0, 0x03, 0xc0));
      assert.equal(r.kind, 'malformed');
      if (r.kind !== 'malformed') return;
      assert.equal(r.offset, 3);
      assert.equal(r.skip, 6);
      assert.match(r.rule, /RFC 1055/);
      // after the skip the next frame decodes
      assert.deepEqual(slipDecode(b(0x03, 0xc0)), { kind: 'ok', value: b(0x03), consumed: 2 });
    });

    it('reports ESC END (a slipmux frame abort) as malformed past that END', () => {
      const r = slipDecode(b(0xc0, 0x01, 0xdb, 0xc0, 0x02, 0xc0));
      assert.equal(r.kind, 'malformed');
      if (r.kind === 'malformed') assert.equal(r.skip, 4);
    });

    it('reports an over-long frame as malformed, skipping past its END or what was scanned', () => {
      const whole = slipDecode(b(0xc0, 1, 2, 3, 4, 5, 0xc0, 9, 0xc0), 4);
      assert.equal(whole.kind, 'malformed');
      if (whole.kind === 'malformed') assert.equal(whole.skip, 7);
      const cut = slipDecode(b(0xc0, 1, 2, 3, 4, 5, 6), 4);
      assert.equal(cut.kind, 'malformed');
      if (cut.kind === 'malformed') assert.equal(cut.skip, 7);
      // exactly the limit is fine
      assert.deepEqual(slipDecode(b(1, 2, 3, 4, 0xc0), 4), { kind: 'ok', value: b(1, 2, 3, 4), consumed: 5 });
      // the limit counts unescaped bytes: 4 escaped ENDs are 8 bytes on the wire
      assert.equal(slipDecode(slipEncode(b(0xc0, 0xc0, 0xc0, 0xc0)), 4).kind, 'ok');
    });
  });

  describe('properties', () => {
    const payload = fc.uint8Array({ minLength: 1, maxLength: 300 });

    it('decode(encode(p)) = p, with or without the leading END', () => {
      fc.assert(
        fc.property(payload, fc.boolean(), (p, lead) => {
          const wire = slipEncode(p, { leadingEnd: lead });
          assert.deepEqual(slipDecode(wire, 300), { kind: 'ok', value: p, consumed: wire.length });
        }),
      );
    });

    it('a stream of encoded frames decodes to the same frames, in order', () => {
      fc.assert(
        fc.property(fc.array(payload, { maxLength: 10 }), (frames) => {
          const wire = Buffer.concat(frames.map((p) => slipEncode(p)));
          const out: Uint8Array[] = [];
          let off = 0;
          for (;;) {
            const r = slipDecode(wire.subarray(off), 300);
            if (r.kind !== 'ok') break;
            out.push(r.value);
            off += r.consumed;
          }
          assert.deepEqual(out.map(hex), frames.map(hex));
        }),
      );
    });

    it('random bytes never throw, and every answer makes progress', () => {
      const bytes = fc.uint8Array({ maxLength: 200, size: 'max' });
      const special = fc.array(fc.constantFrom(0xc0, 0xdb, 0xdc, 0xdd, 0x00, 0x41), { maxLength: 200, size: 'max' }).map((a) => Uint8Array.from(a));
      fc.assert(
        fc.property(fc.oneof(bytes, special), fc.integer({ min: 1, max: 64 }), (data, max) => {
          let off = 0;
          for (let guard = 0; guard <= data.length + 1; guard++) {
            const r = slipDecode(data.subarray(off), max);
            if (r.kind === 'incomplete') return;
            const n = r.kind === 'ok' ? r.consumed : (r.skip ?? 0);
            assert.ok(n > 0 && off + n <= data.length, `progress: ${r.kind} of ${n} at ${off}/${data.length}`);
            off += n;
          }
          assert.fail('the decoder did not finish within one answer per byte');
        }),
      );
    });
  });
});
