// MCUboot's image trailer: the few bytes at the end of a slot through which the application and
// the bootloader talk (bootutil_public.c). From the slot's end backwards, with align =
// max(8, write block) (MCUboot's BOOT_MAX_ALIGN of 8):
//   magic      16 bytes, the last bytes of a field rounded up to align  (slot end - 16)
//   image_ok   1 byte in its own write block                           (magic field - align)
//   copy_done  1 byte in its own write block                           (image_ok - align)
//   swap_info  1 byte: swap type | image number << 4                   (copy_done - align)
// A flag reads SET when it is 0x01, UNSET when erased, BAD otherwise; the magic GOOD when it is
// MCUboot's 16 bytes, UNSET when erased, BAD otherwise. Not modelled: the swap status area that
// sits before these fields (MCUboot's record of swap progress, for resuming after a power cut),
// and the alignment-prefixed magic MCUboot 2.x uses when BOOT_MAX_ALIGN is above 8.
import { ERASED } from './sector-store.js';
import type { FlashOp, NorFlash } from './nor-flash.js';

export const BOOT_MAGIC = Uint8Array.from([
  0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
]);
const BOOT_FLAG_SET = 0x01;

/** MCUboot's swap types, as written in swap_info */
export const SWAP_TYPE = { none: 1, test: 2, perm: 3, revert: 4 } as const;

export type MagicState = 'good' | 'unset' | 'bad';
export type FlagState = 'set' | 'unset' | 'bad';

export interface TrailerState {
  magic: MagicState;
  imageOk: FlagState;
  copyDone: FlagState;
}

/** Where a slot's trailer fields are, as offsets from the slot's start. */
export interface TrailerLayout {
  align: number;
  magicOff: number;
  imageOkOff: number;
  copyDoneOff: number;
  swapInfoOff: number;
  /** bytes at the slot's end the trailer takes; an image must end before them */
  size: number;
}

export function trailerLayout(slotSize: number, writeSize: number): TrailerLayout {
  const align = Math.max(8, writeSize);
  const magicField = Math.ceil(BOOT_MAGIC.length / align) * align;
  const magicOff = slotSize - magicField;
  const imageOkOff = magicOff - align;
  const copyDoneOff = imageOkOff - align;
  const swapInfoOff = copyDoneOff - align;
  return { align, magicOff, imageOkOff, copyDoneOff, swapInfoOff, size: slotSize - swapInfoOff };
}

/** A slot as flash offsets. */
export interface SlotArea {
  offset: number;
  size: number;
}

export function readTrailer(flash: NorFlash, slot: SlotArea): TrailerState {
  const t = trailerLayout(slot.size, flash.writeSize);
  const magic = flash.read(slot.offset + slot.size - BOOT_MAGIC.length, BOOT_MAGIC.length);
  return {
    magic: magic.every((b, i) => b === BOOT_MAGIC[i]) ? 'good' : magic.every((b) => b === ERASED) ? 'unset' : 'bad',
    imageOk: flag(flash.read(slot.offset + t.imageOkOff, 1)[0]),
    copyDone: flag(flash.read(slot.offset + t.copyDoneOff, 1)[0]),
  };
}

function flag(b: number | undefined): FlagState {
  return b === BOOT_FLAG_SET ? 'set' : b === ERASED ? 'unset' : 'bad';
}

export type TrailerField = 'image-ok' | 'copy-done';

/** Program one flag to SET (its write block must be erased, as MCUboot's must). */
export function writeFlag(flash: NorFlash, slot: SlotArea, field: TrailerField): FlashOp {
  const t = trailerLayout(slot.size, flash.writeSize);
  const block = new Uint8Array(t.align).fill(ERASED);
  block[0] = BOOT_FLAG_SET;
  return flash.write(slot.offset + (field === 'image-ok' ? t.imageOkOff : t.copyDoneOff), block);
}

export function writeSwapInfo(flash: NorFlash, slot: SlotArea, swapType: number, image = 0): FlashOp {
  const t = trailerLayout(slot.size, flash.writeSize);
  const block = new Uint8Array(t.align).fill(ERASED);
  block[0] = (swapType & 0x0f) | ((image & 0x0f) << 4);
  return flash.write(slot.offset + t.swapInfoOff, block);
}

export function writeMagic(flash: NorFlash, slot: SlotArea): FlashOp {
  const t = trailerLayout(slot.size, flash.writeSize);
  const field = new Uint8Array(slot.size - t.magicOff).fill(ERASED);
  field.set(BOOT_MAGIC, field.length - BOOT_MAGIC.length);
  return flash.write(slot.offset + t.magicOff, field);
}
