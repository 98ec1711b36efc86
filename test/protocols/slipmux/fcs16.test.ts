// The RFC 1662 16-bit FCS that slipmux puts on CoAP frames, against vectors with a source:
// the CRC catalogue's check value for CRC-16/X-25 (the same algorithm: poly 0x1021 reflected,
// init and final XOR 0xFFFF), RFC 1662's "good FCS" residue, and the vectors of an independent
// slipmux implementation (the Rust `slipmux` crate, src/checksum.rs, which the draft's
// implementation report mentions interoperating with aiocoap).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendFcs16, checkFcs16, fcs16, fcs16Update, FCS16_GOOD, FCS16_INIT } from '../../../protocols/slipmux/fcs16.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('FCS-16 (RFC 1662 Appendix C.2)', () => {
  it('gives the CRC-16/X-25 check value 0x906E for "123456789"', () => {
    assert.equal(fcs16(ascii('123456789')), 0x906e);
  });

  it('gives the FCS of the empty input as the complemented initial value', () => {
    assert.equal(fcs16(new Uint8Array(0)), 0x0000);
    assert.equal(FCS16_INIT, 0xffff);
  });

  it('matches the Rust slipmux crate vectors, including a whole CoAP frame', () => {
    assert.equal(fcs16(Uint8Array.of(0x00, 0x01, 0x02, 0x03)), 0xa729);
    // 0xA9 followed by a CoAP message (ACK 2.05 ...): FCS 0x4AFD, sent FD 4A
    const frame = Uint8Array.of(0xa9, 0x62, 0x84, 0x86, 0xae, 0x02, 0x00);
    assert.equal(fcs16(frame), 0x4afd);
    assert.deepEqual([...appendFcs16(frame).subarray(-2)], [0xfd, 0x4a]);
    // the register after the 0xA9 initial byte alone: RIOT and the Rust crate start from it
    assert.equal(fcs16Update(FCS16_INIT, Uint8Array.of(0xa9)), 0x374c);
  });

  it('appends least significant byte first, and data plus FCS leaves the good residue 0xF0B8', () => {
    const withFcs = appendFcs16(ascii('123456789'));
    assert.deepEqual([...withFcs.subarray(-2)], [0x6e, 0x90]);
    assert.equal(fcs16Update(FCS16_INIT, withFcs), FCS16_GOOD);
    assert.equal(FCS16_GOOD, 0xf0b8);
    assert.ok(checkFcs16(withFcs));
  });

  it('has the good residue for any data, and catches every single-bit error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.nat(), (data, bitSeed) => {
        const framed = appendFcs16(data);
        assert.ok(checkFcs16(framed));
        const bit = bitSeed % (framed.length * 8);
        const bad = framed.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        assert.equal(checkFcs16(bad), false);
      }),
    );
  });

  it('does not accept input too short to hold an FCS', () => {
    assert.equal(checkFcs16(Uint8Array.of(0xb8)), false);
    assert.equal(checkFcs16(new Uint8Array(0)), false);
  });
});
