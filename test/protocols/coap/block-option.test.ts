import assert from 'node:assert/strict';
import { block2, blockOffset, blockSize, decodeBlock, encodeBlock, szxForSize } from '../../../protocols/coap/block-option.js';
import { contentFormatFor, contentFormatName, describeContentFormat } from '../../../protocols/coap/content-formats.js';
import { withOption } from '../../../protocols/coap/coap-options.js';
import { assertMalformed, assertOk, hex, message, toHex } from './coap-test-helpers.js';

describe('Block option values (RFC 7959 §2.2)', () => {
  const vectors: [number, boolean, number, string][] = [
    [0, false, 0, ''],
    [0, true, 6, '0e'],
    [1, false, 6, '16'],
    [15, false, 0, 'f0'],
    [16, true, 2, '010a'],
    [4095, false, 6, 'fff6'],
    [4096, false, 0, '010000'],
    [0xfffff, true, 6, 'fffffe'],
  ];
  for (const [num, more, szx, h] of vectors) {
    it(`NUM ${num}, M ${more ? 1 : 0}, SZX ${szx} ↔ ${h || '(empty)'}`, () => {
      assert.equal(toHex(encodeBlock({ num, more, szx })), h);
      assert.deepEqual(assertOk(decodeBlock(hex(h))).value, { num, more, szx });
    });
  }

  it('a value longer than 3 bytes is malformed', () => {
    assertMalformed(decodeBlock(hex('00 00 00 16')), 3, 'RFC 7959 §2.2: a block option value is 0 to 3 bytes, got 4');
  });

  it('SZX 7 is reserved (BERT is for reliable transports only)', () => {
    assertMalformed(decodeBlock(hex('1f')), 0, 'RFC 7959 §2.2: SZX 7 is reserved (BERT exists only over reliable transports, RFC 8323 §6)');
    assert.equal(toHex(encodeBlock({ num: 1, more: true, szx: 7 })), '1f'); // a test may send it
    assert.throws(() => encodeBlock({ num: 0x100000, more: false, szx: 0 }), RangeError);
    assert.throws(() => encodeBlock({ num: 0, more: false, szx: 8 }), RangeError);
  });

  it('sizes: 2^(SZX+4), SZX for a size, offset of a block', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(blockSize), [16, 32, 64, 128, 256, 512, 1024]);
    assert.equal(szxForSize(1024), 6);
    assert.equal(szxForSize(16), 0);
    assert.equal(szxForSize(100), undefined);
    assert.equal(szxForSize(2048), undefined);
    assert.equal(blockOffset({ num: 3, more: false, szx: 6 }), 3072);
  });

  it('reads Block2 from a message', () => {
    const m = withOption(message({ type: 2, code: 0x45 }), 23, encodeBlock({ num: 2, more: true, szx: 6 }));
    assert.deepEqual(assertOk(block2(m)!).value, { num: 2, more: true, szx: 6 });
    assert.equal(block2(message({ type: 2, code: 0x45 })), undefined);
  });
});

describe('Content-Formats', () => {
  it('names the common registered formats', () => {
    const table: [number, string][] = [
      [0, 'text/plain;charset=utf-8'], [40, 'application/link-format'], [41, 'application/xml'], [42, 'application/octet-stream'],
      [47, 'application/exi'], [50, 'application/json'], [60, 'application/cbor'], [61, 'application/cwt'],
      [110, 'application/senml+json'], [111, 'application/sensml+json'], [112, 'application/senml+cbor'],
      [310, 'application/senml+xml'], [320, 'application/senml-etch+json'],
      [11542, 'application/vnd.oma.lwm2m+tlv'], [11543, 'application/vnd.oma.lwm2m+json'],
    ];
    for (const [n, t] of table) {
      assert.equal(contentFormatName(n), t);
      assert.equal(contentFormatFor(t), n);
    }
    assert.equal(contentFormatFor('Text/Plain; charset=utf-8'), 0);
    assert.equal(describeContentFormat(50), 'application/json (50)');
    assert.equal(describeContentFormat(65001), 'experimental (65001)');
    assert.equal(describeContentFormat(9999), 'unregistered (9999)');
  });
});
