// One way to reach a board's CoAP server, whatever carries it: `coap://HOST:PORT` (UDP) or
// `coap+serial:///dev/ttyACM0?baud=115200` (slipmux on the board's UART, sharing the line with
// its console). Composing slipmux and CoAP happens here, above protocols/, because a protocol
// may use another protocol only through its codec.
import { type Connection, Ev, type EventMap, type Handler, type Manager, type RawHandler } from '../engine/index.js';
import type { CoapEndpoint, CoapEndpointOptions } from '../../protocols/coap/coap-endpoint.js';
import type { CoapEvents } from '../../protocols/coap/coap-events.js';
import { bindEndpoint, coapEndpoint, setProtocolCoap } from '../../protocols/coap/coap-protocol.js';
import { SlipmuxEv, type SlipmuxEvents } from '../../protocols/slipmux/slipmux-events.js';
import { sendCoapOverSlipmux, setProtocolSlipmux } from '../../protocols/slipmux/slipmux-protocol.js';

export type CoapLinkEvents = CoapEvents & SlipmuxEvents;

export interface CoapLink {
  c: Connection;
  ep: CoapEndpoint;
  /** 'udp' or 'slipmux' */
  carrier: 'udp' | 'slipmux';
}

/** `coap://host[:port]` → `udp://host:port` (5683 by default, RFC 7252 §6.1). */
export function coapUrlToTransport(url: string): { transport: string; carrier: 'udp' | 'slipmux' } {
  const m = /^(coap|coap\+serial|coap\+udp):\/\/(.*)$/i.exec(url);
  if (!m) throw new TypeError(`"${url}" is not a CoAP URL: expected coap://HOST[:PORT] or coap+serial:///dev/ttyX?baud=N`);
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'coap+serial') return { transport: `serial://${m[2]}`, carrier: 'slipmux' };
  const u = new URL(`udp://${m[2]}`);
  return { transport: `udp://${u.hostname}:${u.port || '5683'}`, carrier: 'udp' };
}

/**
 * Open a CoAP link to a board. `handler` sees the engine's events, every CoAP message (CoapEv)
 * and, on a serial line, the console text around the frames (SlipmuxEv.Text).
 */
export function connectCoap(mgr: Manager, url: string, handler: Handler<CoapLinkEvents> | ((c: Connection, ev: number) => void), opts: CoapEndpointOptions & { label?: string } = {}): CoapLink {
  const { transport, carrier } = coapUrlToTransport(url);
  const user = handler as unknown as RawHandler;
  if (carrier === 'udp') {
    const c = mgr.connect(transport, user, { label: opts.label });
    setProtocolCoap(c, opts);
    return { c, ep: coapEndpoint(c), carrier };
  }
  let bound: ReturnType<typeof bindEndpoint> | undefined;
  const composed: RawHandler = (c, ev, data) => {
    if (bound?.isOwnTimer(ev, data)) return bound.step(c, ev, data);
    if (ev === SlipmuxEv.Coap) bound?.ep.receive((data as { message: Uint8Array }).message.slice());
    else user(c, ev, data);
    if (bound && (ev === Ev.Poll || ev === Ev.Timer || ev === Ev.Close)) bound.step(c, ev, data);
  };
  // the composed handler also receives the endpoint's CoapEv events (through c.handler) and passes them on
  const c = mgr.connect<EventMap>(transport, composed as unknown as Handler, { label: opts.label });
  setProtocolSlipmux(c);
  bound = bindEndpoint(c, (bytes) => void sendCoapOverSlipmux(c, bytes), opts);
  return { c, ep: bound.ep, carrier };
}
