// The missing-blocks payload of a Q-Block1 4.08 (RFC 9177 §5): a CBOR Sequence of unsigned
// integers, byte for byte (RFC 8949 §3.1, preferred serialization), and its checks.
import assert from 'node:assert/strict';
import { checkMissingBlocks, decodeMissingBlocks, encodeMissingBlocks } from '../../../../protocols/coap/block/missing-blocks-cbor.js';
import { assertMalformed, assertOk, hex, toHex } from '../coap-test-helpers.js';

describe('Q-Block1 missing-blocks CBOR sequence (RFC 9177 §5)', () => {
  const vectors: [number[], string][] = [
    [[0], '00'],
    [[1, 9], '0109'],
    [[23], '17'],
    [[24], '1818'],
    [[255], '18ff'],
    [[256], '190100'],
    [[65535], '19ffff'],
    [[65536], '1a00010000'],
    [[0xfffff], '1a000fffff'],
    [[3, 24, 300], '03 1818 19012c'],
  ];
  for (const [nums, h] of vectors) {
    it(`[${nums.join(', ')}] ↔ ${h}`, () => {
      assert.equal(toHex(encodeMissingBlocks(nums)), h.replace(/\s/g, ''));
      assert.deepEqual(assertOk(decodeMissingBlocks(hex(h))).value, nums);
    });
  }

  it('accepts longer-than-needed encodings (legal CBOR) and 8-byte integers', () => {
    assert.deepEqual(assertOk(decodeMissingBlocks(hex('1805 190007 1b0000000000000009'))).value, [5, 7, 9]);
  });

  it('refuses what is not a sequence of unsigned integers, saying where', () => {
    assertMalformed(decodeMissingBlocks(new Uint8Array(0)), 0, /one or more block numbers, got none/);
    assertMalformed(decodeMissingBlocks(hex('01 20')), 1, /major type 0\), got major type 1/);
    assertMalformed(decodeMissingBlocks(hex('82 01 02')), 0, /got major type 4/); // an array wrapper: RFC 9177 §5 has none
    assertMalformed(decodeMissingBlocks(hex('01 19 01')), 1, /needs 2 more bytes, 1 left/);
    assertMalformed(decodeMissingBlocks(hex('1c')), 0, /additional information 28 is reserved/);
    assertMalformed(decodeMissingBlocks(hex('1f')), 0, /additional information 31/);
  });

  it('checks ascending order without duplicates and the range of the body', () => {
    assert.equal(checkMissingBlocks([1, 4, 9], 10), undefined);
    assert.match(checkMissingBlocks([4, 1], 10)!, /RFC 9177 §5: .*ascending order without duplicates, got 4 then 1/);
    assert.match(checkMissingBlocks([4, 4], 10)!, /got 4 then 4/);
    assert.match(checkMissingBlocks([10], 10)!, /missing block 10 is beyond the body's 10 blocks/);
  });

  it('refuses to encode what is not a block number', () => {
    assert.throws(() => encodeMissingBlocks([-1]), RangeError);
    assert.throws(() => encodeMissingBlocks([1.5]), RangeError);
  });
});
