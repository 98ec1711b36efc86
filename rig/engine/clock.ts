// The manager's clock. Time is injected (as Mongoose passes `now` into mg_timer_poll) so that
// retransmission, timeouts and Observe freshness are tested without sleeping:
// - RealClock: wall time, monotonic.
// - ScaledClock: real time running `factor` times faster (a whole suite against the virtual
//   board in seconds); both sides of a link must share it.
// - VirtualClock: time moves only when a test calls advance().

export interface ClockHandle {
  cancel(): void;
}

export interface Clock {
  /** milliseconds, monotonic, arbitrary origin */
  now(): number;
  /** nanoseconds since the epoch for trace timestamps (pcapng wants absolute time) */
  epochNs(): bigint;
  /** run fn once after `ms` of this clock's time */
  schedule(ms: number, fn: () => void): ClockHandle;
}

const epochAtStartNs = BigInt(Date.now()) * 1_000_000n;
const hrAtStart = process.hrtime.bigint();

/** Wall-clock nanoseconds, monotonic after start (Date.now() for the origin, hrtime for steps). */
export function realEpochNs(): bigint {
  return epochAtStartNs + (process.hrtime.bigint() - hrAtStart);
}

export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }
  epochNs(): bigint {
    return realEpochNs();
  }
  schedule(ms: number, fn: () => void): ClockHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  }
}

export class ScaledClock implements Clock {
  private readonly origin = performance.now();
  constructor(readonly factor: number) {
    if (!(factor > 0)) throw new TypeError(`ScaledClock factor must be > 0, got ${factor}`);
  }
  now(): number {
    return (performance.now() - this.origin) * this.factor;
  }
  epochNs(): bigint {
    return realEpochNs();
  }
  schedule(ms: number, fn: () => void): ClockHandle {
    const t = setTimeout(fn, Math.max(0, ms / this.factor));
    return { cancel: () => clearTimeout(t) };
  }
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  epochNs(): bigint {
    return BigInt(Math.round(this.t * 1e6));
  }
  schedule(ms: number, fn: () => void): ClockHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }
  /** Move time forward by `ms`, running every callback that falls due, in time order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      }
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = target;
  }
  /** callbacks still waiting */
  get scheduled(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
