import assert from 'node:assert/strict';
import { parseCoap, peekHeader, resetFor, serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { ascii, assertMalformed, assertOk, hex, message, opt, toHex } from './coap-test-helpers.js';

describe('CoAP codec: known vectors (hand-computed from RFC 7252 §3)', () => {
  it('GET CON, MID 0x1234, token ab cd, Uri-Path "test"', () => {
    // 0x42: Ver 1, T CON, TKL 2 | 0x01 GET | MID | token | 0xb4: delta 11 (Uri-Path), length 4
    const bytes = hex('42 01 12 34 ab cd b4 74 65 73 74');
    const { value, consumed } = assertOk(parseCoap(bytes));
    assert.equal(consumed, 11);
    assert.deepEqual(
      { ...value, token: toHex(value.token), options: value.options.map((o) => [o.number, toHex(o.value)]), payload: toHex(value.payload) },
      { version: 1, type: CoapType.CON, code: CoapCode.GET, mid: 0x1234, token: 'abcd', options: [[11, '74657374']], payload: '' },
    );
    const built = message({ type: CoapType.CON, code: CoapCode.GET, mid: 0x1234, token: hex('ab cd'), options: [opt(11, 'test')] });
    assert.equal(toHex(serializeCoap(built)), toHex(bytes));
  });

  it('2.05 piggybacked ACK with Content-Format 0 (zero-length uint) and a payload', () => {
    // 0x61: ACK, TKL 1 | 0x45 2.05 | 0xc0: delta 12 (Content-Format), length 0 | ff | "22.5 C"
    const bytes = hex('61 45 be ef 7a c0 ff 32 32 2e 35 20 43');
    const { value } = assertOk(parseCoap(bytes));
    assert.equal(value.type, CoapType.ACK);
    assert.equal(value.code, CoapCode.CONTENT);
    assert.deepEqual(value.options.map((o) => [o.number, o.value.length]), [[12, 0]]);
    assert.equal(new TextDecoder().decode(value.payload), '22.5 C');
    assert.equal(toHex(serializeCoap(value)), toHex(bytes));
  });

  it('Empty messages: ACK, RST, and the CoAP ping (an Empty CON)', () => {
    for (const [h, type] of [['60 00 12 34', CoapType.ACK], ['70 00 12 34', CoapType.RST], ['40 00 12 34', CoapType.CON]] as const) {
      const { value } = assertOk(parseCoap(hex(h)));
      assert.equal(value.type, type);
      assert.equal(value.code, 0);
      assert.equal(value.options.length + value.token.length + value.payload.length, 0);
      assert.equal(toHex(serializeCoap(value)), h.replace(/ /g, ''));
    }
  });

  it('repeated options keep their order: Uri-Path a/b/c', () => {
    const bytes = hex('50 01 00 01 b1 61 01 62 01 63');
    const { value } = assertOk(parseCoap(bytes));
    assert.deepEqual(value.options.map((o) => [o.number, new TextDecoder().decode(o.value)]), [[11, 'a'], [11, 'b'], [11, 'c']]);
  });

  it('the parsed fields view the input buffer (no copies)', () => {
    const bytes = hex('42 01 12 34 ab cd b4 74 65 73 74 ff 01 02');
    const { value } = assertOk(parseCoap(bytes));
    for (const v of [value.token, value.options[0]!.value, value.payload]) assert.equal(v.buffer, bytes.buffer);
    assert.equal(value.payload.byteOffset, 12);
  });

  it('what is not a format error parses: reserved code classes, unknown critical options, bad option values', () => {
    assert.equal(assertOk(parseCoap(hex('40 20 00 01'))).value.code, 0x20); // 1.00: reserved class
    assert.equal(assertOk(parseCoap(hex('40 e0 00 01'))).value.code, 0xe0); // 7.00 on UDP
    // option 65001 (critical, unknown) with a 1-byte value
    assert.deepEqual(assertOk(parseCoap(hex('40 01 00 01 e1 fc dc 07'))).value.options.map((o) => o.number), [65001]);
    // Uri-Host (needs 1-255 bytes) with 0 bytes, If-None-Match with a value: §5.4.3, judged apart
    assert.deepEqual(assertOk(parseCoap(hex('40 01 00 01 30 21 00'))).value.options.map((o) => o.number), [3, 5]);
  });
});

describe('CoAP codec: format errors (one rule each, with offset)', () => {
  it('fewer than 4 bytes: not a message (§3)', () => {
    assertMalformed(parseCoap(hex('40 01 00')), 3, 'RFC 7252 §3: a message starts with a 4-byte header; got 3 bytes');
    assertMalformed(parseCoap(new Uint8Array(0)), 0, 'RFC 7252 §3: a message starts with a 4-byte header; got 0 bytes');
  });

  it('a version other than 1 is to be silently ignored (§3)', () => {
    for (const [b0, v] of [[0x00, 0], [0x80, 2], [0xc0, 3]] as const) {
      const bytes = Uint8Array.of(b0, 0x01, 0xbe, 0xef);
      assertMalformed(parseCoap(bytes), 0, `RFC 7252 §3: unknown version ${v}; must be silently ignored`);
      assert.deepEqual(peekHeader(bytes), { version: v, type: 0, tokenLength: 0, code: 1, mid: 0xbeef });
    }
  });

  it('token lengths 9-15 are reserved (§3)', () => {
    for (let tkl = 9; tkl <= 15; tkl++) {
      const bytes = new Uint8Array(4 + tkl);
      bytes[0] = 0x40 | tkl;
      bytes[1] = 1;
      assertMalformed(parseCoap(bytes), 0, `RFC 7252 §3: token length ${tkl} is reserved (9-15); message format error`);
    }
  });

  it('a token running past the end (§3)', () => {
    assertMalformed(parseCoap(hex('48 01 00 01 aa bb cc')), 0, 'RFC 7252 §3: token length 8 runs past the end of the 7-byte message');
  });

  it('an Empty message with a token (§4.1)', () => {
    assertMalformed(parseCoap(hex('41 00 00 01 aa')), 0, 'RFC 7252 §4.1: an Empty message (0.00) must have token length 0, got 1; message format error');
  });

  it('an Empty message with options or a payload (§4.1)', () => {
    const rule = /^RFC 7252 §4\.1: an Empty message \(0\.00\) must have no bytes after the Message ID, got \d+; message format error$/;
    assertMalformed(parseCoap(hex('60 00 00 01 b1 61')), 4, rule);
    assertMalformed(parseCoap(hex('70 00 00 01 ff 01')), 4, rule);
  });

  it('a payload marker followed by a zero-length payload (§3)', () => {
    assertMalformed(parseCoap(hex('40 01 00 01 b1 61 ff')), 6, 'RFC 7252 §3: payload marker followed by a zero-length payload; message format error');
  });

  it('option delta 15 in a byte that is not the payload marker (§3.1)', () => {
    assertMalformed(parseCoap(hex('40 01 00 01 f0')), 4, 'RFC 7252 §3.1: option delta 15 is reserved for the payload marker, and byte 0xf0 is not 0xff; message format error');
  });

  it('option length 15 is reserved (§3.1)', () => {
    assertMalformed(parseCoap(hex('40 01 00 01 b1 61 0f 00')), 6, 'RFC 7252 §3.1: option length 15 is reserved; message format error');
  });

  it('extended option delta bytes missing (§3.1)', () => {
    assertMalformed(parseCoap(hex('40 01 00 01 d0')), 4, 'RFC 7252 §3.1: option delta 13 needs 1 extended byte, the message ends first');
    assertMalformed(parseCoap(hex('40 01 00 01 e0 00')), 4, 'RFC 7252 §3.1: option delta 14 needs 2 extended bytes, the message ends first');
  });

  it('extended option length bytes missing (§3.1)', () => {
    assertMalformed(parseCoap(hex('40 01 00 01 1d')), 4, 'RFC 7252 §3.1: option length 13 needs 1 extended byte, the message ends first');
    assertMalformed(parseCoap(hex('40 01 00 01 d1 05 61 1e 01')), 7, 'RFC 7252 §3.1: option length 14 needs 2 extended bytes, the message ends first');
  });

  it('an option value running past the end (§3.1)', () => {
    assertMalformed(parseCoap(hex('40 01 00 01 b4 74 65 73')), 4, 'RFC 7252 §3.1: option 11 value of 4 bytes runs past the end of the message by 1');
  });

  it('an option number beyond 65535 (§3.1, §12.2)', () => {
    // one delta of 0xffff + 269 = 65804
    assertMalformed(parseCoap(hex('40 01 00 01 e0 ff ff')), 4, 'RFC 7252 §3.1: option number 65804 exceeds 65535, the largest option number (§12.2)');
    // 65535, then a delta of 1
    assertMalformed(parseCoap(hex('40 01 00 01 e0 fe f2 10')), 7, 'RFC 7252 §3.1: option number 65536 exceeds 65535, the largest option number (§12.2)');
  });
});

describe('CoAP codec: extended option delta and length boundaries (§3.1)', () => {
  const cases: [number, string][] = [
    [12, 'c0'],
    [13, 'd0 00'],
    [268, 'd0 ff'],
    [269, 'e0 00 00'],
    [270, 'e0 00 01'],
    [65535, 'e0 fe f2'],
  ];
  for (const [number, head] of cases) {
    it(`option number ${number} is written as ${head}`, () => {
      const bytes = serializeCoap(message({ type: CoapType.NON, code: 1, options: [opt(number, new Uint8Array(0))] }));
      assert.equal(toHex(bytes), `50010000${head.replace(/ /g, '')}`);
      assert.deepEqual(assertOk(parseCoap(bytes)).value.options.map((o) => o.number), [number]);
    });
  }

  const lengths: [number, string][] = [
    [12, '1c'],
    [13, '1d 00'],
    [268, '1d ff'],
    [269, '1e 00 00'],
    [1000, '1e 02 db'],
    [65535, '1e fe f2'],
    [65804, '1e ff ff'],
  ];
  for (const [len, head] of lengths) {
    it(`a value of ${len} bytes has the length header ${head}`, () => {
      const value = new Uint8Array(len).fill(0xa5);
      const bytes = serializeCoap(message({ type: CoapType.NON, code: 1, options: [opt(1, value)] }));
      const h = head.replace(/ /g, '');
      assert.equal(toHex(bytes.subarray(4, 4 + h.length / 2)), h);
      assert.equal(bytes.length, 4 + h.length / 2 + len);
      assert.equal(assertOk(parseCoap(bytes)).value.options[0]!.value.length, len);
    });
  }

  it('delta extension bytes come before length extension bytes', () => {
    // option 300 (delta 14: 300-269 = 0x001f), 20-byte value (length 13: 20-13 = 7)
    const bytes = serializeCoap(message({ type: CoapType.CON, code: 2, options: [opt(300, new Uint8Array(20))] }));
    assert.equal(toHex(bytes.subarray(4, 8)), 'ed001f07');
  });
});

describe('CoAP codec: serialize', () => {
  it('sorts options stably by number', () => {
    const m = message({ type: CoapType.CON, code: 1, options: [opt(11, 'a'), opt(3, 'h'), opt(11, 'b')] });
    assert.equal(toHex(serializeCoap(m)), '400100003168' + '8161' + '0162');
  });

  it('omits the payload marker when the payload is empty', () => {
    assert.equal(toHex(serializeCoap(message({ type: CoapType.NON, code: 0x45, mid: 7 }))), '50450007');
  });

  it('writes messages the RFC forbids, for negative tests, and parse rejects them', () => {
    const tkl9 = serializeCoap(message({ type: CoapType.CON, code: 1, token: new Uint8Array(9) }));
    assertMalformed(parseCoap(tkl9), 0, /token length 9 is reserved/);
    const emptyWithPayload = serializeCoap(message({ type: CoapType.ACK, code: 0, payload: ascii('x') }));
    assertMalformed(parseCoap(emptyWithPayload), 4, /§4\.1/);
  });

  it('leaves the message alone, and survives a caller detaching a result\'s ArrayBuffer', () => {
    const options = [opt(11, 'b'), opt(3, 'h')];
    const m = message({ type: CoapType.CON, code: 1, options });
    const first = serializeCoap(m);
    assert.deepEqual(m.options, options);
    assert.deepEqual(options.map((o) => o.number), [11, 3]);
    const slab = first.buffer as ArrayBuffer;
    structuredClone(slab, { transfer: [slab] }); // detaches the shared slab
    assert.equal(first.length, 0);
    assert.equal(toHex(serializeCoap(m)), '40010000' + '3168' + '8162');
  });

  it('parses a Buffer into plain Uint8Array views of its memory', () => {
    const buf = Buffer.from('42011234abcdb474657374ff01', 'hex');
    const { value } = assertOk(parseCoap(buf));
    assert.equal(Object.getPrototypeOf(value.payload), Uint8Array.prototype);
    assert.equal(value.token.buffer, buf.buffer);
    assert.equal(toHex(value.options[0]!.value), '74657374');
  });

  it('throws a RangeError naming a field the wire cannot hold', () => {
    const base = message({ type: CoapType.CON, code: 1 });
    assert.throws(() => serializeCoap({ ...base, token: new Uint8Array(16) }), /token length must be an integer in 0\.\.15/);
    assert.throws(() => serializeCoap({ ...base, mid: 0x10000 }), /message ID/);
    assert.throws(() => serializeCoap({ ...base, code: 256 }), /code/);
    assert.throws(() => serializeCoap({ ...base, options: [opt(65536, '')] }), /option number/);
    assert.throws(() => serializeCoap({ ...base, options: [opt(1, new Uint8Array(65805))] }), /value of 65805 bytes/);
  });
});

describe('CoAP codec: peekHeader and resetFor', () => {
  it('reads the header of a malformed message, so a CON can be rejected with a matching RST (§4.2)', () => {
    const bytes = hex('42 01 ab cd 01 02 f0');
    assert.equal(parseCoap(bytes).kind, 'malformed');
    assert.deepEqual(peekHeader(bytes), { version: 1, type: CoapType.CON, tokenLength: 2, code: 1, mid: 0xabcd });
    const rst = resetFor(bytes)!;
    assert.equal(toHex(serializeCoap(rst)), '7000abcd');
  });

  it('has nobody to answer for short, unknown-version, ACK and RST messages', () => {
    assert.equal(peekHeader(hex('40 01 00')), undefined);
    assert.equal(resetFor(hex('40 01 00')), undefined);
    assert.equal(resetFor(hex('82 01 00 01 f0')), undefined);
    assert.equal(resetFor(hex('60 45 00 01 f0')), undefined);
    assert.equal(resetFor(hex('70 00 00 01 f0')), undefined);
    assert.equal(resetFor(hex('50 01 00 09 f0'))?.mid, 9);
  });
});
