// One peer of an impaired datagram listener: datagrams from the peer go through the 'in' lane
// before the engine sees them, and the child connection's answers through the 'out' lane
// before the shared socket sends them.
import type { Clock, ListenSink, PeerTransport } from '../../rig/engine/index.js';
import type { Done } from './delivery-queue.js';
import type { ImpairCounters } from './impair-stats.js';
import type { ResolvedImpairOptions } from './impair-options.js';
import { Lane, laneNeeded } from './lane.js';

const ignore = (): void => undefined;

export class ImpairedPeer {
  /** the child connection's way to answer, stable for the peer (the engine keeps the first one) */
  readonly reply: PeerTransport;
  private readonly outLane?: Lane;
  private readonly inLane?: Lane;
  private writing = false;
  private readonly counters: { out: ImpairCounters; in: ImpairCounters };

  constructor(
    o: ResolvedImpairOptions,
    clock: Clock,
    seeds: { out: number; in: number },
    counters: { out: ImpairCounters; in: ImpairCounters },
    private readonly peer: string,
    private readonly innerReply: PeerTransport,
    private readonly listener: ListenSink,
  ) {
    this.counters = counters;
    if (laneNeeded(o, 'out')) {
      this.outLane = new Lane(o, clock, seeds.out, false, counters.out, {
        pass: (bytes, done, isCopy) => this.innerReply.write(bytes, isCopy || !done ? ignore : done),
        lose: (_bytes, done) => done && this.complete(done),
      });
    }
    if (laneNeeded(o, 'in')) {
      this.inLane = new Lane(o, clock, seeds.in, false, counters.in, {
        pass: (bytes) => this.listener.datagram(this.peer, bytes, this.reply),
        lose: ignore,
      });
    }
    const out = this.outLane;
    this.reply = out
      ? {
          write: (bytes, done) => {
            this.writing = true;
            try {
              out.push(bytes, done);
            } finally {
              this.writing = false;
            }
          },
        }
      : {
          write: (bytes, done) => {
            this.counters.out.sent++;
            this.counters.out.bytes += bytes.length;
            innerReply.write(bytes, done);
          },
        };
  }

  /** A datagram from the peer arrived at the socket. */
  receive(bytes: Uint8Array): void {
    if (this.inLane) return this.inLane.push(bytes);
    this.counters.in.sent++;
    this.counters.in.bytes += bytes.length;
    this.listener.datagram(this.peer, bytes, this.reply);
  }

  close(): void {
    this.outLane?.close();
    this.inLane?.close();
  }

  /** a lost answer still "left": tell the engine, but never from inside its own send() */
  private complete(done: Done): void {
    if (this.writing) queueMicrotask(() => done());
    else done();
  }
}
