// One impaired client (or accepted stream) transport: it sits between the engine and the inner
// driver's transport, sending the engine's writes through the 'out' lane and the inner
// transport's data through the 'in' lane. A direction without impairment passes straight through.
import type { Clock, LineControl, LinkSink, Transport } from '../../rig/engine/index.js';
import type { ImpairCounters } from './impair-stats.js';
import type { ResolvedImpairOptions } from './impair-options.js';
import { Lane, laneNeeded } from './lane.js';

export class ImpairedLink implements Transport {
  /** what the inner driver reports into */
  readonly sink: LinkSink;
  private inner?: Transport;
  private outer?: LinkSink;
  private readonly outLane?: Lane;
  private readonly inLane?: Lane;
  private closed = false;
  /** inside write(): completions are deferred, so the engine never sees Send inside its own send() */
  private writing = false;
  private unreported = 0;
  private readonly counters: { out: ImpairCounters; in: ImpairCounters };

  constructor(
    o: ResolvedImpairOptions,
    clock: Clock,
    seeds: { out: number; in: number },
    private readonly datagram: boolean,
    counters: { out: ImpairCounters; in: ImpairCounters },
  ) {
    this.counters = counters;
    const stream = !datagram;
    if (laneNeeded(o, 'out')) {
      this.outLane = new Lane(o, clock, seeds.out, stream, counters.out, {
        pass: (bytes, _done, isCopy) => {
          this.inner?.write(bytes);
          // a datagram has left once it is on the (simulated) wire; a stream's inner transport
          // reports its own completions, slice by slice
          if (this.datagram && !isCopy) this.reportSent(bytes.length);
        },
        lose: (bytes) => this.reportSent(bytes.length),
      });
    }
    if (laneNeeded(o, 'in')) {
      this.inLane = new Lane(o, clock, seeds.in, stream, counters.in, {
        pass: (bytes) => {
          if (!this.closed) this.outer?.data(bytes);
        },
        lose: () => undefined,
      });
    }
    this.sink = {
      opened: (info) => {
        if (!this.closed) this.outer?.opened(info);
      },
      data: (bytes) => {
        if (this.closed) return;
        if (this.inLane) return this.inLane.push(bytes);
        this.counters.in.sent++;
        this.counters.in.bytes += bytes.length;
        this.outer?.data(bytes);
      },
      sent: (n) => {
        // with an out lane on a datagram link, sends are reported when they go on the wire (above)
        if (!this.closed && !(this.datagram && this.outLane)) this.outer?.sent(n);
      },
      failed: (err, fatal) => {
        if (!this.closed) this.outer?.failed(err, fatal);
      },
      ended: (reason) => {
        if (this.closed) return;
        // a stream's EOF comes after the bytes still in flight
        if (this.inLane) this.inLane.whenEmpty(() => !this.closed && this.outer?.ended(reason));
        else this.outer?.ended(reason);
      },
    };
  }

  /** The inner driver's transport, once it exists. */
  attach(inner: Transport): void {
    this.inner = inner;
  }

  /** The engine's sink for this connection. */
  reportTo(outer: LinkSink): void {
    this.outer = outer;
  }

  get line(): LineControl | undefined {
    return this.inner?.line;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (!this.outLane) {
      this.counters.out.sent++;
      this.counters.out.bytes += bytes.length;
      return this.inner?.write(bytes);
    }
    this.writing = true;
    try {
      this.outLane.push(bytes);
    } finally {
      this.writing = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outLane?.close();
    this.inLane?.close();
    this.inner?.close();
  }

  pause(): void {
    this.inLane?.pause();
    this.inner?.pause?.();
  }

  resume(): void {
    this.inner?.resume?.();
    this.inLane?.resume();
  }

  private reportSent(n: number): void {
    if (this.closed) return;
    if (!this.writing) return this.outer?.sent(n);
    if (this.unreported === 0) queueMicrotask(this.flushSent);
    this.unreported += n;
  }

  private readonly flushSent = (): void => {
    const n = this.unreported;
    this.unreported = 0;
    if (!this.closed && n > 0) this.outer?.sent(n);
  };
}
