// The payload of a Q-Block1 4.08 (Request Entity Incomplete) response (RFC 9177 §5): a CBOR
// Sequence (RFC 8742) of unsigned integers, the missing block numbers, with no array around
// them, Content-Format application/missing-blocks+cbor-seq (272, RFC 9177 §12.3). Only major
// type 0 can occur, so this is a hand-written codec of unsigned integers (RFC 8949 §3.1).
import { type Decoded, malformed, ok } from '../../../rig/engine/codec.js';

export const MISSING_BLOCKS_CBOR_SEQ = 272;

/** Preferred (shortest) encoding of each number (RFC 8949 §4.2.1). */
export function encodeMissingBlocks(nums: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const n of nums) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`a missing block number must be an integer in 0..2^32-1, got ${n}`);
    if (n < 24) out.push(n);
    else if (n < 0x100) out.push(0x18, n);
    else if (n < 0x10000) out.push(0x19, n >>> 8, n & 0xff);
    else out.push(0x1a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }
  return Uint8Array.from(out);
}

/**
 * The numbers of the sequence. Longer-than-needed encodings are legal CBOR and accepted; any
 * other major type, a reserved or indefinite length, a truncated item, or an empty sequence (the
 * CDDL asks for one or more) is malformed, with the offset of the item at fault.
 */
export function decodeMissingBlocks(bytes: Uint8Array): Decoded<number[]> {
  if (bytes.length === 0) return malformed(0, 'RFC 9177 §5: the missing-blocks payload lists one or more block numbers, got none');
  const nums: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const head = bytes[i]!;
    const major = head >> 5;
    const info = head & 0x1f;
    if (major !== 0) return malformed(i, `RFC 9177 §5: missing block numbers are CBOR unsigned integers (major type 0), got major type ${major}`);
    if (info > 27) return malformed(i, `RFC 8949 §3: additional information ${info} is reserved or indefinite, not an unsigned integer`);
    const len = info < 24 ? 0 : 1 << (info - 24);
    if (i + 1 + len > bytes.length) return malformed(i, `RFC 8949 §3: an unsigned integer needs ${len} more bytes, ${bytes.length - i - 1} left`);
    let n = info < 24 ? info : 0;
    for (let k = 0; k < len; k++) n = n * 256 + bytes[i + 1 + k]!;
    if (!Number.isSafeInteger(n)) return malformed(i, `RFC 9177 §5: block number ${n} is beyond any block number`);
    nums.push(n);
    i += 1 + len;
  }
  return ok(nums, bytes.length);
}

/**
 * RFC 9177 §5: the numbers are in ascending order without duplicates, and name blocks of the
 * body. Undefined when they are; otherwise the rule broken (the client then drops the 4.08).
 */
export function checkMissingBlocks(nums: readonly number[], totalBlocks: number): string | undefined {
  for (let k = 0; k < nums.length; k++) {
    const n = nums[k]!;
    if (k > 0 && n <= nums[k - 1]!) return `RFC 9177 §5: missing blocks must be reported in ascending order without duplicates, got ${nums[k - 1]} then ${n}`;
    if (n >= totalBlocks) return `RFC 9177 §5: missing block ${n} is beyond the body's ${totalBlocks} blocks`;
  }
  return undefined;
}
