// The virtual board's flash chip as it leaves the factory: the profile's geometry (MCUboot
// primary and secondary slots) with a factory image in the primary slot, confirmed (an erased
// trailer: MCUboot's "never swapped" state), and an empty secondary slot. The chip is made once
// per service instance and outlives reboots, as flash does.
import { buildTestImage } from '../../../protocols/mcuboot/image.js';
import type { FlashGeometry } from '../../profiles/board-profile.js';
import { virtualProfile } from '../../profiles/virtual.js';
import { type FlashSlots, flashFromGeometry, type NorFlashOptions } from '../flash/index.js';

export interface FactoryImageSpec {
  /** MCUboot version, '1.2.3+4' */
  version: string;
  /** body bytes */
  size: number;
}

/** What the factory writes by default: a 32 KiB image, version 1.0.0. */
export const DEFAULT_FACTORY_IMAGE: FactoryImageSpec = { version: '1.0.0', size: 32 * 1024 };

export interface BoardFlashOptions {
  /** default: the virtual profile's flash */
  geometry?: FlashGeometry;
  /** flash speed (defaults: an nRF52840) */
  timing?: Pick<NorFlashOptions, 'writeBytesPerSecond' | 'sectorEraseMs'>;
  /** the image in the primary slot, or false for an empty chip */
  factoryImage?: FactoryImageSpec | false;
}

/** The factory image's bytes: a seeded body, so every board (and every test) gets the same one. */
export function factoryImage(spec: FactoryImageSpec = DEFAULT_FACTORY_IMAGE): Uint8Array {
  const payload = new Uint8Array(spec.size);
  let x = 0x9e3779b9;
  for (let i = 0; i < payload.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    payload[i] = x >>> 24;
  }
  return buildTestImage({ version: spec.version, payload });
}

/** A fresh chip: erased, then the factory image programmed into the primary slot. */
export function makeBoardFlash(opts: BoardFlashOptions = {}): FlashSlots {
  const geometry = opts.geometry ?? virtualProfile.flash;
  if (!geometry) throw new TypeError('makeBoardFlash: the board profile has no flash geometry');
  const slots = flashFromGeometry(geometry, opts.timing ?? {});
  if (opts.factoryImage !== false) {
    const image = factoryImage(opts.factoryImage ?? DEFAULT_FACTORY_IMAGE);
    if (image.length > slots.imageArea(0)) throw new TypeError(`makeBoardFlash: the ${image.length}-byte factory image does not fit the primary slot`);
    const w = slots.flash.writeSize;
    const padded = new Uint8Array(Math.ceil(image.length / w) * w).fill(slots.flash.erasedValue);
    padded.set(image);
    slots.write(0, 0, padded);
  }
  return slots;
}
