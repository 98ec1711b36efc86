// The virtual board's CoAP server for one boot: one CoapEndpoint (server side) per peer (each
// UDP address, and the serial line for CoAP over slipmux), the resource table, and the routing
// of each request to its resource. A reboot makes a new server, so every CoAP state (message
// IDs, duplicates, observers, half-finished block transfers) is lost, as on a real board.
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { CoapEndpoint, type CoapEndpointOptions } from '../../../protocols/coap/coap-endpoint.js';
import { CoapEv, type CoapEvents } from '../../../protocols/coap/coap-events.js';
import { CoapOptionNumber, uriPath } from '../../../protocols/coap/coap-options.js';
import type { CoapExchange } from '../../../protocols/coap/server-exchange.js';
import type { ServiceContext } from '../service.js';
import { CoapBug, bugRewrite } from '../services/coap-bugs.js';
import { BlockTransfers } from './blockwise.js';
import { type BoardResource, METHOD_BY_CODE, type RequestContext } from './resource.js';
import { plugtestResources } from './resources/index.js';

export interface CoapServerOptions {
  /** how often /obs and /obs-non change (board ms; the plugtest's 5 s by default) */
  obsPeriodMs: number;
  /** how long /separate takes to answer (longer than the endpoint's empty-ACK threshold) */
  separateDelayMs: number;
  /** the largest body a Block1 upload may have; more earns 4.13 with Size1 (RFC 7959 §2.9.3) */
  maxBodyBytes: number;
}

export const DEFAULT_COAP_SERVER_OPTIONS: Readonly<CoapServerOptions> = Object.freeze({
  obsPeriodMs: 5000,
  separateDelayMs: 1000,
  maxBodyBytes: 64 * 1024,
});

interface Peer {
  ep: CoapEndpoint;
  /** where replies go: the datagram context's reply of the peer's latest datagram, or the serial line */
  send: (bytes: Uint8Array) => void;
  lastSeen: number;
}

/**
 * A peer silent this long loses its endpoint, once nothing of it is in flight, owed or observing:
 * EXCHANGE_LIFETIME (RFC 7252 §4.8.2, 247 s), after which its old message IDs cannot recur.
 */
const PEER_IDLE_MS = 247_000;

export class BoardCoapServer {
  readonly resources: readonly BoardResource[];
  readonly blocks: BlockTransfers;
  private readonly peers = new Map<string, Peer>();
  private readonly epOptions: CoapEndpointOptions;

  constructor(
    private readonly ctx: ServiceContext,
    readonly opts: CoapServerOptions,
  ) {
    const on = (name: string): boolean => ctx.bug(name);
    this.epOptions = {
      server: true,
      // Q-Block1 is critical (RFC 9177 §4): /large-update takes it
      recognizedOptions: [CoapOptionNumber.Q_BLOCK1],
      dedup: !on(CoapBug.DuplicateProcessed),
      rejectUnknownCritical: !on(CoapBug.UnknownCriticalIgnored),
      rewrite: bugRewrite(on),
    };
    this.blocks = new BlockTransfers({ maxBodyBytes: opts.maxBodyBytes });
    this.resources = plugtestResources({ opts, blocks: this.blocks, links: () => this.resources, bug: on });
  }

  /** A CoAP message from `peer`; replies leave through `send`. */
  input(peer: string, bytes: Uint8Array, send: (bytes: Uint8Array) => void): void {
    const now = this.ctx.uptimeMs();
    let p = this.peers.get(peer);
    if (!p) {
      p = this.open(peer, send);
      this.peers.set(peer, p);
    }
    p.send = send;
    p.lastSeen = now;
    p.ep.receive(bytes);
  }

  /** Every board poll: retransmissions and empty ACKs, then the resources' clocks. */
  poll(): void {
    const now = this.ctx.uptimeMs();
    // endpoints first: a request whose empty ACK and answer fall due in the same poll gets its
    // ACK before the answer, so the answer is a separate response as the delay intends
    for (const [peer, p] of this.peers) {
      p.ep.poll(now);
      if (now - p.lastSeen > PEER_IDLE_MS && p.ep.ml.inFlight === 0 && p.ep.open.size === 0 && !this.resources.some((r) => r.busy?.(p.ep))) {
        for (const r of this.resources) r.forget?.(p.ep);
        p.ep.destroy('peer idle');
        this.peers.delete(peer);
      }
    }
    for (const r of this.resources) r.poll?.(now);
    this.blocks.poll(now);
  }

  private open(peer: string, send: (bytes: Uint8Array) => void): Peer {
    const p: Peer = { send, lastSeen: 0, ep: undefined as unknown as CoapEndpoint };
    p.ep = new CoapEndpoint(
      {
        send: (b) => p.send(b),
        now: () => this.ctx.uptimeMs(),
        emit: (ev, data) => this.event(p, peer, ev, data),
        peer: () => peer,
      },
      this.epOptions,
    );
    return p;
  }

  private event<K extends keyof CoapEvents>(p: Peer, peer: string, ev: K, data: CoapEvents[K]): void {
    if (ev === CoapEv.Request) this.dispatch(p, peer, data as CoapEvents[typeof CoapEv.Request]);
    else if (ev === CoapEv.Malformed) {
      const m = data as CoapEvents[typeof CoapEv.Malformed];
      this.ctx.log('wrn', 'coap', `malformed message from ${peer}${m.reset ? ', rejected with RST' : ''}: ${m.rule}`);
    }
  }

  /** Route a request: 4.04 for an unknown path, 4.05 for a method the resource lacks. */
  private dispatch(p: Peer, peer: string, x: CoapExchange): void {
    const path = uriPath(x.request);
    const res = this.find(path);
    if (!res) return x.respond({ code: CoapCode.NOT_FOUND });
    const method = METHOD_BY_CODE.get(x.request.code);
    const handler = method ? res.handlers[method] : undefined;
    if (!handler) return x.respond({ code: CoapCode.METHOD_NOT_ALLOWED });
    const rc: RequestContext = {
      ep: p.ep,
      peer,
      path,
      now: this.ctx.uptimeMs(),
      bug: (name) => this.ctx.bug(name),
      log: (message) => this.ctx.log('inf', 'coap', message),
    };
    try {
      handler(x, rc);
    } catch (e) {
      // a resource that throws is a firmware fault: say so on the console, answer 5.00
      this.ctx.log('err', 'coap', `${method} /${path.join('/')} failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!x.responded) x.respond({ code: CoapCode.INTERNAL_SERVER_ERROR });
    }
  }

  private find(path: readonly string[]): BoardResource | undefined {
    const text = `/${path.join('/')}`;
    return this.resources.find((r) => r.path === text || (r.subtree === true && text.startsWith(`${r.path}/`)));
  }
}
