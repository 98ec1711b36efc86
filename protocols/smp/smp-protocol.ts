// The SMP protocol handlers, Mongoose style: setProtocolSmpSerial(c) for the console framing on
// a serial (or any stream) connection, setProtocolSmpUdp(c) for one message per datagram (Zephyr
// smp_transport.rst; UDP port 1337 by default). The handler passes the engine's events on to the
// user handler first, then splits c.recv, consumes it, and reports typed SmpEv events; each
// client connection gets an SmpClient whose deadlines run on one timer of the connection.
// A board (the virtual one, a test responder) uses the same handlers: requests arrive as
// SmpEv.Message and go back with sendSmp(c, responseTo(request, body)).
import { type Connection, Ev, type PollInfo, type ProtoSlot, type RawHandler, type Timer } from '../../rig/engine/index.js';
import { SmpClient, type SmpClientOptions } from './smp-client.js';
import { SmpEv } from './smp-events.js';
import { encodeSmp, type SmpMessage } from './smp-header.js';
import type { SmpRequest } from './smp-request.js';
import { SmpSerialDecoder, type SmpSerialDecoderOptions, type SmpSerialItem, type SmpSerialStats } from './smp-serial-decoder.js';
import { encodeSmpSerial, type SmpSerialEncodeOptions } from './smp-serial-encoder.js';

export * from './smp-events.js';
export { SmpClient, SmpRequestError, type SmpClientOptions, type SmpRequestFailure } from './smp-client.js';

/** Zephyr's CONFIG_MCUMGR_TRANSPORT_UDP_PORT default */
export const SMP_UDP_PORT = 1337;

/** 'udp://192.0.2.7:1337' (IPv6 hosts bracketed) */
export function smpUdpUrl(host: string, port = SMP_UDP_PORT): string {
  return host.includes(':') && !host.startsWith('[') ? `udp://[${host}]:${port}` : `udp://${host}:${port}`;
}

export interface SmpSerialOptions extends SmpClientOptions, SmpSerialDecoderOptions, SmpSerialEncodeOptions {
  /**
   * Release a held 0x04/0x06 as console text after this many ms without bytes, checked on Poll
   * (default 50; 0 disables).
   */
  idleFlushMs?: number;
}

interface SmpProtoData {
  transport: 'serial' | 'udp';
  client?: SmpClient;
  /** the serial decoder (each connection has its own) */
  decoder?: SmpSerialDecoder;
  encode: (message: Uint8Array) => Uint8Array;
  idleFlushMs: number;
  lastRecvAt: number;
  timer?: Timer;
}

const NAME = 'smp';
const TIMER_TAG = 'smp';

/** SMP over the serial console framing; returns the client (undefined for a listener). */
export function setProtocolSmpSerial(c: Connection, opts: SmpSerialOptions = {}): SmpClient | undefined {
  const { idleFlushMs = 50 } = opts;
  if (!(Number.isFinite(idleFlushMs) && idleFlushMs >= 0)) throw new TypeError(`setProtocolSmpSerial: idleFlushMs must be a number of ms >= 0 (0 disables), got ${String(idleFlushMs)}`);
  // fail on a bad option now, not on the first message
  encodeSmpSerial(new Uint8Array(0), opts);
  const decoderOpts: SmpSerialDecoderOptions = { maxLine: opts.maxLine };
  const encodeOpts: SmpSerialEncodeOptions = { maxFrame: opts.maxFrame, lengthExcludesCrc: opts.lengthExcludesCrc };
  c.proto = slot(c, opts, {
    transport: 'serial',
    newDecoder: () => new SmpSerialDecoder(decoderOpts),
    encode: (m) => encodeSmpSerial(m, encodeOpts),
    idleFlushMs,
  }) as ProtoSlot;
  return (c.proto.data as SmpProtoData).client;
}

/** SMP with one message per datagram; returns the client (undefined for a listener). */
export function setProtocolSmpUdp(c: Connection, opts: SmpClientOptions = {}): SmpClient | undefined {
  c.proto = slot(c, opts, { transport: 'udp', encode: (m) => m, idleFlushMs: 0 }) as ProtoSlot;
  return (c.proto.data as SmpProtoData).client;
}

function dataOf(c: Connection): SmpProtoData | undefined {
  return c.proto?.name === NAME ? (c.proto.data as SmpProtoData) : undefined;
}

/** The client of a connection set up with setProtocolSmpSerial/Udp. */
export function smpClient(c: Connection): SmpClient {
  const client = dataOf(c)?.client;
  if (!client) throw new TypeError(`${c.label}: no SMP client (call setProtocolSmpSerial or setProtocolSmpUdp on a client connection first)`);
  return client;
}

/** Send a request on an SMP connection; resolves with the response message. */
export function smpRequest(c: Connection, req: SmpRequest): Promise<SmpMessage> {
  return smpClient(c).request(req);
}

/**
 * Send an SMP message as this connection's transport frames it (a board's response, a test's
 * hand-made message): an SmpMessage is encoded and reported as SmpEv.Sent; bytes go as they are
 * (framed for serial, not checked: how a test sends a broken message). False when closed.
 */
export function sendSmp(c: Connection, message: SmpMessage | Uint8Array): boolean {
  const d = dataOf(c);
  if (!d) throw new TypeError(`${c.label}: not an SMP connection (call setProtocolSmpSerial or setProtocolSmpUdp first)`);
  const bytes = message instanceof Uint8Array ? message : encodeSmp(message);
  if (!(message instanceof Uint8Array)) c.handler(c, SmpEv.Sent, { message, bytes });
  return c.send(d.encode(bytes));
}

/** The serial decoder's counters, or undefined when `c` is not an SMP serial connection. */
export function smpSerialStats(c: Connection): Readonly<SmpSerialStats> | undefined {
  return dataOf(c)?.decoder?.stats;
}

interface SlotBase {
  transport: 'serial' | 'udp';
  newDecoder?: () => SmpSerialDecoder;
  encode: (message: Uint8Array) => Uint8Array;
  idleFlushMs: number;
}

function slot(c: Connection, opts: SmpClientOptions, base: SlotBase): ProtoSlot<SmpProtoData> {
  const data: SmpProtoData = { transport: base.transport, decoder: base.newDecoder?.(), encode: base.encode, idleFlushMs: base.idleFlushMs, lastRecvAt: c.now() };
  if (!c.isListener) {
    data.client = new SmpClient(
      {
        send: (bytes) => void c.send(data.encode(bytes)),
        now: () => c.now(),
        emit: (ev, d) => c.handler(c, ev, d),
        wake: () => arm(c, data),
      },
      opts,
    );
  }
  const handler: RawHandler = (conn, ev, evData) => {
    const own = ev === Ev.Timer && data.timer !== undefined && (evData as { timer: Timer }).timer === data.timer;
    if (own) data.timer = undefined;
    else if (ev === Ev.Close) {
      // the board's last words before the port went away are still in c.recv
      if (data.decoder) {
        deliver(conn, data, data.decoder.push(takeRecv(conn)));
        deliver(conn, data, data.decoder.end());
      }
      conn.handler(conn, ev, evData);
      data.client?.destroy((evData as { reason: string }).reason);
      return;
    } else {
      conn.handler(conn, ev, evData);
    }
    if (conn.isClosed) return;
    if (ev === Ev.Recv) onRecv(conn, data);
    if (ev === Ev.Poll && data.decoder && data.idleFlushMs > 0 && (evData as PollInfo).now - data.lastRecvAt >= data.idleFlushMs) {
      deliver(conn, data, data.decoder.flushText());
    }
    if (data.client && (ev === Ev.Poll || own)) data.client.poll(conn.now());
    arm(conn, data);
  };
  return {
    name: NAME,
    handler,
    data,
    destroy: (d) => {
      d.client?.destroy('connection closed');
    },
    forChild: (child) => slot(child, opts, base) as ProtoSlot,
  };
}

/** All of c.recv, consumed (a copy: the decoder and the client keep what they need). */
function takeRecv(c: Connection): Uint8Array {
  const bytes = c.recv.toBytes();
  c.recv.clear();
  return bytes;
}

function onRecv(c: Connection, d: SmpProtoData): void {
  d.lastRecvAt = c.now();
  const bytes = takeRecv(c);
  if (d.decoder) return deliver(c, d, d.decoder.push(bytes));
  // a datagram is one message; a listener child without a client still reports it
  if (d.client) d.client.receive(bytes);
}

function deliver(c: Connection, d: SmpProtoData, items: SmpSerialItem[]): void {
  for (const item of items) {
    switch (item.kind) {
      case 'text':
        c.handler(c, SmpEv.Text, { bytes: item.bytes, text: item.text });
        break;
      case 'packet':
        d.client?.receive(item.message, { frames: item.frames, longestLine: item.longestLine, lengthExcludesCrc: item.lengthExcludesCrc, crc: item.crc });
        break;
      case 'bad-crc':
        c.handler(c, SmpEv.Dropped, {
          reason: 'bad-crc',
          length: item.message.length + 2,
          bytes: item.message,
          rule: `${item.rule}: received 0x${hex4(item.received)}, computed 0x${hex4(item.computed)}`,
        });
        break;
      case 'dropped':
        c.handler(c, SmpEv.Dropped, { reason: item.reason, length: item.bytes, rule: item.rule });
        break;
    }
  }
}

/** Keep one timer of the connection at the client's earliest deadline. */
function arm(c: Connection, d: SmpProtoData): void {
  const due = d.client?.nextDeadline() ?? Infinity;
  if (c.isClosed) return;
  if (due === Infinity) {
    if (d.timer) c.cancelTimer(d.timer);
    d.timer = undefined;
    return;
  }
  if (d.timer && !d.timer.cancelled && d.timer.due <= due) return;
  if (d.timer) c.cancelTimer(d.timer);
  d.timer = c.addTimer(Math.max(0, due - c.now()), { tag: TIMER_TAG });
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
