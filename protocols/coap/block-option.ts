// Block1/Block2 option values (RFC 7959 §2.2), also the format of Q-Block1/Q-Block2 (RFC 9177
// §4): a 0-3 byte uint holding NUM (the block number, up to 20 bits), M (more blocks follow)
// and SZX (block size 2^(SZX+4), 0-6). SZX 7 is reserved on UDP; RFC 8323 gives it to BERT on
// reliable transports only, so here it is malformed (and a request carrying it earns 4.00).

import { type Decoded, malformed, ok } from '../../rig/engine/codec.js';
import type { CoapMessage } from './coap-types.js';
import { CoapOptionNumber, decodeUint, encodeUint, getOption } from './coap-options.js';

export interface BlockValue {
  /** block number, 0..2^20-1 */
  num: number;
  /** M: more blocks follow (Block2/Block1 descriptive), or the request's M in Block1 control */
  more: boolean;
  /** size exponent: block size is 2^(szx+4) */
  szx: number;
}

export const MAX_BLOCK_NUM = 0xfffff;
/** SZX 6, 1024 bytes, the largest block on UDP. */
export const MAX_SZX = 6;

/** Block size in bytes for an SZX: blockSize(6) === 1024. */
export const blockSize = (szx: number): number => 2 ** (szx + 4);

/** The SZX for a block size of 16, 32, ... 1024 bytes; undefined for any other size. */
export function szxForSize(size: number): number | undefined {
  for (let szx = 0; szx <= MAX_SZX; szx++) if (blockSize(szx) === size) return szx;
  return undefined;
}

/** Byte offset of the block in the whole body (RFC 7959 §2.2: NUM × size). */
export const blockOffset = (b: BlockValue): number => b.num * blockSize(b.szx);

/**
 * The option value bytes (minimal uint, so block 0 of 16 bytes without M is zero bytes).
 * SZX 7 is written when asked (a test may send the reserved value); a value the 3-byte field
 * cannot hold is a RangeError.
 */
export function encodeBlock(b: BlockValue): Uint8Array {
  if (!Number.isInteger(b.num) || b.num < 0 || b.num > MAX_BLOCK_NUM) throw new RangeError(`block NUM must be an integer in 0..${MAX_BLOCK_NUM}, got ${b.num}`);
  if (!Number.isInteger(b.szx) || b.szx < 0 || b.szx > 7) throw new RangeError(`block SZX must be an integer in 0..7, got ${b.szx}`);
  return encodeUint(b.num * 16 + (b.more ? 8 : 0) + b.szx);
}

/** Decode a Block1/Block2/Q-Block value. Offsets are within the value bytes. */
export function decodeBlock(bytes: Uint8Array): Decoded<BlockValue> {
  if (bytes.length > 3) return malformed(3, `RFC 7959 §2.2: a block option value is 0 to 3 bytes, got ${bytes.length}`);
  const v = decodeUint(bytes);
  const szx = v & 7;
  if (szx === 7) return malformed(Math.max(0, bytes.length - 1), 'RFC 7959 §2.2: SZX 7 is reserved (BERT exists only over reliable transports, RFC 8323 §6)');
  return ok({ num: Math.floor(v / 16), more: (v & 8) !== 0, szx }, bytes.length);
}

/** A block option of the message, decoded; undefined when the option is absent. */
export function blockOption(msg: CoapMessage, n: number): Decoded<BlockValue> | undefined {
  const v = getOption(msg, n);
  return v === undefined ? undefined : decodeBlock(v);
}

export const block1 = (msg: CoapMessage): Decoded<BlockValue> | undefined => blockOption(msg, CoapOptionNumber.BLOCK1);
export const block2 = (msg: CoapMessage): Decoded<BlockValue> | undefined => blockOption(msg, CoapOptionNumber.BLOCK2);
