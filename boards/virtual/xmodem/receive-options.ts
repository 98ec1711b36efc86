// What the board's XMODEM/YMODEM receiver is told: the mode a console command asked for (which
// fixes the start byte, the block check and the largest block) and its timing, checked once.
import type { BlockCheck, BlockSize } from '../../../protocols/xmodem/xmodem-codec.js';

/**
 * - 'xmodem': the original: NAK start, 8-bit checksum, 128-byte blocks (SOH)
 * - 'xmodem-crc': 'C' start, CRC-16, 128-byte blocks
 * - 'xmodem-1k': 'C' start, CRC-16, 1024-byte (STX) and 128-byte blocks, as U-Boot's loadx takes
 * - 'ymodem': 'C' start, block 0 with the name and size, 1024/128 CRC blocks, the empty block 0
 */
export type ReceiveMode = 'xmodem' | 'xmodem-crc' | 'xmodem-1k' | 'ymodem';
export const XMODEM_RECEIVE_MODES: readonly ReceiveMode[] = ['xmodem', 'xmodem-crc', 'xmodem-1k'];

export interface ModeParams {
  check: BlockCheck;
  maxSize: BlockSize;
  ymodem: boolean;
}

export function modeParams(mode: ReceiveMode): ModeParams {
  return {
    check: mode === 'xmodem' ? 'checksum' : 'crc',
    maxSize: mode === 'xmodem' || mode === 'xmodem-crc' ? 128 : 1024,
    ymodem: mode === 'ymodem',
  };
}

export interface ReceiverTiming {
  /** between two start bytes ('C' or NAK) while no block has come (default 1000 ms) */
  startIntervalMs: number;
  /** start bytes sent before the receiver gives up and goes back to the shell (default 60) */
  startTries: number;
  /** silence in a transfer before the receiver NAKs (default 10 000 ms, lrzsz's 10 s) */
  blockTimeoutMs: number;
  /** errors in a row (bad frames, timeouts) before the receiver cancels (default 10) */
  maxErrors: number;
  /**
   * quiet on the line that ends the purge after a bad frame (then NAK) and the drain after the
   * end (then the summary and the shell); default 100 ms, lrzsz's purge (a 0.1 s read timeout)
   */
  quietMs: number;
}

export const RECEIVER_DEFAULTS: Readonly<ReceiverTiming> = Object.freeze({
  startIntervalMs: 1000,
  startTries: 60,
  blockTimeoutMs: 10_000,
  maxErrors: 10,
  quietMs: 100,
});

/** Defaults filled in; a TypeError names an option out of range. */
export function resolveTiming(o: Partial<ReceiverTiming> = {}): ReceiverTiming {
  const t = { ...RECEIVER_DEFAULTS, ...o };
  for (const k of ['startIntervalMs', 'blockTimeoutMs', 'quietMs'] as const) {
    if (!(typeof t[k] === 'number' && t[k] > 0 && t[k] <= 3_600_000)) throw new TypeError(`xmodem receiver: ${k} must be milliseconds from 1 to 3600000, got ${String(t[k])}`);
  }
  for (const k of ['startTries', 'maxErrors'] as const) {
    if (!(Number.isInteger(t[k]) && t[k] >= 1 && t[k] <= 1000)) throw new TypeError(`xmodem receiver: ${k} must be a whole number from 1 to 1000, got ${String(t[k])}`);
  }
  return t;
}
