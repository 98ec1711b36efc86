// One direction of an impaired link. For each datagram (or slice of a stream) it draws the fate
// (lost, doubled, held back to swap with the next) and the hand-on time (line-rate pacing, then
// delay ± jitter, never before what went in earlier), and hands it to its sink in order.
import type { Clock, ClockHandle } from '../../rig/engine/index.js';
import { DeliveryQueue, type Done } from './delivery-queue.js';
import type { ImpairCounters } from './impair-stats.js';
import type { ResolvedImpairOptions } from './impair-options.js';
import { LinePacer } from './line-pacer.js';
import { deriveSeed, mulberry32, type Rng } from './rng.js';

/** Where a lane's traffic goes: the inner transport (out) or the engine (in). */
export interface LaneSink {
  /** hand the bytes on; a duplicate comes with isCopy = true and no `done` */
  pass(bytes: Uint8Array, done: Done | undefined, isCopy: boolean): void;
  /** the bytes were lost on the link (the sender is told they left all the same) */
  lose(bytes: Uint8Array, done: Done | undefined): void;
}

/** How long a datagram held back for reordering waits for a successor before going on alone. */
export const REORDER_HOLD_MS = 100;

/** Stream slices are ~1 ms of line time, and at least this many bytes (a USB CDC packet). */
export const MIN_SLICE_BYTES = 64;

const LOST = 1;
const DOUBLE = 2;
const HOLD = 4;

/** Does `dir` of a link need a lane at all (else the bytes pass straight through). */
export function laneNeeded(o: ResolvedImpairOptions, dir: 'in' | 'out'): boolean {
  if (o.direction !== 'both' && o.direction !== dir) return false;
  return o.loss > 0 || o.duplicate > 0 || o.reorder > 0 || o.delayMs > 0 || o.jitterMs > 0 || o.baud !== undefined;
}

interface Held {
  bytes: Uint8Array;
  done: Done | undefined;
  flags: number;
}

export class Lane {
  private readonly queue: DeliveryQueue;
  private readonly pacer?: LinePacer;
  private readonly sliceBytes: number;
  private readonly lossRng?: Rng;
  private readonly dupRng?: Rng;
  private readonly reorderRng?: Rng;
  private readonly jitterRng?: Rng;
  private held?: Held;
  private holdTimer?: ClockHandle;
  private closed = false;

  constructor(
    private readonly o: ResolvedImpairOptions,
    private readonly clock: Clock,
    /** this lane's own seed (derived from the run's seed, the link and the direction) */
    seed: number,
    /** a byte stream: slices it when paced, never loses, doubles or reorders */
    private readonly stream: boolean,
    private readonly counters: ImpairCounters,
    private readonly sink: LaneSink,
  ) {
    this.queue = new DeliveryQueue(clock, this.handOn);
    if (o.baud !== undefined) this.pacer = new LinePacer(o.baud, o.bitsPerByte);
    this.sliceBytes = this.pacer ? Math.max(MIN_SLICE_BYTES, Math.ceil(this.pacer.bytesPerMs)) : Infinity;
    // one stream of draws per impairment, so switching one on does not reshuffle the others
    if (!stream && o.loss > 0) this.lossRng = mulberry32(deriveSeed(seed, 1));
    if (!stream && o.duplicate > 0) this.dupRng = mulberry32(deriveSeed(seed, 2));
    if (!stream && o.reorder > 0) this.reorderRng = mulberry32(deriveSeed(seed, 3));
    if (o.jitterMs > 0) this.jitterRng = mulberry32(deriveSeed(seed, 4));
  }

  /** Datagrams or slices still in flight (a held-back one included). */
  get inFlight(): number {
    return this.queue.size + (this.held ? 1 : 0);
  }

  /** A datagram (or a chunk of a stream) enters the link now. `bytes` must stay unchanged until handed on. */
  push(bytes: Uint8Array, done?: Done): void {
    if (this.closed) return;
    const now = this.clock.now();
    if (!this.stream) {
      let flags = 0;
      if (this.lossRng && this.lossRng() < this.o.loss) {
        flags = LOST;
        this.counters.dropped++;
      } else {
        if (this.dupRng && this.dupRng() < this.o.duplicate) flags |= DOUBLE;
        if (this.reorderRng && this.reorderRng() < this.o.reorder) flags |= HOLD;
      }
      const left = this.pacer ? this.pacer.finish(now, bytes.length) : now;
      this.enqueue(now, left, bytes, done, flags);
      return;
    }
    if (!this.pacer || bytes.length <= this.sliceBytes) {
      this.enqueue(now, this.pacer ? this.pacer.finish(now, bytes.length) : now, bytes, done, 0);
      return;
    }
    // a paced stream trickles out slice by slice, each handed on when its last byte has left
    for (let off = 0; off < bytes.length; off += this.sliceBytes) {
      const slice = bytes.subarray(off, Math.min(bytes.length, off + this.sliceBytes));
      this.enqueue(now, this.pacer.finish(now, slice.length), slice, undefined, 0);
    }
  }

  pause(): void {
    this.queue.pause();
  }

  resume(): void {
    this.queue.resume();
  }

  /** Call `fn` once nothing is in flight (a stream's EOF must follow its last bytes). */
  whenEmpty(fn: () => void): void {
    if (this.held) this.releaseHeld();
    this.queue.whenEmpty(fn);
  }

  /** Forget what is in flight (the link is torn down); nothing is handed on after this. */
  close(): void {
    this.closed = true;
    this.queue.close();
    this.holdTimer?.cancel();
    this.holdTimer = undefined;
    this.held = undefined;
  }

  private enqueue(now: number, left: number, bytes: Uint8Array, done: Done | undefined, flags: number): void {
    let at = left + this.o.delayMs;
    if (this.jitterRng) at = left + Math.max(0, this.o.delayMs + (2 * this.jitterRng() - 1) * this.o.jitterMs);
    // one queue: nothing overtakes what went in before it (reordering is the `reorder` option's job)
    const last = this.queue.lastAt;
    if (at < last) at = last;
    if (at > now && !(flags & LOST)) this.counters.delayed++;
    this.queue.push(at, bytes, done, flags);
  }

  private readonly handOn = (bytes: Uint8Array, done: Done | undefined, flags: number): void => {
    if (flags & LOST) {
      this.sink.lose(bytes, done);
      return;
    }
    if (flags & HOLD && !this.held) {
      this.held = { bytes, done, flags };
      this.holdTimer = this.clock.schedule(REORDER_HOLD_MS, this.releaseHeld);
      return;
    }
    this.emit(bytes, done, flags);
    const held = this.held;
    if (held && !this.closed) {
      this.holdTimer?.cancel();
      this.holdTimer = undefined;
      this.held = undefined;
      this.counters.reordered++;
      this.emit(held.bytes, held.done, held.flags);
    }
  };

  /** No successor came in time: the held datagram goes on alone (late, not reordered). */
  private readonly releaseHeld = (): void => {
    const held = this.held;
    this.holdTimer?.cancel();
    this.holdTimer = undefined;
    this.held = undefined;
    if (held && !this.closed) this.emit(held.bytes, held.done, held.flags);
  };

  private emit(bytes: Uint8Array, done: Done | undefined, flags: number): void {
    this.counters.sent++;
    this.counters.bytes += bytes.length;
    this.sink.pass(bytes, done, false);
    if (flags & DOUBLE && !this.closed) {
      this.counters.sent++;
      this.counters.duplicated++;
      this.counters.bytes += bytes.length;
      this.sink.pass(bytes, undefined, true);
    }
  }
}
