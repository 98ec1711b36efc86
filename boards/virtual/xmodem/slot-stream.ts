// One upload streaming into a flash slot, as firmware writes it (Zephyr's stream_flash): chunks
// of any length at increasing offsets, held until they make whole write blocks, each sector
// erased when the stream first reaches it, the last partial block padded with 0xFF at the end.
// Besides SlotWriter (flash/slot-writer.ts) it keeps what an upload path reports: the byte
// count, a running SHA-256 of the bytes as the slot will read them back, and the state; it can
// leave a hole (skipTo, the CoAP gap bug mode). A flash failure stops the stream and `problem`
// says why, so a protocol can answer its peer; a power cut is not a failure but a reset, and
// goes on up to the board (the stream is aborted first).
import { createHash, type Hash } from 'node:crypto';
import { type FlashSlots, isPowerLoss, type SlotId } from '../flash/index.js';

export type StreamState = 'receiving' | 'complete' | 'aborted';

export class SlotStream {
  state: StreamState = 'receiving';
  /** why the stream stopped early (aborted) */
  problem: string | undefined;
  /** bytes not yet a whole write block */
  private held = new Uint8Array(0);
  /** bytes programmed from the slot's start */
  private flashed = 0;
  /** sectors from the slot's start up to here are erased (or written since) */
  private erasedTo = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest: Uint8Array | undefined;

  constructor(
    private readonly slots: FlashSlots,
    readonly slot: SlotId,
    /** the most bytes the stream may take (the slot minus its trailer) */
    readonly capacity: number,
    /** called after every change of the slot's contents (the owner's ETag) */
    private readonly changed: () => void,
  ) {}

  /** bytes taken so far: the offset the next chunk goes to */
  get length(): number {
    return this.flashed + this.held.length;
  }

  /** bytes that still fit */
  get room(): number {
    return this.capacity - this.length;
  }

  get open(): boolean {
    return this.state === 'receiving';
  }

  /** SHA-256 of the bytes taken so far (the image once complete). */
  sha256(): Uint8Array {
    return this.digest ?? new Uint8Array(this.hash.copy().digest());
  }

  /** Take the next chunk. False when the stream is not open or the chunk cannot go in (`problem` says why). */
  write(chunk: Uint8Array): boolean {
    if (!this.open) return false;
    if (chunk.length > this.room) return this.fail(`the image does not fit: ${this.length + chunk.length} bytes, slot ${this.slot} holds ${this.capacity}`);
    this.hash.update(chunk);
    const w = this.slots.flash.writeSize;
    const all = new Uint8Array(this.held.length + chunk.length);
    all.set(this.held);
    all.set(chunk, this.held.length);
    const whole = all.length - (all.length % w);
    this.held = all.slice(whole);
    return this.program(all.subarray(0, whole));
  }

  /**
   * Go on at `offset`, leaving what lies between erased (reads 0xFF): the hole a server that
   * takes a block past a gap leaves (bug mode coap-block1-gap-accepted). The hash takes the hole
   * as the 0xFF it reads back as.
   */
  skipTo(offset: number): boolean {
    if (!this.open) return false;
    if (offset < this.length) throw new RangeError(`skipTo(${offset}) is behind the stream (${this.length} bytes taken)`);
    if (offset > this.capacity) return this.fail(`offset ${offset} is past the end of slot ${this.slot} (${this.capacity} bytes)`);
    const erased = this.slots.flash.erasedValue;
    const w = this.slots.flash.writeSize;
    this.hash.update(new Uint8Array(offset - this.length).fill(erased));
    if (this.held.length > 0) {
      // the write block in progress: fill it with 0xFF up to the offset or its end
      const fill = Math.min(offset, this.flashed + w) - this.length;
      const grown = new Uint8Array(this.held.length + fill).fill(erased);
      grown.set(this.held);
      this.held = grown;
      if (this.held.length < w) return true;
      const block = this.held;
      this.held = new Uint8Array(0);
      if (!this.program(block)) return false;
    }
    // whole write blocks of hole stay erased; the start of the block the offset falls in is held as 0xFF
    if (!this.eraseTo(offset)) return false;
    const base = offset - (offset % w);
    this.flashed = Math.max(this.flashed, base);
    this.held = new Uint8Array(offset - this.flashed).fill(erased);
    return true;
  }

  /** The end of the image: pad what is held to a whole write block and program it. */
  finish(): boolean {
    if (!this.open) return false;
    if (!this.padLast()) return false;
    this.digest = new Uint8Array(this.hash.digest());
    this.state = 'complete';
    return true;
  }

  /** Stop here (the peer cancelled, a newer upload took the slot); what was written stays. */
  abort(problem: string): void {
    if (!this.open) return;
    this.problem = problem;
    this.state = 'aborted';
  }

  /** `length` bytes at `offset` as the slot reads back, bytes still held in RAM included. */
  read(offset: number, length: number): Uint8Array {
    const out = this.slots.read(this.slot, offset, length);
    for (let i = 0; i < this.held.length; i++) {
      const at = this.flashed + i - offset;
      if (at >= 0 && at < length) out[at] = this.held[i]!;
    }
    return out;
  }

  /** The last partial write block, padded with 0xFF (the padding is not part of the image). */
  private padLast(): boolean {
    if (this.held.length === 0) return true;
    const w = this.slots.flash.writeSize;
    const last = new Uint8Array(w).fill(this.slots.flash.erasedValue);
    last.set(this.held);
    const taken = this.held.length;
    this.held = new Uint8Array(0);
    if (!this.program(last)) return false;
    this.flashed -= w - taken;
    return true;
  }

  private program(data: Uint8Array): boolean {
    if (data.length === 0) return true;
    try {
      if (!this.eraseTo(this.flashed + data.length)) return false;
      this.slots.write(this.slot, this.flashed, data);
    } catch (e) {
      if (isPowerLoss(e)) throw this.cut(e);
      return this.fail(`flash write at offset ${this.flashed} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.changed();
    }
    this.flashed += data.length;
    return true;
  }

  /** CONFIG_IMG_ERASE_PROGRESSIVELY: erase the sectors up to `end` the stream has not erased yet. */
  private eraseTo(end: number): boolean {
    if (end <= this.erasedTo) return true;
    const ss = this.slots.flash.sectorSize;
    const to = Math.ceil(end / ss) * ss;
    try {
      this.slots.erase(this.slot, this.erasedTo, to - this.erasedTo);
    } catch (e) {
      if (isPowerLoss(e)) throw this.cut(e);
      return this.fail(`flash erase at offset ${this.erasedTo} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.changed();
    }
    this.erasedTo = to;
    return true;
  }

  private cut(e: Error): Error {
    this.abort(e.message);
    return e;
  }

  private fail(problem: string): false {
    this.abort(problem);
    return false;
  }
}
