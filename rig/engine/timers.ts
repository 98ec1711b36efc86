// Mongoose's mg_timer: a period, a repeat flag, and a callback; the manager keeps one clock
// schedule for the earliest deadline instead of one host timer per Timer.
import type { Clock, ClockHandle } from './clock.js';

export interface Timer {
  readonly id: number;
  /** free-form label, handy in a handler with several timers */
  readonly tag: string;
  readonly periodMs: number;
  readonly repeat: boolean;
  /** the clock time it fires next */
  due: number;
  cancelled: boolean;
}

interface Entry {
  timer: Timer;
  fire: (timer: Timer, now: number) => void;
}

export class TimerWheel {
  private entries: Entry[] = [];
  private nextId = 1;
  private handle?: ClockHandle;
  private armedFor = Infinity;

  constructor(private readonly clock: Clock) {}

  add(periodMs: number, repeat: boolean, tag: string, fire: (timer: Timer, now: number) => void): Timer {
    if (!(periodMs >= 0)) throw new TypeError(`timer period must be >= 0 ms, got ${periodMs}`);
    const timer: Timer = { id: this.nextId++, tag, periodMs, repeat, due: this.clock.now() + periodMs, cancelled: false };
    this.entries.push({ timer, fire });
    this.arm();
    return timer;
  }

  cancel(timer: Timer): void {
    timer.cancelled = true;
    this.entries = this.entries.filter((e) => e.timer !== timer);
    if (this.entries.length === 0) this.disarm();
  }

  cancelAll(): void {
    for (const e of this.entries) e.timer.cancelled = true;
    this.entries = [];
    this.disarm();
  }

  get size(): number {
    return this.entries.length;
  }

  /** Fire what is due at `now`, oldest deadline first. */
  run(now: number): void {
    const due = this.entries.filter((e) => e.timer.due <= now).sort((a, b) => a.timer.due - b.timer.due);
    for (const e of due) {
      if (e.timer.cancelled) continue;
      if (e.timer.repeat) {
        // keep the cadence: next due from the last due, not from now, unless we fell far behind
        e.timer.due = Math.max(e.timer.due + e.timer.periodMs, now);
        if (e.timer.periodMs === 0) e.timer.due = now + 1;
      } else {
        this.cancel(e.timer);
      }
      e.fire(e.timer, now);
    }
    this.arm();
  }

  private arm(): void {
    if (this.entries.length === 0) return this.disarm();
    let earliest = Infinity;
    for (const e of this.entries) earliest = Math.min(earliest, e.timer.due);
    if (this.handle && earliest >= this.armedFor) return;
    this.disarm();
    this.armedFor = earliest;
    this.handle = this.clock.schedule(earliest - this.clock.now(), () => {
      this.handle = undefined;
      this.armedFor = Infinity;
      this.run(this.clock.now());
    });
  }

  private disarm(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.armedFor = Infinity;
  }
}
