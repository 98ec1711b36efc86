// A CoAP server with one observable resource and a CoAP client, both on the engine over real UDP
// on 127.0.0.1, sharing a VirtualClock (or the real clock), with every message of both sides
// recorded. Shared by the Observe tests.
import { type Clock, type Connection, Ev, Manager, VirtualClock } from '../../../../rig/index.js';
import { serializeCoap } from '../../../../protocols/coap/coap-codec.js';
import { CoapEv, type CoapEvents } from '../../../../protocols/coap/coap-events.js';
import type { CoapEndpoint } from '../../../../protocols/coap/coap-endpoint.js';
import { CoapOptionNumber, uriPath } from '../../../../protocols/coap/coap-options.js';
import { coapEndpoint, setProtocolCoap } from '../../../../protocols/coap/coap-protocol.js';
import { type CoapMessage, type CoapOption, CoapType } from '../../../../protocols/coap/coap-types.js';
import { ObservableResource, type ObservableOptions } from '../../../../protocols/coap/observe/observable-resource.js';
import type { Observer, ObserverRemoval } from '../../../../protocols/coap/observe/observer-registry.js';

export interface ObsRig {
  clock: Clock;
  /** the virtual clock, when the rig runs on one */
  vclock?: VirtualClock;
  mgr: Manager;
  server: Connection;
  client: Connection;
  ep: CoapEndpoint;
  resource: ObservableResource<number>;
  /** the server-side endpoints, one per client connection */
  serverEps: CoapEndpoint[];
  /** what each side received and sent, in order */
  clientIn: CoapMessage[];
  clientOut: CoapMessage[];
  serverIn: CoapMessage[];
  serverOut: { msg: CoapMessage; retransmission: number; at: number }[];
  added: { o: Observer; replaced: boolean }[];
  removed: { o: Observer; why: ObserverRemoval }[];
  gaveUp: CoapMessage[];
}

export interface RigOptions extends Partial<ObservableOptions<number>> {
  realClock?: boolean;
}

/** '/obs' is observable; '/plain' answers 2.05 and ignores Observe; anything else is 4.04. */
export async function observeRig(opts: RigOptions = {}): Promise<ObsRig> {
  const vclock = opts.realClock ? undefined : new VirtualClock(0);
  const mgr = new Manager(vclock ? { clock: vclock, pollMs: 0 } : {});
  const resource = new ObservableResource<number>({ initial: 0, render: (n) => ({ code: 0x45, payload: `n=${n}`, contentFormat: 0 }), ...opts });
  const r = { clock: mgr.clock, vclock, mgr, resource, serverEps: [], clientIn: [], clientOut: [], serverIn: [], serverOut: [], added: [], removed: [], gaveUp: [] } as unknown as ObsRig;
  resource.observers.onAdded = (o, replaced) => r.added.push({ o, replaced });
  resource.observers.onRemoved = (o, why) => r.removed.push({ o, why });
  r.server = mgr.listen<CoapEvents>('udp://127.0.0.1:0', (c, ev, data) => {
    switch (ev) {
      case Ev.Accept:
        r.serverEps.push(coapEndpoint(c));
        break;
      case CoapEv.Con:
      case CoapEv.Non:
      case CoapEv.Ack:
      case CoapEv.Rst:
        r.serverIn.push(data);
        break;
      case CoapEv.Sent:
        r.serverOut.push({ msg: data.msg, retransmission: data.retransmission, at: mgr.clock.now() });
        break;
      case CoapEv.GaveUp:
        r.gaveUp.push(data.msg);
        break;
      case CoapEv.Request: {
        const path = uriPath(data.request).join('/');
        if (path === 'obs') resource.handle(data, coapEndpoint(c));
        else if (path === 'plain') data.respond({ code: 0x45, payload: 'plain' });
        else data.respond({ code: 0x84 });
        break;
      }
      default:
        break;
    }
  });
  setProtocolCoap(r.server, { server: true, random: () => 0.5 });
  await r.server.ready;
  r.client = mgr.connect<CoapEvents>(r.server.local, (_c, ev, data) => {
    if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) r.clientIn.push(data);
    if (ev === CoapEv.Sent) r.clientOut.push(data.msg);
  });
  r.ep = setProtocolCoap(r.client, { random: () => 0 })!;
  await r.client.ready;
  return r;
}

/** A raw UDP peer of the rig's server that speaks no CoAP: it sees every datagram and answers nothing. */
export async function rawPeer(r: ObsRig): Promise<{ conn: Connection; inbox: Uint8Array[]; send(m: Partial<CoapMessage>): void }> {
  const inbox: Uint8Array[] = [];
  const conn = r.mgr.connect(r.server.local, (c, ev) => {
    if (ev === Ev.Recv) inbox.push(c.recv.toBytes());
  });
  await conn.ready;
  return { conn, inbox, send: (m) => void conn.send(serializeCoap(coapMessage(m)).slice()) };
}

export function coapMessage(m: Partial<CoapMessage>): CoapMessage {
  return { version: 1, type: CoapType.CON, code: 0, mid: 0, token: new Uint8Array(0), options: [], payload: new Uint8Array(0), ...m };
}

const utf8 = new TextEncoder();
/** Options of a GET /obs with the given Observe value. */
export const obsGetOptions = (observe: number): CoapOption[] => [
  { number: CoapOptionNumber.OBSERVE, value: observe === 0 ? new Uint8Array(0) : Uint8Array.of(observe) },
  { number: CoapOptionNumber.URI_PATH, value: utf8.encode('obs') },
];

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
