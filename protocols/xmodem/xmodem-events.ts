// The events an XMODEM/YMODEM sender emits, their payloads, and the options it takes: the types
// a user handler is written against (`Handler<XmodemEvents>` narrows `data` on each event).
import { type ErrorCode, type EventMap, HilrigError, PROTO_EV_BASE } from '../../rig/engine/index.js';
import type { BlockCheck, BlockSize } from './xmodem-codec.js';

/** XMODEM events, from PROTO_EV_BASE * 4 (asserted equal in the tests). */
export const XMODEM_EV_BASE = PROTO_EV_BASE * 4;
export const XmodemEv = { Started: 401, Progress: 402, Done: 403, Failed: 404 } as const;

/**
 * - 'xmodem': 128-byte blocks; the receiver's first byte picks the check (NAK: checksum, 'C': CRC-16)
 * - 'xmodem-crc': 128-byte blocks, CRC-16 only: a NAK start is not taken
 * - 'xmodem-1k': 1024-byte blocks (128 for a short tail) with CRC-16; a receiver that starts
 *   with NAK gets 128-byte checksum blocks, as 1K blocks go with CRC only (ymodem.txt, XMODEM-1k)
 * - 'ymodem': block 0 with name and size, then 1K/128 CRC blocks, EOT, and the empty block 0
 *   that ends the batch; CRC-16 only
 */
export type XmodemMode = 'xmodem' | 'xmodem-crc' | 'xmodem-1k' | 'ymodem';
export const XMODEM_MODES: readonly XmodemMode[] = ['xmodem', 'xmodem-crc', 'xmodem-1k', 'ymodem'];

/** The file to send, read a block at a time (the image is never held whole). */
export interface XmodemFile {
  /** sent in YMODEM block 0 (conventionally without directories); unused by XMODEM */
  name: string;
  /** bytes to send */
  size: number;
  /** modification time, seconds since the epoch (YMODEM block 0; optional) */
  mtime?: number;
  /** Unix file mode (YMODEM block 0; optional, e.g. 0o100644) */
  mode?: number;
  /** `length` bytes at `offset` (exactly that many), at once or as a promise */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

export interface XmodemSendOptions {
  mode: XmodemMode;
  file: XmodemFile;
  /** resends of one block (after NAK or timeout) before the transfer fails (default 10) */
  retries?: number;
  /** how long to wait for the receiver's first NAK or 'C' (default 60000 ms) */
  startTimeoutMs?: number;
  /** how long to wait for the answer to a block before sending it again (default 10000 ms) */
  blockTimeoutMs?: number;
  /**
   * A start byte ('C' or NAK) counts only when nothing follows it for this long (default 20 ms):
   * a 'C' inside a board's console text ("CRC", "Ctrl-C") is not a start. 0 takes it at once.
   */
  startSettleMs?: number;
}

export interface XmodemStarted {
  /** what the receiver asked for */
  check: BlockCheck;
  /** the largest block this transfer uses */
  maxBlock: BlockSize;
  /** bytes of noise (console text) seen before the start */
  noiseBytes: number;
}

export interface XmodemProgress {
  /** file bytes the receiver has acknowledged (padding not counted) */
  bytes: number;
  /** the file size */
  size: number;
  /** data blocks acknowledged (YMODEM block 0 not counted) */
  blocks: number;
  /** blocks sent again, after a NAK or a timeout, over the whole transfer */
  retries: number;
}

export interface XmodemResult {
  /** file bytes sent and acknowledged */
  bytes: number;
  /** data blocks acknowledged */
  blocks: number;
  /** blocks (and EOTs) sent again */
  retries: number;
  /** manager clock seconds from the receiver's start to the last acknowledgement */
  seconds: number;
  /** the check the receiver chose */
  check: BlockCheck;
}

/** Why a transfer failed, for a switch (the reason text names the block, the seconds...). */
export type XmodemFailureKind =
  | 'cancelled' // the receiver sent CAN CAN
  | 'retries' // a block, EOT or the end-of-batch block was sent retries + 1 times without an ACK
  | 'no-start' // no NAK / 'C' within startTimeoutMs
  | 'closed' // the connection closed first
  | 'read' // file.read failed, returned the wrong length, or did not answer
  | 'handler'; // the user handler threw outside the manager's dispatch

/** What the promise API rejects with: a HilrigError (code PROTOCOL, TIMEOUT or IO_ERROR) that also says `kind`. */
export class XmodemError extends HilrigError {
  constructor(
    code: ErrorCode,
    readonly kind: XmodemFailureKind,
    /** 'receiver cancelled', 'too many retries on block 17', 'no start from receiver in 60 s' */
    readonly reason: string,
    detail: string,
    /** how far the transfer got */
    readonly progress: XmodemProgress,
  ) {
    super(code, `xmodem: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

export interface XmodemFailed {
  kind: XmodemFailureKind;
  /** short: 'receiver cancelled', 'too many retries on block 17', 'no start from receiver in 60 s' */
  reason: string;
  /** the same with details, as the promise API rejects with it */
  error: XmodemError;
  /** how far the transfer got */
  progress: XmodemProgress;
}

export interface XmodemEvents extends EventMap {
  [XmodemEv.Started]: XmodemStarted;
  [XmodemEv.Progress]: XmodemProgress;
  [XmodemEv.Done]: XmodemResult;
  [XmodemEv.Failed]: XmodemFailed;
}
