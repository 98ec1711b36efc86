// XMODEM, XMODEM-1K and YMODEM on the wire, as pure functions over bytes (no I/O, no state):
// - sender side: encode a block (SOH 128 / STX 1024, block number and its complement, SUB
//   padding, 8-bit checksum or CRC-16/XMODEM), YMODEM block 0 (file name, size, mtime, mode)
//   and the empty block 0 that ends a batch; read the receiver's control bytes (ACK, NAK, 'C',
//   CAN CAN) out of console noise;
// - receiver side (the virtual board): decode what a sender sends (a block, EOT, CAN CAN), and
//   the file information of a YMODEM block 0.
// The reference is Forsberg's "XMODEM/YMODEM Protocol Reference" (1988, ymodem.txt), cited by
// chapter name.
import { type Decoded, incomplete, malformed, ok } from '../../rig/engine/codec.js';
import { checksum8, crc16Xmodem } from './xmodem-check.js';

export const SOH = 0x01;
export const STX = 0x02;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const CAN = 0x18;
/** CP/M end of file (^Z): what pads the last block */
export const SUB = 0x1a;
/** 'C': the receiver asks for CRC-16 instead of the checksum */
export const CRC_REQUEST = 0x43;

export type BlockCheck = 'checksum' | 'crc';
export type BlockSize = 128 | 1024;

export interface Block {
  /** the block number as sent, 0..255 (wraps after 255 to 0) */
  number: number;
  size: BlockSize;
  check: BlockCheck;
  /** the whole data field, padding included (a copy) */
  payload: Uint8Array;
}

const RULE = {
  start: 'ymodem.txt, XMODEM Protocol Overview: a block starts with SOH (128 data bytes) or, in XMODEM-1k, STX (1024 data bytes)',
  complement: "ymodem.txt, XMODEM Protocol Overview: the byte after the block number is its one's complement (255 - blk #)",
  checksum: 'ymodem.txt, XMODEM Protocol Overview: the checksum is the sum of the data bytes modulo 256',
  crc: 'ymodem.txt, XMODEM/CRC: the two CRC bytes (high byte first) are the CRC-16/XMODEM of the data bytes',
  size: 'ymodem.txt, XMODEM-1k: this receiver accepts only 128-byte (SOH) blocks, got STX (1024)',
  can: 'ymodem.txt, Graceful Abort: two consecutive CAN abort the transfer; a lone CAN is line noise',
  header: 'ymodem.txt, YMODEM Batch File Transmission: block 0 holds the pathname as a NUL-terminated string',
  length: 'ymodem.txt, YMODEM Batch File Transmission: the length is a decimal string',
  octal: 'ymodem.txt, YMODEM Batch File Transmission: the modification date and mode are octal strings',
} as const;

/** Bytes a block takes on the wire: header (3), data, check (1 or 2). */
export function blockLength(size: BlockSize, check: BlockCheck): number {
  return 3 + size + (check === 'crc' ? 2 : 1);
}

export interface EncodeBlockOptions {
  size: BlockSize;
  check: BlockCheck;
  /** the byte that fills a short last block: SUB for data (default), NUL for YMODEM block 0 */
  pad?: number;
}

/**
 * One block: SOH|STX, number, 255 - number, data padded to `size`, checksum or CRC (high byte
 * first). `number` is taken modulo 256. RangeError when `data` is longer than the block.
 */
export function encodeBlock(number: number, data: Uint8Array, opts: EncodeBlockOptions): Uint8Array {
  const { size, check } = opts;
  if (data.length > size) throw new RangeError(`encodeBlock: ${data.length} data bytes do not fit a ${size}-byte block`);
  const out = new Uint8Array(blockLength(size, check));
  const n = ((number % 256) + 256) % 256;
  out[0] = size === 1024 ? STX : SOH;
  out[1] = n;
  out[2] = 0xff - n;
  out.set(data, 3);
  out.fill(opts.pad ?? SUB, 3 + data.length, 3 + size);
  const field = out.subarray(3, 3 + size);
  if (check === 'crc') {
    const crc = crc16Xmodem(field);
    out[3 + size] = crc >>> 8;
    out[4 + size] = crc & 0xff;
  } else {
    out[3 + size] = checksum8(field);
  }
  return out;
}

/**
 * The size of the next block for `remaining` bytes when blocks of up to `max` are allowed:
 * 1024 while more than 896 bytes remain (from 897 bytes on, one STX block costs fewer bytes on
 * the wire than eight SOH blocks), else 128, so a short tail is not padded to 1 KiB.
 */
export function nextBlockSize(remaining: number, max: BlockSize): BlockSize {
  return max === 1024 && remaining > 7 * 128 ? 1024 : 128;
}

/** The block sizes a file of `total` bytes is sent in (none for an empty file). */
export function blockSizes(total: number, max: BlockSize): BlockSize[] {
  const sizes: BlockSize[] = [];
  for (let left = total; left > 0; ) {
    const s = nextBlockSize(left, max);
    sizes.push(s);
    left -= s;
  }
  return sizes;
}

// ---- YMODEM block 0 ---------------------------------------------------------------------

export interface YmodemFileInfo {
  /** the pathname as sent: conventionally the file name alone; directories delimited by '/' */
  name: string;
  /** length in bytes (decimal on the wire); the receiver drops the padding after it */
  size?: number;
  /** modification time, seconds since 1970-01-01 UTC (octal on the wire); 0 = unknown */
  mtime?: number;
  /** Unix file mode (octal on the wire), e.g. 0o100644 */
  mode?: number;
}

const utf8 = new TextEncoder();
const utf8Lossy = new TextDecoder('utf-8', { fatal: false });

function wholeNumber(what: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new TypeError(`YMODEM ${what} must be a whole number >= 0, got ${String(v)}`);
}

/**
 * The data of block 0: pathname NUL, then "length[ mtime[ mode]]" NUL. Fields may not be
 * skipped (ymodem.txt), so a mode without an mtime sends mtime 0 ("unknown").
 */
export function ymodemHeaderData(info: YmodemFileInfo): Uint8Array {
  if (typeof info.name !== 'string' || info.name.length === 0) throw new TypeError('YMODEM file name must be a non-empty string (an empty name ends the batch)');
  if (info.name.includes('\0')) throw new TypeError(`YMODEM file name must not contain NUL: ${JSON.stringify(info.name)}`);
  wholeNumber('size', info.size);
  wholeNumber('mtime', info.mtime);
  wholeNumber('mode', info.mode);
  const fields: string[] = [];
  if (info.size !== undefined || info.mtime !== undefined || info.mode !== undefined) fields.push(String(info.size ?? 0));
  if (info.mtime !== undefined || info.mode !== undefined) fields.push((info.mtime ?? 0).toString(8));
  if (info.mode !== undefined) fields.push(info.mode.toString(8));
  const name = utf8.encode(info.name);
  const rest = utf8.encode(fields.join(' '));
  const data = new Uint8Array(name.length + 1 + rest.length + 1);
  data.set(name, 0);
  data.set(rest, name.length + 1);
  return data;
}

/**
 * Block 0 with the file's information, CRC-16 (YMODEM is CRC only), NUL padded: 128 bytes, or
 * 1024 when the name is too long for 128. RangeError past 1024.
 */
export function encodeYmodemHeader(info: YmodemFileInfo): Uint8Array {
  const data = ymodemHeaderData(info);
  if (data.length > 1024) throw new RangeError(`YMODEM block 0 needs ${data.length} bytes for "${info.name}"; at most 1024 fit`);
  return encodeBlock(0, data, { size: data.length > 128 ? 1024 : 128, check: 'crc', pad: 0 });
}

/** The empty block 0 (a null pathname) that ends a YMODEM batch. */
export function encodeYmodemBatchEnd(): Uint8Array {
  return encodeBlock(0, new Uint8Array(0), { size: 128, check: 'crc', pad: 0 });
}

/**
 * The file information in the data of a block 0, or null for the empty block 0 that ends the
 * batch. Fields the sender left out stay undefined.
 */
export function decodeYmodemHeader(data: Uint8Array): Decoded<YmodemFileInfo | null> {
  if (data.length === 0 || data[0] === 0) return ok(null, data.length);
  const nameEnd = data.indexOf(0);
  if (nameEnd < 0) return malformed(data.length, RULE.header);
  const info: YmodemFileInfo = { name: utf8Lossy.decode(data.subarray(0, nameEnd)) };
  let fieldsEnd = data.indexOf(0, nameEnd + 1);
  if (fieldsEnd < 0) fieldsEnd = data.length;
  const text = String.fromCharCode(...data.subarray(nameEnd + 1, fieldsEnd));
  const fields = text.split(' ');
  const [size, mtime, mode] = fields;
  let at = nameEnd + 1;
  if (size !== undefined && size !== '') {
    if (!/^\d+$/.test(size)) return malformed(at, `${RULE.length}, got ${JSON.stringify(size)}`);
    info.size = Number(size);
  }
  at += (size?.length ?? 0) + 1;
  for (const [key, value] of [['mtime', mtime], ['mode', mode]] as const) {
    if (value === undefined || value === '') break;
    if (!/^[0-7]+$/.test(value)) return malformed(at, `${RULE.octal}, got ${key} ${JSON.stringify(value)}`);
    info[key] = parseInt(value, 8);
    at += value.length + 1;
  }
  return ok(info, data.length);
}

// ---- what the receiver sends (read by the sender) ---------------------------------------

export type ReceiverSignal =
  | { kind: 'ack' }
  | { kind: 'nak' }
  /** 'C': start (or restart) with CRC-16 */
  | { kind: 'crc' }
  /** CAN CAN: the receiver aborts */
  | { kind: 'cancel' }
  /** bytes that are none of the above: console text, line noise, a lone CAN */
  | { kind: 'noise'; bytes: Uint8Array };

const isSignalByte = (b: number): boolean => b === ACK || b === NAK || b === CRC_REQUEST || b === CAN;

/**
 * The first thing the receiver said in `view`: a control byte, CAN CAN, or a run of noise up to
 * the next control byte. Never malformed (every byte is one or the other); incomplete when
 * `view` is empty or ends in a CAN that may be the first of two.
 */
export function decodeReceiverSignal(view: Uint8Array): Decoded<ReceiverSignal> {
  if (view.length === 0) return incomplete(1);
  const b = view[0]!;
  switch (b) {
    case ACK:
      return ok({ kind: 'ack' }, 1);
    case NAK:
      return ok({ kind: 'nak' }, 1);
    case CRC_REQUEST:
      return ok({ kind: 'crc' }, 1);
    case CAN:
      if (view.length < 2) return incomplete(1);
      if (view[1] === CAN) return ok({ kind: 'cancel' }, 2);
      return ok({ kind: 'noise', bytes: view.slice(0, 1) }, 1);
  }
  let end = 1;
  while (end < view.length && !isSignalByte(view[end]!)) end++;
  return ok({ kind: 'noise', bytes: view.slice(0, end) }, end);
}

// ---- what the sender sends (read by a receiver: the virtual board) ----------------------

export interface DecodeBlockOptions {
  /** what this receiver asked for: 'C' = 'crc' (default), NAK = 'checksum' */
  check?: BlockCheck;
  /** 128 for a receiver without XMODEM-1k (an STX block is then malformed); default 1024 */
  maxSize?: BlockSize;
}

/**
 * One block at the start of `view`. Malformed on a first byte that is not SOH/STX (skip 1), an
 * STX to a 128-only receiver (skip 1), a bad complement (skip 1: the header is not to be
 * trusted), or a bad checksum/CRC (skip the whole block). A receiver then purges the line and
 * NAKs, as the protocol says.
 */
export function decodeBlock(view: Uint8Array, opts: DecodeBlockOptions = {}): Decoded<Block> {
  const check = opts.check ?? 'crc';
  if (view.length === 0) return incomplete(1);
  const first = view[0]!;
  if (first !== SOH && first !== STX) return malformed(0, `${RULE.start}, got 0x${first.toString(16).padStart(2, '0')}`, 1);
  const size: BlockSize = first === STX ? 1024 : 128;
  if (size > (opts.maxSize ?? 1024)) return malformed(0, RULE.size, 1);
  if (view.length >= 3 && view[1]! + view[2]! !== 0xff) return malformed(2, RULE.complement, 1);
  const total = blockLength(size, check);
  if (view.length < total) return incomplete(total - view.length);
  const field = view.subarray(3, 3 + size);
  if (check === 'crc') {
    const got = (view[3 + size]! << 8) | view[4 + size]!;
    if (crc16Xmodem(field) !== got) return malformed(3 + size, RULE.crc, total);
  } else if (checksum8(field) !== view[3 + size]) {
    return malformed(3 + size, RULE.checksum, total);
  }
  return ok({ number: view[1]!, size, check, payload: field.slice() }, total);
}

export type SenderFrame = { kind: 'block'; block: Block } | { kind: 'eot' } | { kind: 'cancel' };

/** What a sender sent at the start of `view`: a block, EOT, or CAN CAN (the sender aborts). */
export function decodeSenderFrame(view: Uint8Array, opts: DecodeBlockOptions = {}): Decoded<SenderFrame> {
  if (view.length === 0) return incomplete(1);
  if (view[0] === EOT) return ok({ kind: 'eot' }, 1);
  if (view[0] === CAN) {
    if (view.length < 2) return incomplete(1);
    return view[1] === CAN ? ok({ kind: 'cancel' }, 2) : malformed(0, RULE.can, 1);
  }
  const r = decodeBlock(view, opts);
  return r.kind === 'ok' ? ok({ kind: 'block', block: r.value }, r.consumed) : r;
}
