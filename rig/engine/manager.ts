// Mongoose's `struct mg_mgr`: owns every connection, its timers and the trace tap, and is the
// only place that calls handlers. The dispatch rule (Mongoose 6.x): exactly one handler per
// event, `c.proto.handler` when a protocol is set, else `c.handler`; the protocol decides
// what reaches the user.
import { type Clock, RealClock } from './clock.js';
import { Connection, type ConnectionOwner, type ConnRole } from './connection.js';
import type { Driver, LinkSink, ListenSink, PeerTransport, Transport } from './driver.js';
import { describeError, HilrigError } from './errors.js';
import { Ev, type EventMap, type Handler, type LooseHandler, type RawHandler } from './events.js';
import { type Timer, TimerWheel } from './timers.js';
import { TraceTap } from './trace-tap.js';

export interface ManagerOptions {
  /** transports by URL scheme ('udp', 'serial', 'tcp'); the package root supplies the defaults */
  drivers?: Record<string, Driver>;
  clock?: Clock;
  /** how often Ev.Poll reaches every connection, in clock milliseconds */
  pollMs?: number;
  /** default byte limit of each connection's recv buffer */
  recvLimit?: number;
  /** how long close() waits for queued bytes to leave before closing anyway */
  drainMs?: number;
}

export interface ConnectOptions {
  label?: string;
  recvLimit?: number;
}

export class Manager implements ConnectionOwner {
  readonly clock: Clock;
  readonly tap = new TraceTap();
  readonly connections = new Set<Connection>();
  readonly drivers: Map<string, Driver>;
  private readonly wheel: TimerWheel;
  private readonly pollMs: number;
  private readonly recvLimit: number;
  private readonly drainMs: number;
  private pollTimer?: Timer;
  private nextId = 1;

  constructor(opts: ManagerOptions = {}) {
    this.clock = opts.clock ?? new RealClock();
    this.wheel = new TimerWheel(this.clock);
    this.drivers = new Map(Object.entries(opts.drivers ?? {}));
    this.pollMs = opts.pollMs ?? 100;
    this.recvLimit = opts.recvLimit ?? 1 << 20;
    this.drainMs = opts.drainMs ?? 2000;
  }

  /** Open a client connection: Open, then Connect (or Error, Close). Returns at once. */
  connect<P extends EventMap = EventMap>(url: string, handler: Handler<P>, opts?: ConnectOptions): Connection;
  connect(url: string, handler: LooseHandler, opts?: ConnectOptions): Connection;
  connect(url: string, handler: Handler | LooseHandler, opts: ConnectOptions = {}): Connection {
    return this.open('client', url, handler as unknown as RawHandler, opts);
  }

  /** Open a listener; each new peer gets a child connection (Open, Accept) with the same handler and protocol. */
  listen<P extends EventMap = EventMap>(url: string, handler: Handler<P>, opts?: ConnectOptions): Connection;
  listen(url: string, handler: LooseHandler, opts?: ConnectOptions): Connection;
  listen(url: string, handler: Handler | LooseHandler, opts: ConnectOptions = {}): Connection {
    return this.open('listener', url, handler as unknown as RawHandler, opts);
  }

  /** A manager-level timer (Mongoose's mg_timer_add). */
  addTimer(ms: number, fn: (now: number) => void, opts: { repeat?: boolean } = {}): Timer {
    return this.wheel.add(ms, opts.repeat ?? false, 'mgr', (_t, now) => fn(now));
  }

  cancelTimer(t: Timer): void {
    this.wheel.cancel(t);
  }

  /** Fire Ev.Poll on every connection now (the poll timer does this every `pollMs`). */
  poll(): void {
    const now = this.clock.now();
    for (const c of [...this.connections]) if (!c.isClosed) this.dispatch(c, Ev.Poll, { now });
  }

  /** Close every connection (Close, then proto.destroy, once each) and stop all timers. */
  async shutdown(): Promise<void> {
    const all = [...this.connections];
    for (const c of all) if (!c.parent) this.finalize(c, 'shutdown');
    this.wheel.cancelAll();
    this.pollTimer = undefined;
    await Promise.all(all.map((c) => c.closed));
  }

  // ---- dispatch ---------------------------------------------------------------------------

  /** Call the one handler for this event; a throw becomes Ev.Error (HANDLER_THREW). */
  dispatch(c: Connection, ev: number, data?: unknown): void {
    const h = c.proto ? c.proto.handler : c.handler;
    try {
      h(c, ev, data);
    } catch (e) {
      if (ev === Ev.Error || ev === Ev.Close) {
        process.emitWarning(`hilrig: handler of ${c.label} threw on ${Ev[ev]}: ${describeError(e)}`);
        return;
      }
      const err = new HilrigError('HANDLER_THREW', `${c.label}: handler threw on ${Ev[ev] ?? `event ${ev}`}: ${describeError(e)}`, { cause: e });
      this.fail(c, err, false);
    }
  }

  /** Set the closing flag, fire Error; close unless the handler cleared the flag (or the transport is dead). */
  fail(c: Connection, err: HilrigError, fatal: boolean): void {
    if (c.isClosed) return;
    c.isClosing = true;
    if (!c.isConnected) c.settleReady(err);
    this.dispatch(c, Ev.Error, err);
    if (fatal || c.isClosing) this.finalize(c, err.message);
  }

  // ---- ConnectionOwner --------------------------------------------------------------------

  requestClose(c: Connection, reason: string): void {
    if (c.isClosed) return;
    c.isClosing = true;
    // Deferred like Mongoose (closed at the end of the poll iteration) so the calling handler
    // finishes with a valid connection; then wait for queued bytes to leave, with a bound.
    queueMicrotask(() => {
      if (c.isClosed || !c.isClosing) return;
      if (c.pendingSend === 0 || !c.isConnected) return this.finalize(c, reason);
      const t = this.wheel.add(this.drainMs, false, 'drain', () => this.finalize(c, reason));
      void c.closed.then(() => this.wheel.cancel(t));
    });
  }

  writeTo(c: Connection, bytes: Uint8Array): boolean {
    if (c.isClosed || c.isListener) return false;
    if (bytes.length === 0) return true;
    c.pendingSend += bytes.length;
    if (!c.isConnected) {
      c.preOpenQueue.push(bytes);
      return true;
    }
    this.transmit(c, bytes);
    return true;
  }

  addConnTimer(c: Connection, ms: number, repeat: boolean, tag: string): Timer {
    const t = this.wheel.add(ms, repeat, tag, (timer, now) => {
      if (!timer.repeat) c.timers.delete(timer);
      if (!c.isClosed) this.dispatch(c, Ev.Timer, { timer, now });
    });
    c.timers.add(t);
    return t;
  }

  cancelConnTimer(c: Connection, t: Timer): void {
    c.timers.delete(t);
    this.wheel.cancel(t);
  }

  // ---- lifecycle --------------------------------------------------------------------------

  private open(role: ConnRole, url: string, handler: RawHandler, opts: ConnectOptions): Connection {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
    const driver = this.drivers.get(scheme);
    const c = this.add(role, url, scheme, driver?.datagram ?? false, handler, opts.recvLimit ?? this.recvLimit);
    c.adoptsDatagrams = c.isDatagram && driver?.handsOverDatagrams === true;
    if (opts.label) c.label = opts.label;
    // Open is deferred one microtask so the caller can set c.proto and c.userData first.
    queueMicrotask(() => {
      this.dispatch(c, Ev.Open);
      if (c.isClosed) return;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return this.fail(c, new HilrigError('BAD_URL', `bad URL "${url}": expected scheme://host:port or serial:///dev/path`), true);
      }
      if (!driver) {
        const known = [...this.drivers.keys()].join(', ') || 'none';
        return this.fail(c, new HilrigError('NO_DRIVER', `no transport for "${scheme}:" in "${url}" (known: ${known})`), true);
      }
      const ctx = { clock: this.clock, recvLimit: c.recv.limit };
      if (role === 'listener') {
        if (!driver.listen) return this.fail(c, new HilrigError('NOT_SUPPORTED', `transport "${scheme}" cannot listen (${url})`), true);
        c.transport = driver.listen(parsed, this.listenSink(c), ctx);
      } else {
        c.transport = driver.connect(parsed, this.linkSink(c), ctx);
      }
      if (c.isClosed) c.transport.close();
    });
    return c;
  }

  private add(role: ConnRole, url: string, scheme: string, datagram: boolean, handler: RawHandler, limit: number, parent?: Connection): Connection {
    const c = new Connection(this, this.nextId++, url, scheme, role, datagram, handler, limit, parent);
    c.recv.onDrain = () => this.maybeResume(c);
    this.connections.add(c);
    if (!this.pollTimer && this.pollMs > 0) this.pollTimer = this.wheel.add(this.pollMs, true, 'poll', () => this.poll());
    return c;
  }

  /** Tear down once: timers, children, transport, Close, tap, buffers, proto.destroy. */
  finalize(c: Connection, reason: string): void {
    if (c.isClosed) return;
    c.isClosed = true;
    c.isClosing = true;
    for (const t of c.timers) this.wheel.cancel(t);
    c.timers.clear();
    for (const child of [...c.children.values()]) this.finalize(child, reason);
    try {
      c.transport?.close();
    } catch {
      // the port may already be gone; closing is best effort
    }
    if (!c.isConnected) c.settleReady(new HilrigError('OPEN_FAILED', `${c.label}: closed before it opened: ${reason}`));
    this.dispatch(c, Ev.Close, { reason });
    if (this.tap.active) this.tap.publish({ kind: 'close', tsNs: this.clock.epochNs(), connId: c.id, reason });
    c.recv.free();
    c.preOpenQueue = [];
    const proto = c.proto;
    if (proto?.destroy) {
      try {
        proto.destroy(proto.data);
      } catch (e) {
        process.emitWarning(`hilrig: protocol ${proto.name} destroy threw: ${describeError(e)}`);
      }
    }
    this.connections.delete(c);
    c.parent?.children.delete(c.peer);
    if (this.connections.size === 0 && this.pollTimer) {
      this.wheel.cancel(this.pollTimer);
      this.pollTimer = undefined;
    }
    c.settleClosed(reason);
  }

  private transmit(c: Connection, bytes: Uint8Array): void {
    c.lastIoTime = this.clock.now();
    if (this.tap.active) this.tap.publish({ kind: 'data', tsNs: this.clock.epochNs(), connId: c.id, dir: 'out', bytes });
    if (c.peerTransport) {
      c.peerTransport.write(bytes, (err) => (err ? this.fail(c, err, false) : this.onSent(c, bytes.length)));
    } else {
      c.transport?.write(bytes);
    }
  }

  private onSent(c: Connection, n: number): void {
    if (c.isClosed) return;
    c.pendingSend = Math.max(0, c.pendingSend - n);
    this.dispatch(c, Ev.Send, { bytes: n });
    if (c.isClosing && c.pendingSend === 0) this.finalize(c, 'closed by handler');
  }

  private onOpened(c: Connection, info: { peer?: string; local?: string }): void {
    if (c.isClosed) return;
    if (info.peer !== undefined) c.peer = info.peer;
    if (info.local !== undefined) c.local = info.local;
    c.isConnected = true;
    c.lastIoTime = this.clock.now();
    if (this.tap.active) this.tap.publish({ kind: 'open', tsNs: this.clock.epochNs(), conn: c.info() });
    c.settleReady();
    if (c.isClient) this.dispatch(c, Ev.Connect);
    const queued = c.preOpenQueue;
    c.preOpenQueue = [];
    for (const b of queued) if (!c.isClosed) this.transmit(c, b);
  }

  private onData(c: Connection, bytes: Uint8Array): void {
    if (c.isClosed) return;
    c.lastIoTime = this.clock.now();
    if (this.tap.active) this.tap.publish({ kind: 'data', tsNs: this.clock.epochNs(), connId: c.id, dir: 'in', bytes });
    if (c.isDatagram) {
      if (bytes.length > c.recv.limit) {
        const err = new HilrigError('DGRAM_TOO_LARGE', `${c.label}: datagram of ${bytes.length} bytes from ${c.peer} exceeds the recv limit of ${c.recv.limit} bytes; dropped`);
        return this.fail(c, err, false);
      }
      // the driver's own fresh memory is kept as it is: no copy per datagram (see IoBuf.adopt)
      if (c.adoptsDatagrams) c.recv.adopt(bytes);
      else c.recv.append(bytes);
      this.dispatch(c, Ev.Recv, { bytes: bytes.length });
      // one datagram is one message: what the handler left unparsed does not leak into the next
      if (!c.isClosed && c.recv.length > 0) c.recv.clear();
      return;
    }
    c.recv.append(bytes);
    this.dispatch(c, Ev.Recv, { bytes: bytes.length });
    if (!c.isClosed && !c.paused && c.recv.length >= c.recv.limit && c.transport?.pause) {
      c.paused = true;
      c.transport.pause();
    }
  }

  private maybeResume(c: Connection): void {
    if (c.paused && !c.isClosed && c.recv.length < c.recv.limit) {
      c.paused = false;
      c.transport?.resume?.();
    }
  }

  private linkSink(c: Connection): LinkSink {
    return {
      opened: (info) => this.onOpened(c, info),
      data: (bytes) => this.onData(c, bytes),
      sent: (n) => this.onSent(c, n),
      failed: (err, fatal = true) => this.fail(c, err, fatal),
      ended: (reason) => this.finalize(c, reason),
    };
  }

  private listenSink(l: Connection): ListenSink {
    return {
      opened: (info) => {
        if (l.isClosed) return;
        l.local = info.local;
        l.isConnected = true;
        if (this.tap.active) this.tap.publish({ kind: 'open', tsNs: this.clock.epochNs(), conn: l.info() });
        l.settleReady();
      },
      datagram: (peer, bytes, reply) => {
        if (l.isClosed) return;
        const child = l.children.get(peer) ?? this.acceptChild(l, peer, l.local, { peerTransport: reply });
        this.onData(child, bytes);
      },
      accepted: (peer, local, transport) => {
        const child = this.acceptChild(l, peer, local, { transport });
        return this.linkSink(child);
      },
      failed: (err) => this.fail(l, err, true),
    };
  }

  private acceptChild(l: Connection, peer: string, local: string, io: { peerTransport?: PeerTransport; transport?: Transport }): Connection {
    const child = this.add('accepted', l.url, l.transportName, l.isDatagram, l.handler, l.recv.limit, l);
    child.peer = peer;
    child.local = local;
    child.label = `${l.label}<${peer}>`;
    child.userData = l.userData;
    child.peerTransport = io.peerTransport;
    child.transport = io.transport;
    child.adoptsDatagrams = l.adoptsDatagrams;
    if (l.proto) child.proto = l.proto.forChild ? l.proto.forChild(child) : { ...l.proto, data: undefined };
    l.children.set(peer, child);
    child.isConnected = true;
    child.settleReady();
    this.dispatch(child, Ev.Open);
    if (this.tap.active) this.tap.publish({ kind: 'open', tsNs: this.clock.epochNs(), conn: child.info() });
    if (!child.isClosed) this.dispatch(child, Ev.Accept);
    return child;
  }
}
