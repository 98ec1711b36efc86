// impairDriver(inner, opts) wraps any transport driver in a lossy, slow or delayed link: the
// engine and the protocols above it see an ordinary Driver, and the test rig gets the bad radio
// link or the slow UART it needs on a machine without kernel netem. All timing runs on the
// manager's clock (ctx.clock), so a VirtualClock test checks it exactly and a ScaledClock
// speeds it up.
import type { Driver, DriverContext, LinkSink, ListenSink, Transport } from '../../rig/engine/index.js';
import { ImpairedLink } from './impaired-link.js';
import { ImpairedPeer } from './impaired-peer.js';
import { type ImpairOptions, type ResolvedImpairOptions, resolveImpairOptions } from './impair-options.js';
import { ImpairStats } from './impair-stats.js';
import { deriveSeed } from './rng.js';

export interface ImpairedDriver extends Driver {
  /** counters of every link this driver opened, per direction and in total */
  readonly stats: ImpairStats;
  /** the options in force, defaults and the seed filled in (report the seed to repeat a run) */
  readonly options: ResolvedImpairOptions;
}

/**
 * Wrap `inner` so that every link it opens (connect, and each peer of listen) is impaired.
 * Link k of this driver (the k-th connection or peer, counting from 0) draws from streams derived
 * from (seed, k, direction), so a run with the same seed and the same order of links repeats.
 * Throws a TypeError for a bad option, and for loss/duplicate/reorder on a stream transport.
 */
export function impairDriver(inner: Driver, opts: ImpairOptions): ImpairedDriver {
  const o = resolveImpairOptions(opts);
  if (!inner.datagram) refuseDatagramOptions(o);
  const stats = new ImpairStats();
  let links = 0;
  const seedsForNextLink = (): { out: number; in: number } => {
    const k = links++;
    return { out: deriveSeed(o.seed, k, 1), in: deriveSeed(o.seed, k, 2) };
  };

  const driver: ImpairedDriver = {
    datagram: inner.datagram,
    stats,
    options: o,
    connect(url: URL, sink: LinkSink, ctx: DriverContext): Transport {
      const link = new ImpairedLink(o, ctx.clock, seedsForNextLink(), inner.datagram, stats);
      link.reportTo(sink);
      link.attach(inner.connect(url, link.sink, ctx));
      return link;
    },
  };
  const innerListen = inner.listen?.bind(inner);
  if (innerListen) {
    driver.listen = (url: URL, sink: ListenSink, ctx: DriverContext): Transport => {
      const peers = new Map<string, ImpairedPeer>();
      const t = innerListen(
        url,
        {
          opened: (info) => sink.opened(info),
          failed: (err) => sink.failed(err),
          datagram: (peer, bytes, reply) => {
            let p = peers.get(peer);
            if (!p) {
              p = new ImpairedPeer(o, ctx.clock, seedsForNextLink(), stats, peer, reply, sink);
              peers.set(peer, p);
            }
            p.receive(bytes);
          },
          accepted: (peer, local, transport) => {
            const link = new ImpairedLink(o, ctx.clock, seedsForNextLink(), inner.datagram, stats);
            link.attach(transport);
            link.reportTo(sink.accepted(peer, local, link));
            return link.sink;
          },
        },
        ctx,
      );
      return {
        write: (bytes) => t.write(bytes),
        close: () => {
          for (const p of peers.values()) p.close();
          peers.clear();
          t.close();
        },
      };
    };
  }
  return driver;
}

/** A byte stream has no datagrams to lose, double or swap: refuse rather than pretend. */
function refuseDatagramOptions(o: ResolvedImpairOptions): void {
  const set = (['loss', 'duplicate', 'reorder'] as const).filter((k) => o[k] > 0);
  if (set.length === 0) return;
  throw new TypeError(
    `impair option${set.length > 1 ? 's' : ''} ${set.map((k) => `"${k}"`).join(', ')} cannot apply to a stream transport: ` +
      'a serial byte stream does not lose, duplicate or reorder whole datagrams. ' +
      'Use delayMs, jitterMs and baud on a stream, or impair a datagram transport (udp)',
  );
}
