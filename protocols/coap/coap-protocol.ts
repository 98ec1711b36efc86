// setProtocolCoap(c): CoAP on a datagram connection, the Mongoose way. The protocol handler
// passes the engine's events on to the user handler, feeds each datagram to the connection's
// CoapEndpoint, and reports every CoAP message as a typed event. On a listener, each peer's
// child connection gets an endpoint of its own.
import { type Connection, Ev, type ProtoSlot, type RawHandler, type Timer } from '../../rig/engine/index.js';
import type { CoapEvents } from './coap-events.js';
import { CoapEndpoint, type CoapEndpointOptions } from './coap-endpoint.js';
import type { CoapRequestSpec } from './coap-request.js';
import type { CoapResponse } from './client-requests.js';

interface CoapProtoData {
  bound?: BoundEndpoint;
}

const TIMER_TAG = 'coap';

/** Install CoAP on a UDP client or listener; returns the endpoint (undefined for a listener). */
export function setProtocolCoap(c: Connection, opts: CoapEndpointOptions = {}): CoapEndpoint | undefined {
  const slot = coapSlot(c, opts);
  c.proto = slot as ProtoSlot;
  return slot.data.bound?.ep;
}

/** The endpoint of a connection set up with setProtocolCoap. */
export function coapEndpoint(c: Connection): CoapEndpoint {
  const d = c.proto?.name === 'coap' ? (c.proto.data as CoapProtoData) : undefined;
  if (!d?.bound) throw new TypeError(`${c.label}: no CoAP endpoint (call setProtocolCoap on a client connection first)`);
  return d.bound.ep;
}

/** Send a request on a CoAP connection; resolves with the response. */
export function coapRequest(c: Connection, spec: CoapRequestSpec): Promise<CoapResponse> {
  return coapEndpoint(c).request(spec);
}

function coapSlot(c: Connection, opts: CoapEndpointOptions): ProtoSlot<CoapProtoData> {
  const bound = c.isListener ? undefined : bindEndpoint(c, (b) => void c.send(b), opts);
  const data: CoapProtoData = { bound };
  const handler: RawHandler = (conn, ev, evData) => {
    if (ev === Ev.Timer && bound?.isOwnTimer(ev, evData)) return bound.step(conn, ev, evData);
    conn.handler(conn, ev, evData);
    if (!bound) return;
    if (ev === Ev.Recv) {
      // memory nothing writes again (the datagram itself when the driver handed it over, else a
      // copy): parsed messages keep views into it after c.recv is reused
      bound.ep.receive(conn.recv.stableBytes());
      conn.recv.clear();
    }
    bound.step(conn, ev, evData);
  };
  return {
    name: 'coap',
    handler,
    data,
    destroy: (d) => {
      d.bound?.ep.destroy('connection closed');
    },
    forChild: (child) => coapSlot(child, opts) as ProtoSlot,
  };
}

/** A CoapEndpoint tied to a connection's clock and timers, whatever frames its messages. */
export interface BoundEndpoint {
  ep: CoapEndpoint;
  /** is this event the endpoint's own deadline timer (not for the user) */
  isOwnTimer(ev: number, data: unknown): boolean;
  /** after any event: poll on Poll and on its timer, give up on Close, re-arm the timer */
  step(c: Connection, ev: number, data: unknown): void;
}

/**
 * Bind an endpoint to `c`: `send` frames a CoAP message for the transport (a datagram as is;
 * a slipmux frame on a serial line), events go to `c.handler`, deadlines to one timer of `c`.
 */
export function bindEndpoint(c: Connection, send: (bytes: Uint8Array) => void, opts: CoapEndpointOptions): BoundEndpoint {
  let timer: Timer | undefined;
  const arm = (): void => {
    const due = ep.nextDeadline();
    if (due === Infinity || c.isClosed) return;
    if (timer && !timer.cancelled && timer.due <= due) return;
    if (timer) c.cancelTimer(timer);
    timer = c.addTimer(Math.max(0, due - c.now()), { tag: TIMER_TAG });
  };
  const ep: CoapEndpoint = new CoapEndpoint(
    {
      send,
      now: () => c.now(),
      emit: (ev, d) => c.handler(c, ev, d),
      peer: () => c.peer,
      wake: arm,
    },
    opts,
  );
  return {
    ep,
    isOwnTimer: (ev, data) => ev === Ev.Timer && timer !== undefined && (data as { timer: Timer }).timer === timer,
    step(conn, ev, data) {
      if (ev === Ev.Close) return ep.destroy((data as { reason: string }).reason);
      // bytes leaving change no deadline, and whatever the user's handler did on Send that adds
      // one (a request, an answer) transmitted and re-armed through wake: the one event per
      // datagram that needs no look at every deadline
      if (ev === Ev.Send) return;
      if (ev === Ev.Timer && (data as { timer: Timer }).timer === timer) timer = undefined;
      if (ev === Ev.Poll || ev === Ev.Timer) ep.poll(conn.now());
      arm();
    },
  };
}

export type { CoapEvents };
