// The console-lines protocol handler: `setProtocolLines(c)` turns a serial (or any stream)
// connection into `LineEv.Line` events, Mongoose style. Generic events go on to the user
// handler first; then received bytes are cut into lines and consumed. A prompt such as
// "uart:~$ " never gets a newline, so a partial line is flushed after an idle gap of clock time.
import { type Clock, type Connection, Ev, type EventMap, type PollInfo, PROTO_EV_BASE, type ProtoSlot, realEpochNs, type Timer } from '../../rig/engine/index.js';
import { type ConsoleLine, decodeLine, DEFAULT_MAX_LINE, flushLine } from './line-codec.js';

/** Console protocol events, from PROTO_EV_BASE * 9 (asserted equal in the tests). */
export enum LineEv {
  Line = 900,
}
export const LINE_EV_BASE = PROTO_EV_BASE * 9;

export interface LineEvent {
  line: ConsoleLine;
  /** when the line's last byte arrived, ns since the epoch (the manager clock's epochNs) */
  tsNs: bigint;
}

export interface LineEvents extends EventMap {
  [LineEv.Line]: LineEvent;
}

export interface LineProtocolOptions {
  /** cut lines longer than this many bytes (default 4096) */
  maxLine?: number;
  /** flush a partial line after this many ms without bytes (default 100); 0 disables */
  idleFlushMs?: number;
  /**
   * The manager's clock, for line timestamps and the idle gap (a Connection does not expose its
   * manager's epoch time). Without it: wall time for timestamps, c.lastIoTime for the gap.
   */
  clock?: Clock;
}

interface LineState {
  maxLine: number;
  idleFlushMs: number;
  clock?: Clock;
  /** clock ms of the last received chunk */
  lastRecvAt: number;
  /** epoch ns of the last received chunk: the timestamp of a flushed partial line */
  lastRecvNs: bigint;
  idleTimer?: Timer;
}

const IDLE_TAG = 'console-idle';

const epochNs = (s: LineState): bigint => (s.clock ? s.clock.epochNs() : realEpochNs());
const nowMs = (s: LineState, c: Connection): number => (s.clock ? s.clock.now() : c.lastIoTime);

function emit(c: Connection, line: ConsoleLine, tsNs: bigint): void {
  const ev: LineEvent = { line, tsNs };
  c.handler(c, LineEv.Line, ev);
}

/** Cut every complete line out of c.recv. */
function parseLines(c: Connection, s: LineState, tsNs: bigint): void {
  // not stopped by c.isClosed: on Close the buffer is still readable and worth parsing
  while (c.recv.length > 0) {
    const r = decodeLine(c.recv.view(), { maxLine: s.maxLine });
    if (r.kind === 'incomplete') return;
    c.recv.consume(r.consumed);
    emit(c, r.line, tsNs);
  }
}

function flushPartial(c: Connection, s: LineState): void {
  const f = flushLine(c.recv.view());
  if (!f) return;
  c.recv.consume(f.consumed);
  emit(c, f.line, s.lastRecvNs);
}

/** Flush when the line has been idle long enough; else (re)arm the idle timer for the rest. */
function checkIdle(c: Connection, s: LineState, now: number): void {
  if (s.idleFlushMs <= 0 || c.recv.length === 0) return;
  const idle = now - s.lastRecvAt;
  if (idle >= s.idleFlushMs) return flushPartial(c, s);
  if (!s.idleTimer) s.idleTimer = c.addTimer(s.idleFlushMs - idle, { tag: IDLE_TAG });
}

function handler(c: Connection, ev: number, data: unknown): void {
  const s = (c.proto as ProtoSlot<LineState>).data;
  if (ev === Ev.Timer && (data as { timer: Timer }).timer === s.idleTimer) {
    // our own timer: protocol business, hidden from the user handler
    s.idleTimer = undefined;
    return checkIdle(c, s, (data as { now: number }).now);
  }
  if (ev === Ev.Close) {
    // the board's last words before the port went away are still in c.recv
    parseLines(c, s, s.lastRecvNs);
    flushPartial(c, s);
    return c.handler(c, ev, data);
  }
  c.handler(c, ev, data);
  if (c.isClosed) return;
  if (ev === Ev.Recv) {
    s.lastRecvAt = nowMs(s, c);
    s.lastRecvNs = epochNs(s);
    parseLines(c, s, s.lastRecvNs);
    checkIdle(c, s, s.lastRecvAt);
  } else if (ev === Ev.Poll) {
    checkIdle(c, s, (data as PollInfo).now);
  }
}

/** Make `c` a console-lines connection: the user handler then also gets LineEv.Line. */
export function setProtocolLines(c: Connection, opts: LineProtocolOptions = {}): void {
  const make = (): ProtoSlot<LineState> => ({
    name: 'console-lines',
    handler,
    data: {
      maxLine: opts.maxLine ?? DEFAULT_MAX_LINE,
      idleFlushMs: opts.idleFlushMs ?? 100,
      clock: opts.clock,
      lastRecvAt: 0,
      lastRecvNs: 0n,
    },
    destroy: (d) => {
      // the connection's timers are already cancelled by the manager; drop our reference
      d.idleTimer = undefined;
    },
    forChild: () => make() as ProtoSlot,
  });
  c.proto = make() as ProtoSlot;
}
