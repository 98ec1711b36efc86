// How the board's img_mgmt streams an upload into the secondary slot (Zephyr's stream_flash with
// CONFIG_IMG_ERASE_PROGRESSIVELY): chunks of any length, held until they make whole write
// blocks, each sector erased when the data first reaches it, the last partial block padded with
// 0xFF. A stream has no seek: the upload handler decides which chunks reach it.
//
// Two bug modes act here, so they break the flash rules the way real firmware does:
// - eraseLate (smp-sector-off-by-one): the erase rounds the stream's end down to a sector
//   instead of up, so each sector is erased one sector late, when the data reaches its end,
//   wiping what was already programmed into it (and the last sector is never erased);
// - limit below the image's length (smp-oversize-accepted): bytes past the limit are dropped
//   silently while the stream position still advances.
import type { FlashSlots, SlotId } from '../flash/index.js';

export interface UploadWriterOptions {
  /** slot offset past which bytes are dropped (default: the slot's image area, before its trailer) */
  limit?: number;
  /** erase each sector one sector late (bug mode smp-sector-off-by-one) */
  eraseLate?: boolean;
}

export class UploadWriter {
  private held = new Uint8Array(0);
  /** bytes programmed (whole write blocks) */
  private written = 0;
  /** the stream position: bytes taken, dropped ones included */
  private taken = 0;
  private erasedTo = 0;
  private readonly limit: number;
  private readonly eraseLate: boolean;

  constructor(
    private readonly slots: FlashSlots,
    readonly slot: SlotId,
    opts: UploadWriterOptions = {},
  ) {
    this.limit = Math.min(opts.limit ?? slots.imageArea(slot), slots.imageArea(slot));
    this.eraseLate = opts.eraseLate ?? false;
  }

  /** bytes taken so far: where the next chunk goes */
  get offset(): number {
    return this.taken;
  }

  /** Take the next chunk; programs the whole write blocks it completes. Returns the busy time, ms. */
  write(chunk: Uint8Array): number {
    const room = Math.max(0, this.limit - this.written - this.held.length);
    const kept = chunk.subarray(0, Math.min(room, chunk.length));
    this.taken += chunk.length;
    const w = this.slots.flash.writeSize;
    const all = new Uint8Array(this.held.length + kept.length);
    all.set(this.held);
    all.set(kept, this.held.length);
    const whole = all.length - (all.length % w);
    this.held = all.slice(whole);
    return this.program(all.subarray(0, whole));
  }

  /**
   * Pad what is held to a whole write block with 0xFF and program it, then erase the slot's
   * trailer sector if the stream did not reach it (Zephyr does the same on the last chunk, so
   * that no stale trailer of an earlier image comes with the new one). Returns the busy time, ms.
   */
  finish(): number {
    let ms = 0;
    if (this.held.length > 0) {
      const w = this.slots.flash.writeSize;
      const last = new Uint8Array(Math.ceil(this.held.length / w) * w).fill(this.slots.flash.erasedValue);
      last.set(this.held);
      this.held = new Uint8Array(0);
      ms += this.program(last);
    }
    const ss = this.slots.flash.sectorSize;
    const size = this.slots.area(this.slot).size;
    const trailerSector = Math.floor(this.slots.imageArea(this.slot) / ss) * ss;
    if (this.erasedTo <= trailerSector) {
      ms += this.slots.erase(this.slot, trailerSector, size - trailerSector).ms;
      this.erasedTo = size;
    }
    return ms;
  }

  private program(data: Uint8Array): number {
    if (data.length === 0) return 0;
    let ms = 0;
    const end = this.written + data.length;
    const ss = this.slots.flash.sectorSize;
    const to = (this.eraseLate ? Math.floor(end / ss) : Math.ceil(end / ss)) * ss;
    if (to > this.erasedTo) {
      ms += this.slots.erase(this.slot, this.erasedTo, to - this.erasedTo).ms;
      this.erasedTo = to;
    }
    ms += this.slots.write(this.slot, this.written, data).ms;
    this.written = end;
    return ms;
  }
}
