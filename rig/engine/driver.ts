// The contract between the engine and a transport driver (drivers/ implements it). The engine
// never imports a driver: the Manager is given a table scheme -> Driver, so rig/engine stays the
// bottom layer and a user can plug in a transport of their own.
import type { Clock } from './clock.js';
import type { HilrigError } from './errors.js';

/** What the engine hands a driver for one connection: the driver reports into it. */
export interface LinkSink {
  /** the transport is open; `peer`/`local` describe the endpoints */
  opened(info: { peer?: string; local?: string }): void;
  /** bytes (a whole datagram, or a chunk of a stream) arrived */
  data(bytes: Uint8Array): void;
  /** the transport finished writing `n` bytes */
  sent(n: number): void;
  /**
   * Something failed. Fatal (the default: open failed, port vanished) closes the connection after
   * Ev.Error; non-fatal (an ICMP port unreachable on UDP) fires Ev.Error and the handler may keep
   * the connection by clearing c.isClosing.
   */
  failed(err: HilrigError, fatal?: boolean): void;
  /** the peer closed cleanly (EOF): the connection closes without an Error */
  ended(reason: string): void;
}

/** What a listening driver reports into. */
export interface ListenSink {
  opened(info: { local: string }): void;
  /** a datagram from `peer`; the engine finds or creates the child connection for it */
  datagram(peer: string, bytes: Uint8Array, reply: PeerTransport): void;
  /** a stream peer connected (TCP accept): the engine makes a child and returns its sink */
  accepted(peer: string, local: string, transport: Transport): LinkSink;
  failed(err: HilrigError): void;
}

/** Serial line control, for board reset sequences (esptool, Arduino) and break. */
export interface LineControl {
  set(signals: { dtr?: boolean; rts?: boolean; brk?: boolean }): Promise<void>;
  get(): Promise<{ cts: boolean; dsr: boolean; dcd: boolean }>;
  /** hold a break condition for `ms` */
  sendBreak(ms: number): Promise<void>;
}

/** One open transport, as the engine drives it. */
export interface Transport {
  /** queue bytes; the driver calls sink.sent(n) when they left */
  write(bytes: Uint8Array): void;
  /** release the port/socket; no sink calls after this */
  close(): void;
  /** stop reading (backpressure); optional for transports that cannot pause */
  pause?(): void;
  resume?(): void;
  /** only serial transports */
  line?: LineControl;
}

/** A listener child's way to answer its peer (a shared socket, addressed to that peer). */
export interface PeerTransport {
  write(bytes: Uint8Array, done: (err?: HilrigError) => void): void;
}

export interface DriverContext {
  clock: Clock;
  /** the connection's recv limit: a datagram driver refuses larger datagrams */
  recvLimit: number;
}

export interface Driver {
  /**
   * Each datagram handed to data()/datagram() is fresh memory that the driver never writes again
   * (node:dgram allocates one per datagram), so the engine keeps it in c.recv without a copy.
   * Leave it out when a driver reuses a read buffer.
   */
  readonly handsOverDatagrams?: boolean;
  /** open a client transport; report through `sink` (never throw for I/O failures) */
  connect(url: URL, sink: LinkSink, ctx: DriverContext): Transport;
  /** open a listener (drivers without one leave it out) */
  listen?(url: URL, sink: ListenSink, ctx: DriverContext): Transport;
  /** does this transport keep message boundaries */
  readonly datagram: boolean;
}
