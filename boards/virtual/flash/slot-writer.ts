// How firmware streams an upload into a slot (Zephyr's stream_flash under img_mgmt): chunks of
// any length at increasing offsets, held until they make whole write blocks, each sector erased
// when the stream first reaches it (CONFIG_IMG_ERASE_PROGRESSIVELY; otherwise the caller erases
// the slot first), and the last partial block padded with 0xFF by finish().
import type { FlashOp } from './nor-flash.js';
import type { FlashSlots, SlotId } from './slots.js';

export interface SlotWriterOptions {
  /** erase each sector just before the first write into it (default true) */
  eraseProgressively?: boolean;
}

export class SlotWriter {
  private held = new Uint8Array(0);
  private written = 0;
  private erasedTo = 0;
  private readonly progressive: boolean;

  constructor(
    private readonly slots: FlashSlots,
    readonly slot: SlotId,
    opts: SlotWriterOptions = {},
  ) {
    this.progressive = opts.eraseProgressively ?? true;
  }

  /** bytes accepted so far: the offset the next chunk must start at */
  get offset(): number {
    return this.written + this.held.length;
  }

  /** Take the next chunk; programs the whole write blocks it completes. */
  write(chunk: Uint8Array): FlashOp {
    const w = this.slots.flash.writeSize;
    const all = new Uint8Array(this.held.length + chunk.length);
    all.set(this.held);
    all.set(chunk, this.held.length);
    const whole = all.length - (all.length % w);
    this.held = all.slice(whole);
    return this.program(all.subarray(0, whole));
  }

  /** Pad what is held to a whole write block with 0xFF and program it. */
  finish(): FlashOp {
    if (this.held.length === 0) return { ms: 0 };
    const w = this.slots.flash.writeSize;
    const last = new Uint8Array(Math.ceil(this.held.length / w) * w).fill(this.slots.flash.erasedValue);
    last.set(this.held);
    this.held = new Uint8Array(0);
    return this.program(last);
  }

  private program(data: Uint8Array): FlashOp {
    if (data.length === 0) return { ms: 0 };
    let ms = 0;
    const end = this.written + data.length;
    if (this.progressive && end > this.erasedTo) {
      const ss = this.slots.flash.sectorSize;
      const to = Math.ceil(end / ss) * ss;
      ms += this.slots.erase(this.slot, this.erasedTo, to - this.erasedTo).ms;
      this.erasedTo = to;
    }
    ms += this.slots.write(this.slot, this.written, data).ms;
    this.written = end;
    return { ms };
  }
}
