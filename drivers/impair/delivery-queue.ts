// What is in flight in one direction of an impaired link, in delivery order, behind a single
// clock timer. The lane keeps delivery times from ever decreasing (a link with one queue is
// FIFO), so the head is always the next one due and one armed `clock.schedule` serves the whole
// queue: no timer and no closure per datagram, and entries live in parallel arrays, not objects.
import type { Clock, ClockHandle, HilrigError } from '../../rig/engine/index.js';

/** A sender's completion callback (a listener child's PeerTransport.write), carried along. */
export type Done = (err?: HilrigError) => void;

/** Receives each entry when it falls due; `flags` are the lane's own marks. */
export type HandOn = (bytes: Uint8Array, done: Done | undefined, flags: number) => void;

export class DeliveryQueue {
  private ats: number[] = [];
  private items: Uint8Array[] = [];
  private dones: (Done | undefined)[] = [];
  private flags: number[] = [];
  private head = 0;
  private timer?: ClockHandle;
  private running = false;
  private paused = false;
  private closed = false;
  private emptied?: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly handOn: HandOn,
  ) {}

  /** entries waiting */
  get size(): number {
    return this.ats.length - this.head;
  }

  /** the delivery time of the last entry, or -Infinity when nothing waits */
  get lastAt(): number {
    return this.size > 0 ? this.ats[this.ats.length - 1]! : -Infinity;
  }

  /** Hand `bytes` on at clock time `at` (not before anything queued earlier); at once if due and nothing waits. */
  push(at: number, bytes: Uint8Array, done: Done | undefined, flags: number): void {
    if (this.closed) return;
    if (this.size === 0 && !this.paused && at <= this.clock.now()) {
      this.handOn(bytes, done, flags);
      return;
    }
    this.ats.push(at);
    this.items.push(bytes);
    this.dones.push(done);
    this.flags.push(flags);
    if (!this.timer && !this.running && !this.paused) this.arm();
  }

  /** Hold everything (the receiver applies backpressure); times keep running. */
  pause(): void {
    this.paused = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Hand on what fell due meanwhile, then continue on schedule. */
  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.run(false);
  }

  /** Forget everything in flight; nothing is handed on after this. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.ats = [];
    this.items = [];
    this.dones = [];
    this.flags = [];
    this.head = 0;
    this.emptied = undefined;
  }

  /** Call `fn` once nothing is in flight (at once if nothing is). */
  whenEmpty(fn: () => void): void {
    if (this.size === 0) fn();
    else this.emptied = fn;
  }

  private arm(): void {
    if (this.size === 0 || this.closed || this.paused) return;
    this.timer = this.clock.schedule(this.ats[this.head]! - this.clock.now(), this.fire);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    // the timer was armed for the head: hand it on even if a coarse host timer fired a hair early
    this.run(true);
  };

  private run(forceHead: boolean): void {
    this.running = true;
    const now = this.clock.now();
    try {
      while (this.size > 0 && !this.paused && !this.closed && (forceHead || this.ats[this.head]! <= now)) {
        forceHead = false;
        const i = this.head++;
        this.handOn(this.items[i]!, this.dones[i], this.flags[i]!);
      }
    } finally {
      this.running = false;
    }
    if (this.closed) return;
    this.compact();
    if (this.size > 0) {
      if (!this.timer && !this.paused) this.arm();
    } else if (this.emptied) {
      const fn = this.emptied;
      this.emptied = undefined;
      fn();
    }
  }

  /** Drop handed-on entries from the front, rarely enough to stay amortised O(1). */
  private compact(): void {
    if (this.head === this.ats.length) {
      this.ats.length = this.items.length = this.dones.length = this.flags.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.ats.length) {
      this.ats.splice(0, this.head);
      this.items.splice(0, this.head);
      this.dones.splice(0, this.head);
      this.flags.splice(0, this.head);
      this.head = 0;
    }
  }
}
