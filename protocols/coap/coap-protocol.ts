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
  ep?: CoapEndpoint;
  timer?: Timer;
}

const TIMER_TAG = 'coap';

/** Install CoAP on a UDP client or listener; returns the endpoint (undefined for a listener). */
export function setProtocolCoap(c: Connection, opts: CoapEndpointOptions = {}): CoapEndpoint | undefined {
  const slot = coapSlot(c, opts);
  c.proto = slot as ProtoSlot;
  return slot.data.ep;
}

/** The endpoint of a connection set up with setProtocolCoap. */
export function coapEndpoint(c: Connection): CoapEndpoint {
  const d = c.proto?.name === 'coap' ? (c.proto.data as CoapProtoData) : undefined;
  if (!d?.ep) throw new TypeError(`${c.label}: no CoAP endpoint (call setProtocolCoap on a client connection first)`);
  return d.ep;
}

/** Send a request on a CoAP connection; resolves with the response. */
export function coapRequest(c: Connection, spec: CoapRequestSpec): Promise<CoapResponse> {
  return coapEndpoint(c).request(spec);
}

function coapSlot(c: Connection, opts: CoapEndpointOptions): ProtoSlot<CoapProtoData> {
  const data: CoapProtoData = {};
  if (!c.isListener) {
    data.ep = new CoapEndpoint(
      {
        send: (b) => void c.send(b),
        now: () => c.now(),
        emit: (ev, d) => c.handler(c, ev, d),
        peer: () => c.peer,
        wake: () => {
          if (!c.isClosed && data.ep) arm(c, data);
        },
      },
      opts,
    );
  }
  const handler: RawHandler = (conn, ev, evData) => {
    const ep = data.ep;
    const ours = ev === Ev.Timer && (evData as { timer: Timer }).timer === data.timer;
    if (!ours) conn.handler(conn, ev, evData);
    if (!ep) return;
    switch (ev) {
      case Ev.Recv:
        // a copy: parsed messages keep views into it after c.recv is reused
        ep.receive(conn.recv.toBytes());
        conn.recv.clear();
        break;
      case Ev.Poll:
        ep.poll(conn.now());
        break;
      case Ev.Timer:
        if (!ours) return;
        data.timer = undefined;
        ep.poll(conn.now());
        break;
      case Ev.Close:
        ep.destroy((evData as { reason: string }).reason);
        return;
      default:
        break;
    }
    if (!conn.isClosed) arm(conn, data);
  };
  return {
    name: 'coap',
    handler,
    data,
    destroy: (d) => {
      d.ep?.destroy('connection closed');
    },
    forChild: (child) => coapSlot(child, opts) as ProtoSlot,
  };
}

/** Keep one connection timer at the endpoint's next deadline, so retransmissions are on time. */
function arm(c: Connection, data: CoapProtoData): void {
  const due = data.ep!.nextDeadline();
  if (due === Infinity) return;
  if (data.timer && !data.timer.cancelled && data.timer.due <= due) return;
  if (data.timer) c.cancelTimer(data.timer);
  data.timer = c.addTimer(Math.max(0, due - c.now()), { tag: TIMER_TAG });
}

export type { CoapEvents };
