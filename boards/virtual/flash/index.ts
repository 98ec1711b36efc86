// The virtual board's flash: a NOR device model (nor-flash.ts) with MCUboot's slots on it
// (slots.ts), and a streaming writer for uploads (slot-writer.ts).
import type { FlashGeometry } from '../../profiles/board-profile.js';
import { NorFlash, type NorFlashOptions } from './nor-flash.js';
import { FlashSlots, type SlotLayout } from './slots.js';

export { FlashRuleError, isPowerLoss, PowerLoss, type FlashRule } from './flash-errors.js';
export { NorFlash, type FlashOp, type FlashStats, type NorFlashOptions } from './nor-flash.js';
export { FlashSlots, type BootReport, type ImageSlotState, type ImageStateRefusal, type ImageStateResult, type SlotId, type SlotLayout } from './slots.js';
export { SlotWriter, type SlotWriterOptions } from './slot-writer.js';
export { BOOT_MAGIC, type TrailerState } from './boot-trailer.js';
export type { SwapType } from './boot-swap.js';
export type { ImageCheck } from './slot-image-check.js';

/** A board's flash from its profile's geometry; timing and backing from `opts`. */
export function flashFromGeometry(
  geometry: FlashGeometry,
  opts: Omit<NorFlashOptions, 'size' | 'sectorSize' | 'writeSize'> & { scratch?: SlotLayout['scratch'] } = {},
): FlashSlots {
  const { scratch, ...timing } = opts;
  const flash = new NorFlash({ ...timing, size: geometry.size, sectorSize: geometry.sectorSize, writeSize: geometry.writeSize });
  return new FlashSlots(flash, { ...geometry.slots, ...(scratch ? { scratch } : {}) });
}
