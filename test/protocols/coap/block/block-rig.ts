// A CoAP server and client over real UDP on 127.0.0.1 for the block-wise tests: the server's
// requests go to `serve`, every message the client sends is counted, and bodies are made from a
// seed so a mismatch shows where.
import type { Clock, Connection, Driver } from '../../../../rig/engine/index.js';
import { Ev, Manager } from '../../../../rig/index.js';
import { CoapEv, type CoapEvents } from '../../../../protocols/coap/coap-events.js';
import { coapEndpoint, setProtocolCoap } from '../../../../protocols/coap/coap-protocol.js';
import type { CoapEndpoint, CoapEndpointOptions } from '../../../../protocols/coap/coap-endpoint.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import type { CoapMessage } from '../../../../protocols/coap/coap-types.js';

export interface BlockRig {
  mgr: Manager;
  /** the server's manager (the same as mgr unless the client's link is impaired) */
  serverMgr: Manager;
  server: Connection;
  client: Connection;
  ep: CoapEndpoint;
  /** messages the client sent (first transmissions and retransmissions) */
  sent: CoapMessage[];
  /** messages the client received */
  received: CoapMessage[];
  close(): Promise<void>;
}

export interface RigOptions {
  clock?: Clock;
  /** the client's UDP driver (an impaired one); the server keeps plain UDP on a manager of its own */
  clientDriver?: Driver;
  server?: CoapEndpointOptions;
  client?: CoapEndpointOptions;
  /** the managers' poll period in clock ms (default 20) */
  pollMs?: number;
  /** called on every Poll of a server connection, with the clock's time */
  onServerPoll?: (now: number, c: Connection) => void;
}

/** Start a server whose requests go to `serve(x, c)` and a client connected to it. */
export async function blockRig(serve: (x: CoapExchange, c: Connection) => void, opts: RigOptions = {}): Promise<BlockRig> {
  const pollMs = opts.pollMs ?? 20;
  const serverMgr = new Manager({ clock: opts.clock, pollMs });
  const mgr = opts.clientDriver ? new Manager({ clock: opts.clock, pollMs, drivers: { udp: opts.clientDriver } }) : serverMgr;
  const server = serverMgr.listen<CoapEvents>('udp://127.0.0.1:0', (c, ev, data) => {
    if (ev === CoapEv.Request) serve(data, c);
    else if (ev === Ev.Poll) opts.onServerPoll?.(data.now, c);
  });
  setProtocolCoap(server, { server: true, ...opts.server });
  await server.ready;
  const sent: CoapMessage[] = [];
  const received: CoapMessage[] = [];
  const client = mgr.connect<CoapEvents>(server.local, (_c, ev, data) => {
    if (ev === CoapEv.Sent) sent.push(data.msg);
    else if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) received.push(data);
  });
  setProtocolCoap(client, opts.client ?? {});
  await client.ready;
  return {
    mgr,
    serverMgr,
    server,
    client,
    ep: coapEndpoint(client),
    sent,
    received,
    close: async () => {
      await mgr.shutdown();
      if (serverMgr !== mgr) await serverMgr.shutdown();
    },
  };
}

const made = new Map<string, Uint8Array>();

/** n bytes from a seed (xorshift), so two bodies differ everywhere and a slip shows at once (memoised: do not modify). */
export function bodyOf(n: number, seed = 1): Uint8Array {
  const key = `${n}/${seed}`;
  const hit = made.get(key);
  if (hit) return hit;
  const out = new Uint8Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  made.set(key, out);
  return out;
}

/** The first index where two byte arrays differ, or -1 (for messages better than a 1 MiB diff). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
