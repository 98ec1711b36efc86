// Slot 1 (MCUboot's secondary slot) as the board's upload paths write it: the console's
// loadx/loady (XMODEM, YMODEM) and CoAP's PUT /fw. One upload at a time: a new one takes the
// slot over and the one before can write no more (firmware re-initializes its one stream_flash
// context the same way). The slot remembers the last upload (bytes, SHA-256, finished or not)
// for the console's summary, GET /fw and GET /fw/status.
//
// Whose flash: the board's chip is the one the SMP service owns (services/smp.ts: made on first
// use, kept across reboots, MCUboot runs on it at boot, power cuts are armed on it), so an
// image loaded here shows in SMP's image list. A CoAP resource gets no handle on its board, so
// the default is the default board's chip (`hilrig sim` runs one board per process and the
// tests one board at a time); uploadSlotOf(chip) serves a board with a chip of its own. The
// upload record lives with the chip, not with a boot. The CoAP bug mode the /fw resource reads
// here comes the same way (see services/xmodem.ts).
import type { FlashSlots, SlotId } from '../flash/index.js';
import { smpService } from '../services/smp.js';
import { SlotStream, type StreamState } from './slot-stream.js';

export type UploadSource = 'xmodem' | 'ymodem' | 'coap';

export interface UploadStatus {
  /** 'empty': nothing uploaded since the process started */
  state: StreamState | 'empty';
  source?: UploadSource;
  /** the YMODEM file name */
  name?: string;
  /** bytes written from the slot's start: what GET /fw serves */
  length: number;
  /** SHA-256 of those bytes */
  sha256: Uint8Array;
  /** why the upload stopped early */
  problem?: string;
  /** changes with every change of the slot's contents (an ETag for GET /fw) */
  generation: number;
}

interface Upload {
  stream: SlotStream;
  source: UploadSource;
  name?: string;
}

const EMPTY_SHA256 = new Uint8Array([
  0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
  0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

export class UploadSlot {
  /** the most bytes an image may have: the slot minus MCUboot's trailer */
  readonly capacity: number;
  /** bug modes of the upload paths that live outside a service (the CoAP /fw resource's), set at boot */
  readonly bugs = { coapBlock1GapAccepted: false };
  private current: Upload | undefined;
  private gen = 0;

  constructor(
    readonly slots: FlashSlots,
    readonly slot: SlotId = 1,
  ) {
    this.capacity = slots.imageArea(slot);
  }

  /** Start an upload from offset 0; the one in progress (if any) stops with `problem`. */
  begin(source: UploadSource, name?: string): SlotStream {
    this.current?.stream.abort(`a new ${source} upload took slot ${this.slot} over`);
    const stream = new SlotStream(this.slots, this.slot, this.capacity, () => this.gen++);
    this.current = { stream, source, ...(name === undefined ? {} : { name }) };
    this.gen++;
    return stream;
  }

  /** The board reset: an upload in progress is cut off where it was. */
  interrupt(reason: string): void {
    this.current?.stream.abort(reason);
  }

  status(): UploadStatus {
    const u = this.current;
    if (!u) return { state: 'empty', length: 0, sha256: EMPTY_SHA256, generation: this.gen };
    const s = u.stream;
    return {
      state: s.state,
      source: u.source,
      ...(u.name === undefined ? {} : { name: u.name }),
      length: s.length,
      sha256: s.sha256(),
      ...(s.problem === undefined ? {} : { problem: s.problem }),
      generation: this.gen,
    };
  }

  /** What the last upload wrote, as the slot reads back (empty when there was none). */
  written(): Uint8Array {
    const s = this.current?.stream;
    return s ? s.read(0, s.length) : new Uint8Array(0);
  }

  /** Raw bytes of the slot (for tests and diagnostics). */
  read(offset: number, length: number): Uint8Array {
    return this.slots.read(this.slot, offset, length);
  }
}

const bySlots = new WeakMap<FlashSlots, UploadSlot>();

/** Slot 1 of a flash chip, with the record of its last upload (one per chip). */
export function uploadSlotOf(chip: FlashSlots): UploadSlot {
  let s = bySlots.get(chip);
  if (!s) {
    if (!chip.ids.includes(1)) throw new TypeError('this flash layout has no secondary slot to upload into');
    s = new UploadSlot(chip, 1);
    bySlots.set(chip, s);
  }
  return s;
}

/** The default board's slot 1: on the SMP service's chip. */
export function boardUploadSlot(): UploadSlot {
  return uploadSlotOf(smpService.flash);
}
