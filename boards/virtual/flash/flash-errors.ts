// What the flash model throws. A broken flash rule (a misaligned write, an erase that is not
// whole sectors) is the caller's bug and names the rule it broke; a power cut is not an error
// but a signal: the board that sees it resets, and whatever the cut write left behind stays.
import { HilrigError } from '../../../rig/engine/errors.js';

/** The rules a flash operation can break; stable, for tests and for mapping to SMP error codes. */
export type FlashRule =
  /** a write starts on a multiple of the write block size */
  | 'write-alignment'
  /** a write is a whole number of write blocks */
  | 'write-granularity'
  /** an operation stays inside the device (or the slot it names) */
  | 'bounds'
  /** an erase covers whole sectors */
  | 'erase-alignment';

/**
 * A flash operation broke a rule of the device. `code` is BAD_OPTION (the engine has no flash
 * code of its own); branch on `rule`.
 */
export class FlashRuleError extends HilrigError {
  constructor(
    readonly rule: FlashRule,
    message: string,
  ) {
    super('BAD_OPTION', `${message} (flash rule: ${rule})`);
  }
}

/**
 * The power failed in the middle of a write. The bytes before the cut are programmed; see
 * nor-flash.ts for the state of the write block the cut fell in. The board turns this into a
 * reset; the flash keeps its contents.
 */
export class PowerLoss extends Error {
  override readonly name = 'PowerLoss';
  constructor(
    /** flash offset of the first byte that did not land */
    readonly offset: number,
    /** bytes of the interrupted write that landed */
    readonly landed: number,
    /** busy time spent on the landed bytes, ms */
    readonly ms: number,
  ) {
    super(`power lost while writing flash at 0x${offset.toString(16)} (${landed} bytes of the write landed)`);
  }
}

export function isPowerLoss(e: unknown): e is PowerLoss {
  return e instanceof PowerLoss;
}
