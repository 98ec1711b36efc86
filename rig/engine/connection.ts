// Mongoose's `struct mg_connection`: buffers, peer, flags, user and protocol handler slots.
// The Manager owns every Connection and does all dispatching; a Connection only holds state
// and forwards requests (send, close, timers) to its manager.
import type { Clock } from './clock.js';
import type { LineControl, PeerTransport, Transport } from './driver.js';
import type { EventMap, Handler, LooseHandler, ProtoSlot, RawHandler } from './events.js';
import { IoBuf } from './iobuf.js';
import type { Timer } from './timers.js';
import type { ConnInfo } from './trace-tap.js';

/** What a Connection needs from its Manager (kept narrow so the two files stay decoupled). */
export interface ConnectionOwner {
  readonly clock: Clock;
  requestClose(c: Connection, reason: string): void;
  writeTo(c: Connection, bytes: Uint8Array): boolean;
  addConnTimer(c: Connection, ms: number, repeat: boolean, tag: string): Timer;
  cancelConnTimer(c: Connection, t: Timer): void;
}

export type ConnRole = 'client' | 'listener' | 'accepted';

export class Connection {
  /** where received bytes wait until a handler consumes them */
  readonly recv: IoBuf;
  /** the user's handler (Mongoose `fn`); called only when no protocol is set */
  handler: RawHandler;
  /** the protocol slot (Mongoose `pfn` + `pfn_data` + destructor) */
  proto?: ProtoSlot;
  /** free for the user (Mongoose `fn_data`) */
  userData: unknown;
  /** 'udp://127.0.0.1:5683' or '/dev/ttyACM0' once known */
  peer = '';
  local = '';
  /** a human name for traces and logs: board and role */
  label: string;
  /** the manager clock's time of the last byte in or out */
  lastIoTime: number;
  /** set by close() and by errors; the connection goes away at the end of the dispatch unless cleared */
  isClosing = false;
  isClosed = false;
  /** the transport is open (client: after Connect; accepted: always; listener: bound) */
  isConnected = false;
  /** bytes handed to send() that the transport has not yet reported sent */
  pendingSend = 0;
  /** the listener this child belongs to */
  readonly parent?: Connection;
  /** a listener's children, by peer */
  readonly children = new Map<string, Connection>();

  /** @internal set by the manager */
  transport?: Transport;
  /** @internal a listener child's way to answer its peer */
  peerTransport?: PeerTransport;
  /** @internal bytes sent before the transport opened */
  preOpenQueue: Uint8Array[] = [];
  /** @internal reading paused for backpressure */
  paused = false;
  /** @internal the driver hands each datagram over: c.recv adopts it instead of copying it */
  adoptsDatagrams = false;
  /** @internal */
  readonly timers = new Set<Timer>();
  /** resolves when the transport is open (client connected, listener bound); rejects on failure */
  readonly ready: Promise<void>;
  /** resolves with the close reason after Close fired and proto.destroy ran */
  readonly closed: Promise<string>;
  /** @internal */
  settleReady!: (err?: Error) => void;
  /** @internal */
  settleClosed!: (reason: string) => void;

  constructor(
    private readonly owner: ConnectionOwner,
    readonly id: number,
    readonly url: string,
    /** the URL scheme: 'udp', 'serial', 'tcp', ... */
    readonly transportName: string,
    readonly role: ConnRole,
    readonly isDatagram: boolean,
    handler: RawHandler,
    recvLimit: number,
    parent?: Connection,
  ) {
    this.handler = handler;
    this.recv = new IoBuf(recvLimit);
    this.parent = parent;
    this.label = `${transportName}#${id}`;
    this.lastIoTime = owner.clock.now();
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    // Nobody is obliged to await `ready`; an unobserved rejection must not kill the process.
    this.ready.catch(() => undefined);
    this.closed = new Promise<string>((resolve) => (this.settleClosed = resolve));
  }

  get isListener(): boolean {
    return this.role === 'listener';
  }
  get isAccepted(): boolean {
    return this.role === 'accepted';
  }
  get isClient(): boolean {
    return this.role === 'client';
  }

  /** Replace the user handler, with a protocol's event types for narrowing. */
  setHandler<P extends EventMap>(h: Handler<P>): void;
  setHandler(h: LooseHandler): void;
  setHandler(h: Handler | LooseHandler): void {
    this.handler = h as unknown as RawHandler;
  }

  /** Queue bytes for the peer. False when the connection is closed (nothing is queued). */
  send(bytes: Uint8Array): boolean {
    return this.owner.writeTo(this, bytes);
  }

  /** Close after what was sent has left (Mongoose's is_draining), then Close and destroy. */
  close(reason = 'closed by handler'): void {
    this.owner.requestClose(this, reason);
  }

  /** A timer that fires Ev.Timer on this connection; cancelled when the connection closes. */
  addTimer(ms: number, opts: { repeat?: boolean; tag?: string } = {}): Timer {
    return this.owner.addConnTimer(this, ms, opts.repeat ?? false, opts.tag ?? '');
  }

  cancelTimer(t: Timer): void {
    this.owner.cancelConnTimer(this, t);
  }

  /** The manager clock's time (ms): what protocol handlers use for deadlines. */
  now(): number {
    return this.owner.clock.now();
  }

  /** Serial line control (DTR/RTS/break), or undefined on transports without one. */
  get line(): LineControl | undefined {
    return this.transport?.line;
  }

  /** What the trace writers need to know about this connection. */
  info(): ConnInfo {
    return {
      connId: this.id,
      transport: this.transportName,
      url: this.url,
      peer: this.peer,
      local: this.local,
      datagram: this.isDatagram,
      label: this.label,
    };
  }
}
