// MCUboot's slot layout on the virtual board's flash, and what the SMP image group asks of it:
// erase, write and read a slot; the image list as Zephyr's img_mgmt answers it; test, confirm;
// and the bootloader's swap at the next boot (boot()).
//
// What is modelled of MCUboot (swap mode, one image, bootutil_public.c and loader.c):
// - slot 0 (primary) runs; slot 1 (secondary) receives uploads; an optional scratch area is
//   used for the swap; both slots have the same size and end with an image trailer
//   (boot-trailer.ts);
// - markPending(hash, permanent) = boot_set_pending: image_ok (when permanent), swap_info, then
//   the magic into the secondary's trailer, the magic last so that a cut request is no request;
// - confirm() = boot_set_confirmed: image_ok into the primary's trailer when its magic is good;
// - boot(): the swap type from the trailers (boot-swap.ts). For test, perm and revert the
//   secondary is validated first (complete, SHA-256 matches): an invalid one is erased and not
//   swapped in, as MCUboot does. Then the slots are swapped and the primary's trailer written:
//   copy_done always, image_ok after perm and revert. So a tested image runs once, and unless
//   it is confirmed the next boot swaps the old one back (revert) and marks it confirmed;
// - image list flags follow img_mgmt_state_flags: active = slot 0; confirmed = slot 0 unless a
//   revert is due, then slot 1; pending (+ permanent) = slot 1 when a test (perm) swap is due.
//   One rule is this model's own and stricter than Zephyr: a slot's pending, permanent and
//   (for slot 1) confirmed flags show only when its image is bootable (whole, hash matching),
//   and markPending refuses an image that is not, so an interrupted upload is never pending.
// Not modelled: swap status and resuming an interrupted swap (boot() disarms an armed power cut
// while it runs and re-arms what is left), swap-move, direct-XIP, multi-image, signatures,
// downgrade prevention, encrypted images.
import { readTrailer, SWAP_TYPE, type SlotArea, type TrailerState, trailerLayout, writeFlag, writeMagic, writeSwapInfo } from './boot-trailer.js';
import { swapSlots, type SwapType, swapTypeOf } from './boot-swap.js';
import { FlashRuleError } from './flash-errors.js';
import { checkSlotImage, type ImageCheck } from './slot-image-check.js';
import type { FlashOp, NorFlash } from './nor-flash.js';

/** SMP's slot numbers: 0 primary (running), 1 secondary (upload target). */
export type SlotId = 0 | 1;

export interface SlotLayout {
  primary: SlotArea;
  secondary?: SlotArea;
  /** used by the swap, sector by sector; at least one sector */
  scratch?: SlotArea;
}

/** One entry of the image list, as an SMP image-state response carries it. */
export interface ImageSlotState {
  image: 0;
  slot: SlotId;
  version: string;
  /** the SHA-256 TLV's value; absent when the TLV area is not there (an incomplete upload) */
  hash?: Uint8Array;
  bootable: boolean;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  permanent: boolean;
  /** why it is not bootable, for logs and diagnostics (not on the wire) */
  problem?: string;
}

export type ImageStateRefusal =
  /** no slot holds an image with that hash */
  | 'hash-not-found'
  /** the image is incomplete, corrupted or flagged non-bootable */
  | 'image-invalid'
  /** only slot 1 can be tested */
  | 'invalid-slot'
  /** slot 1 holds the confirmed image a revert will restore: confirm or reboot first */
  | 'already-confirmed'
  /** the trailer holds neither MCUboot's values nor erased bytes */
  | 'bad-trailer';

export type ImageStateResult = { ok: true; ms: number } | { ok: false; reason: ImageStateRefusal; message: string };

export interface BootReport {
  swap: SwapType;
  /** what the swap cost on the flash, ms */
  ms: number;
  /** MCUboot-style log lines, for the board's console */
  log: string[];
  /** the primary now holds a whole image whose hash matches (MCUboot would jump to it) */
  primaryBootable: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export class FlashSlots {
  private readonly slots: SlotArea[];
  private readonly scratch: SlotArea | undefined;
  private readonly checks = new Map<SlotId, { generation: number; check: ImageCheck | undefined }>();

  constructor(
    readonly flash: NorFlash,
    layout: SlotLayout,
  ) {
    const named: [string, SlotArea][] = [['primary', layout.primary]];
    if (layout.secondary) named.push(['secondary', layout.secondary]);
    if (layout.scratch) named.push(['scratch', layout.scratch]);
    for (const [name, a] of named) this.checkArea(name, a);
    for (let i = 0; i < named.length; i++) {
      for (let j = i + 1; j < named.length; j++) {
        const [n1, a] = named[i] as [string, SlotArea];
        const [n2, b] = named[j] as [string, SlotArea];
        if (a.offset < b.offset + b.size && b.offset < a.offset + a.size) throw new TypeError(`slots.${n2} overlaps slots.${n1}`);
      }
    }
    if (layout.secondary && layout.secondary.size !== layout.primary.size) {
      throw new TypeError(`slots.secondary.size ${hex(layout.secondary.size)} must equal slots.primary.size ${hex(layout.primary.size)} for a swap`);
    }
    if (trailerLayout(layout.primary.size, flash.writeSize).size >= layout.primary.size) {
      throw new TypeError(`slots.primary.size ${hex(layout.primary.size)} leaves no room for an image before the trailer`);
    }
    this.slots = layout.secondary ? [layout.primary, layout.secondary] : [layout.primary];
    this.scratch = layout.scratch;
  }

  /** the slots this layout has */
  get ids(): SlotId[] {
    return this.slots.length === 2 ? [0, 1] : [0];
  }

  area(slot: SlotId): SlotArea {
    const a = this.slots[slot];
    if (!a) throw new FlashRuleError('bounds', `slot ${slot} does not exist on this flash layout`);
    return a;
  }

  /** the bytes an image may use: the slot minus its trailer */
  imageArea(slot: SlotId): number {
    const a = this.area(slot);
    return a.size - trailerLayout(a.size, this.flash.writeSize).size;
  }

  eraseSlot(slot: SlotId): FlashOp {
    const a = this.area(slot);
    return this.flash.erase(a.offset, a.size);
  }

  /** Erase whole sectors of a slot, offsets from the slot's start. */
  erase(slot: SlotId, offset: number, length: number): FlashOp {
    return this.flash.erase(this.at(slot, 'erase', offset, length), length);
  }

  write(slot: SlotId, offset: number, data: Uint8Array): FlashOp {
    return this.flash.write(this.at(slot, 'write', offset, data.length), data);
  }

  read(slot: SlotId, offset: number, length: number): Uint8Array {
    return this.flash.read(this.at(slot, 'read', offset, length), length);
  }

  /** The image in a slot and whether it is whole, or undefined when there is no header. */
  check(slot: SlotId): ImageCheck | undefined {
    const cached = this.checks.get(slot);
    if (cached?.generation === this.flash.generation) return cached.check;
    const check = checkSlotImage((off, len) => this.read(slot, off, len), this.imageArea(slot));
    this.checks.set(slot, { generation: this.flash.generation, check });
    return check;
  }

  trailer(slot: SlotId): TrailerState {
    return readTrailer(this.flash, this.area(slot));
  }

  /** the swap the bootloader would do if the board reset now */
  swapType(): SwapType {
    return swapTypeOf(this.trailer(0), this.slots[1] ? this.trailer(1) : undefined);
  }

  /** Every slot with an image header, as Zephyr's img_mgmt lists them. */
  imageList(): ImageSlotState[] {
    const type = this.swapType();
    const out: ImageSlotState[] = [];
    for (const slot of this.ids) {
      const c = this.check(slot);
      if (!c) continue;
      const f = stateFlags(slot, type);
      out.push({
        image: 0,
        slot,
        version: c.version,
        ...(c.hash ? { hash: c.hash } : {}),
        bootable: c.bootable,
        pending: f.pending && c.bootable,
        confirmed: f.confirmed && (slot === 0 || c.bootable),
        active: slot === 0,
        permanent: f.permanent && c.bootable,
        ...(c.problem ? { problem: c.problem } : {}),
      });
    }
    return out;
  }

  /** `image test` (permanent: false) or `image confirm` of the image in slot 1. */
  markPending(hash: Uint8Array, permanent: boolean): ImageStateResult {
    const slot = this.findByHash(hash);
    if (slot === undefined) return refuse('hash-not-found', 'no slot holds an image with that hash');
    if (slot === 0) {
      if (permanent) return this.confirm();
      return refuse('invalid-slot', 'the running image (slot 0) cannot be tested; test the image in slot 1');
    }
    const c = this.check(1);
    if (!c?.bootable) return refuse('image-invalid', `the image in slot 1 cannot boot: ${c?.problem ?? 'no image'}`);
    if (stateFlags(1, this.swapType()).confirmed) {
      return refuse('already-confirmed', 'slot 1 holds the confirmed image a revert will restore; confirm the running image or reboot first');
    }
    const area = this.area(1);
    const t = this.trailer(1);
    if (t.magic === 'good') return { ok: true, ms: 0 }; // a swap is already requested (MCUboot: no change)
    if (t.magic === 'bad') return refuse('bad-trailer', 'the trailer of slot 1 is corrupt');
    let ms = 0;
    if (permanent) ms += writeFlag(this.flash, area, 'image-ok').ms;
    ms += writeSwapInfo(this.flash, area, permanent ? SWAP_TYPE.perm : SWAP_TYPE.test).ms;
    ms += writeMagic(this.flash, area).ms;
    return { ok: true, ms };
  }

  /**
   * `image confirm`: without a hash, or with the running image's, mark the running image good;
   * with slot 1's hash, the same as markPending(hash, true) (as img_mgmt does).
   */
  confirm(hash?: Uint8Array): ImageStateResult {
    if (hash) {
      const slot = this.findByHash(hash);
      if (slot === undefined) return refuse('hash-not-found', 'no slot holds an image with that hash');
      if (slot === 1) return this.markPending(hash, true);
    }
    const t = this.trailer(0);
    if (t.magic === 'unset') return { ok: true, ms: 0 }; // never swapped in: already confirmed
    if (t.magic === 'bad' || t.imageOk === 'bad') return refuse('bad-trailer', 'the trailer of slot 0 is corrupt');
    if (t.imageOk === 'set') return { ok: true, ms: 0 };
    return { ok: true, ms: writeFlag(this.flash, this.area(0), 'image-ok').ms };
  }

  /** The bootloader's part of a reset: validate, swap, finalize the trailers. */
  boot(): BootReport {
    const cut = this.flash.disarmPowerCut();
    try {
      return this.runBootloader();
    } finally {
      if (cut !== undefined) this.flash.powerCutAt(cut);
    }
  }

  private runBootloader(): BootReport {
    const log: string[] = [];
    let type = this.slots[1] ? this.swapType() : 'none';
    let ms = 0;
    log.push(`Swap type: ${type}`);
    if (type !== 'none') {
      const s = this.check(1);
      if (!s?.bootable) {
        log.push(`Image in the secondary slot is not valid: ${s?.problem ?? 'no image header'}`);
        if (s) {
          ms += this.eraseSlot(1).ms;
          log.push('Erased the secondary slot');
        }
        type = 'none';
      } else {
        const bytes = Math.max(this.imageBytes(0), this.imageBytes(1));
        log.push(`Starting swap${this.scratch ? ' using scratch' : ''}: ${bytes} bytes`);
        const primary = this.area(0);
        ms += swapSlots(this.flash, primary, this.area(1), bytes, trailerLayout(primary.size, this.flash.writeSize).size, this.scratch).ms;
        ms += writeSwapInfo(this.flash, primary, SWAP_TYPE[type]).ms;
        ms += writeFlag(this.flash, primary, 'copy-done').ms;
        if (type !== 'test') ms += writeFlag(this.flash, primary, 'image-ok').ms;
        ms += writeMagic(this.flash, primary).ms;
      }
    }
    const p = this.check(0);
    log.push(p?.bootable ? `Jumping to the image in the primary slot, version ${p.version}` : `Unable to find a bootable image: ${p?.problem ?? 'no image header in the primary slot'}`);
    return { swap: type, ms, log, primaryBootable: p?.bootable ?? false };
  }

  /** how much of a slot an image occupies: its full length, the whole image area when unknown */
  private imageBytes(slot: SlotId): number {
    const c = this.check(slot);
    if (!c) return 0;
    return Math.min(c.length ?? this.imageArea(slot), this.imageArea(slot));
  }

  private findByHash(hash: Uint8Array): SlotId | undefined {
    return this.ids.find((s) => {
      const h = this.check(s)?.hash;
      return h !== undefined && sameBytes(h, hash);
    });
  }

  private at(slot: SlotId, op: string, offset: number, length: number): number {
    const a = this.area(slot);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > a.size) {
      throw new FlashRuleError('bounds', `${op} of ${length} bytes at offset ${hex(offset)} is outside slot ${slot} (${hex(a.size)} bytes)`);
    }
    return a.offset + offset;
  }

  private checkArea(name: string, a: SlotArea): void {
    const ss = this.flash.sectorSize;
    if (!Number.isInteger(a.offset) || a.offset < 0 || a.offset % ss !== 0) {
      throw new TypeError(`slots.${name}.offset ${hex(a.offset)} is not a multiple of sectorSize ${hex(ss)}`);
    }
    if (!Number.isInteger(a.size) || a.size <= 0 || a.size % ss !== 0) {
      throw new TypeError(`slots.${name}.size ${hex(a.size)} is not a positive multiple of sectorSize ${hex(ss)}`);
    }
    if (a.offset + a.size > this.flash.size) {
      throw new TypeError(`slots.${name} ends at ${hex(a.offset + a.size)}, past the end of flash (size ${hex(this.flash.size)})`);
    }
  }
}

/** img_mgmt_state_flags for one image in swap mode: slot 0 is the active slot. */
function stateFlags(slot: SlotId, type: SwapType): { pending: boolean; confirmed: boolean; permanent: boolean } {
  const active = slot === 0;
  switch (type) {
    case 'none':
      return { pending: false, confirmed: active, permanent: false };
    case 'test':
      return { pending: !active, confirmed: active, permanent: false };
    case 'perm':
      return { pending: !active, confirmed: active, permanent: !active };
    case 'revert':
      return { pending: false, confirmed: !active, permanent: false };
  }
}

function refuse(reason: ImageStateRefusal, message: string): ImageStateResult {
  return { ok: false, reason, message };
}
