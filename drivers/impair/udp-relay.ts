// A UDP relay with a bad link inside: clients talk to `listen`, the relay talks to `to` with one
// upstream socket per client (so the server sees distinct peers, as it would without the relay),
// and every datagram crosses an impaired link on the way. Tests and benchmarks put it between a
// CoAP client (hilrig's, or libcoap's coap-client) and a server, so both clients get the same
// lossy, delayed link on a machine without kernel netem.
//
// Impairment sits on the upstream connections: their 'out' direction is client -> server, their
// 'in' direction server -> client, each with its own random streams.
import { type Clock, type Connection, Ev, HilrigError, Manager, type RawHandler } from '../../rig/engine/index.js';
import { udpDriver, udpTarget } from '../udp/udp-driver.js';
import { impairDriver } from './impair-driver.js';
import type { ImpairOptions, ResolvedImpairOptions } from './impair-options.js';
import type { ImpairCounters } from './impair-stats.js';

export interface UdpRelayOptions {
  /** where clients send; default 'udp://127.0.0.1:0' (any free port: read `url` back) */
  listen?: string;
  /** the server, e.g. 'udp://127.0.0.1:5683' */
  to: string;
  /** the link; `direction` 'out' impairs only client -> server, 'in' only server -> client */
  impair?: ImpairOptions;
  /** the relay's clock (default real time); share a ScaledClock with both ends to speed a run up */
  clock?: Clock;
  /** a client silent this long (clock ms) is forgotten and its upstream socket closed; default 60000 */
  idleMs?: number;
}

export interface UdpRelayStats {
  /** clients seen since the start */
  readonly peers: number;
  /** clients with an upstream socket now */
  readonly activePeers: number;
  /** client -> server */
  readonly toServer: ImpairCounters;
  /** server -> client */
  readonly toClient: ImpairCounters;
  /** ICMP port unreachable and other errors from the server's side (the server was not up) */
  readonly upstreamErrors: number;
}

export interface UdpRelay {
  /** where clients send, with the real port: 'udp://127.0.0.1:40123' */
  readonly url: string;
  readonly stats: UdpRelayStats;
  /** the impairment in force, with its seed (report it to repeat the run) */
  readonly options: ResolvedImpairOptions;
  /** stop: closes every socket, forgets what is in flight */
  close(): Promise<void>;
  /** resolves with the reason once the listening socket is closed, by close() or by a socket failure */
  readonly closed: Promise<string>;
}

/** The upstream connections' scheme in the relay's own manager: udp behind the impairment. */
const IMPAIRED_UDP = 'impaired-udp';

export async function startUdpRelay(opts: UdpRelayOptions): Promise<UdpRelay> {
  const listenUrl = opts.listen ?? 'udp://127.0.0.1:0';
  checkUdpUrl('listen', listenUrl, false);
  checkUdpUrl('to', opts.to, true);
  const idleMs = opts.idleMs ?? 60_000;
  if (!(idleMs > 0)) throw new TypeError(`relay option "idleMs" must be > 0 clock milliseconds, got ${idleMs}`);
  const impaired = impairDriver(udpDriver, opts.impair ?? {});
  const mgr = new Manager({ clock: opts.clock, drivers: { udp: udpDriver, [IMPAIRED_UDP]: impaired } });
  const upstreamUrl = opts.to.replace(/^udp:/i, `${IMPAIRED_UDP}:`);

  const upstreamOf = new Map<Connection, Connection>();
  const clientOf = new Map<Connection, Connection>();
  let peers = 0;
  let upstreamErrors = 0;

  const fromServer: RawHandler = (up, ev) => {
    const client = clientOf.get(up);
    if (ev === Ev.Recv) {
      const bytes = up.recv.toBytes(); // the engine reuses recv; the link may hold the datagram a while
      up.recv.clear();
      client?.send(bytes);
    } else if (ev === Ev.Error) {
      // ICMP port unreachable: the server may be starting or restarting; keep the client's link
      upstreamErrors++;
      up.isClosing = false;
    } else if (ev === Ev.Close) {
      clientOf.delete(up);
      client?.close('upstream closed');
    }
  };

  const fromClient: RawHandler = (c, ev, data) => {
    if (c.isListener) return; // its failure to bind reaches startUdpRelay through `ready`
    switch (ev) {
      case Ev.Accept: {
        peers++;
        const up = mgr.connect(upstreamUrl, fromServer, { label: `relay-up<${c.peer}>` });
        upstreamOf.set(c, up);
        clientOf.set(up, c);
        break;
      }
      case Ev.Recv: {
        const bytes = c.recv.toBytes();
        c.recv.clear();
        upstreamOf.get(c)?.send(bytes);
        break;
      }
      case Ev.Poll: {
        const up = upstreamOf.get(c);
        const last = Math.max(c.lastIoTime, up?.lastIoTime ?? -Infinity);
        if ((data as { now: number }).now - last >= idleMs) c.close('idle');
        break;
      }
      case Ev.Error:
        c.isClosing = false; // one oversized datagram is not a reason to forget the client
        break;
      case Ev.Close: {
        const up = upstreamOf.get(c);
        upstreamOf.delete(c);
        up?.close('client forgotten');
        break;
      }
    }
  };

  const listener = mgr.listen(listenUrl, fromClient, { label: 'relay' });
  try {
    await listener.ready;
  } catch (e) {
    await mgr.shutdown();
    throw e;
  }
  const stats: UdpRelayStats = {
    get peers() {
      return peers;
    },
    get activePeers() {
      return upstreamOf.size;
    },
    toServer: impaired.stats.out,
    toClient: impaired.stats.in,
    get upstreamErrors() {
      return upstreamErrors;
    },
  };
  let closing: Promise<void> | undefined;
  return {
    url: listener.local,
    stats,
    options: impaired.options,
    close: () => (closing ??= mgr.shutdown()),
    closed: listener.closed,
  };
}

function checkUdpUrl(name: string, url: string, needPort: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HilrigError('BAD_URL', `relay ${name} "${url}": expected udp://HOST:PORT`);
  }
  if (parsed.protocol !== 'udp:') throw new HilrigError('BAD_URL', `relay ${name} "${url}": the relay speaks UDP only, expected udp://HOST:PORT`);
  udpTarget(parsed, needPort);
}
