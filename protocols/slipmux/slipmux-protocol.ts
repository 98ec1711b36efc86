// The slipmux protocol handler: `setProtocolSlipmux(c)` turns a serial (or any stream)
// connection into typed events, Mongoose style: generic events go on to the user handler
// first, then c.recv is split with the codec, each item consumed before it is emitted (a user
// handler that throws loses no other item and sees none twice). Console text outside frames is
// emitted as it comes (the console line splitter downstream assembles lines); frames with a bad
// FCS, an unknown type, over the limit or aborted are counted and reported as Dropped, never fatal.
import { type Connection, Ev, type PollInfo, type ProtoSlot } from '../../rig/engine/index.js';
import { leadingEnds } from '../slip/slip-codec.js';
import {
  DEFAULT_MAX_SLIPMUX_FRAME,
  encodeCoapFrame,
  encodeDiagnosticFrame,
  encodeIpFrame,
  idleDelimiters,
  nextSlipmuxItem,
  type SlipmuxItem,
} from './slipmux-codec.js';
import { type SlipmuxCoap, type SlipmuxDiagnostic, type SlipmuxDropped, SlipmuxEv, type SlipmuxIp, type SlipmuxStats, type SlipmuxText } from './slipmux-events.js';

export * from './slipmux-events.js';

export interface SlipmuxOptions {
  /** unescaped bytes a frame may have, initial byte and FCS included (default 2048) */
  maxFrame?: number;
  /**
   * Flush text held back (a split UTF-8 character, a few bytes that could still start an IP
   * frame) after this many ms without bytes, checked on Poll (default 50); 0 disables.
   */
  idleFlushMs?: number;
}

interface SlipmuxState {
  maxFrame: number;
  idleFlushMs: number;
  discarding: boolean;
  /** the manager clock's time of the last Recv */
  lastRecvAt: number;
  stats: SlipmuxStats;
  destroyed: boolean;
}

const NAME = 'slipmux';

const RULES = {
  'bad-fcs': 'draft-bormann-t2trg-slipmux §5: a CoAP frame with an incorrect FCS is discarded',
  'unknown-type': 'draft-bormann-t2trg-slipmux §7.3: frames with unknown initial bytes are ignored',
  aborted: 'draft-bormann-t2trg-slipmux §6: ESC END aborts the frame',
  truncated: 'the connection closed before the frame ended',
} as const;

const emit = (c: Connection, ev: number, data: unknown): void => c.handler(c, ev, data);

function drop(c: Connection, d: SlipmuxDropped): void {
  emit(c, SlipmuxEv.Dropped, d);
}

function deliver(c: Connection, s: SlipmuxState, item: SlipmuxItem): void {
  const st = s.stats;
  switch (item.kind) {
    case 'text':
      st.textBytes += item.bytes.length;
      return emit(c, SlipmuxEv.Text, { bytes: item.bytes, text: item.text } satisfies SlipmuxText);
    case 'diagnostic':
      st.frames++;
      return emit(c, SlipmuxEv.Diagnostic, { text: item.text, bytes: item.bytes } satisfies SlipmuxDiagnostic);
    case 'coap':
      st.frames++;
      return emit(c, SlipmuxEv.Coap, { message: item.message } satisfies SlipmuxCoap);
    case 'ip':
      st.frames++;
      return emit(c, SlipmuxEv.Ip, { version: item.version, packet: item.packet } satisfies SlipmuxIp);
    case 'bad-fcs':
      st.badFcs++;
      return drop(c, { reason: 'bad-fcs', length: item.frame.length, frame: item.frame, rule: RULES['bad-fcs'] });
    case 'unknown-type':
      st.unknownType++;
      return drop(c, { reason: 'unknown-type', length: item.frame.length, frame: item.frame, type: item.type, rule: RULES['unknown-type'] });
    case 'oversize':
      st.oversize++;
      return drop(c, { reason: 'oversize', length: item.length, rule: `frame longer than maxFrame (${s.maxFrame} bytes): dropped up to its END` });
    case 'discarded':
      st.discardedBytes += item.length;
      return;
    case 'aborted':
      st.aborted++;
      return drop(c, { reason: 'aborted', length: item.length, rule: RULES.aborted });
  }
}

/** Split everything c.recv holds into items; consume each before emitting it. */
function split(c: Connection, s: SlipmuxState, idle: boolean): void {
  // not stopped by c.isClosed: on Close the buffer is still readable and worth splitting
  while (c.recv.length > 0) {
    const view = c.recv.view();
    const r = nextSlipmuxItem(view, { maxFrame: s.maxFrame, discarding: s.discarding, idle });
    if (r.kind === 'incomplete') {
      const k = idleDelimiters(view);
      if (k > 0) c.recv.consume(k);
      return;
    }
    if (r.kind === 'malformed') {
      const n = Math.min(c.recv.length, Math.max(1, r.skip ?? 1));
      c.recv.consume(n);
      s.discarding = false;
      s.stats.malformed++;
      drop(c, { reason: 'bad-escape', length: n, rule: r.rule });
      continue;
    }
    c.recv.consume(r.consumed);
    s.discarding = r.value.kind === 'oversize' || r.value.kind === 'discarded';
    deliver(c, s, r.value);
  }
}

/** On Close: a frame still waiting for its END will never get it. */
function dropUnfinished(c: Connection, s: SlipmuxState): void {
  const view = c.recv.view();
  const n = view.length - leadingEnds(view);
  if (n <= 0) return;
  c.recv.consume(view.length);
  if (s.discarding) {
    s.stats.discardedBytes += n;
    return;
  }
  s.stats.truncated++;
  drop(c, { reason: 'truncated', length: n, rule: RULES.truncated });
}

function handler(c: Connection, ev: number, data: unknown): void {
  const s = (c.proto as ProtoSlot<SlipmuxState>).data;
  if (ev === Ev.Close) {
    // the board's last words before the port went away are still in c.recv
    split(c, s, true);
    dropUnfinished(c, s);
    return c.handler(c, ev, data);
  }
  c.handler(c, ev, data);
  if (c.isClosed) return;
  if (ev === Ev.Recv) {
    s.lastRecvAt = c.lastIoTime;
    split(c, s, false);
  } else if (ev === Ev.Poll && s.idleFlushMs > 0 && c.recv.length > 0) {
    if ((data as PollInfo).now - s.lastRecvAt >= s.idleFlushMs) split(c, s, true);
  }
}

function checkOptions(opts: SlipmuxOptions): void {
  const { maxFrame, idleFlushMs } = opts;
  // 4 bytes: the smallest CoAP frame (0xA9, a message of at least 1 byte, the FCS)
  if (maxFrame !== undefined && !(Number.isInteger(maxFrame) && maxFrame >= 4)) {
    throw new TypeError(`setProtocolSlipmux: maxFrame must be a whole number of bytes >= 4, got ${String(maxFrame)}`);
  }
  if (idleFlushMs !== undefined && !(Number.isFinite(idleFlushMs) && idleFlushMs >= 0)) {
    throw new TypeError(`setProtocolSlipmux: idleFlushMs must be a number of ms >= 0 (0 disables), got ${String(idleFlushMs)}`);
  }
}

/** Make `c` a slipmux connection: the user handler then also gets SlipmuxEv events. */
export function setProtocolSlipmux(c: Connection, opts: SlipmuxOptions = {}): void {
  checkOptions(opts);
  const make = (): ProtoSlot<SlipmuxState> => ({
    name: NAME,
    handler,
    data: {
      maxFrame: opts.maxFrame ?? DEFAULT_MAX_SLIPMUX_FRAME,
      idleFlushMs: opts.idleFlushMs ?? 50,
      discarding: false,
      lastRecvAt: 0,
      stats: { frames: 0, badFcs: 0, unknownType: 0, oversize: 0, aborted: 0, malformed: 0, truncated: 0, textBytes: 0, discardedBytes: 0, sent: 0 },
      destroyed: false,
    },
    destroy: (d) => {
      // once, after Close; the counters stay readable for the test that asks afterwards
      if (d.destroyed) return;
      d.destroyed = true;
      d.discarding = false;
    },
    forChild: () => make() as ProtoSlot,
  });
  c.proto = make() as ProtoSlot;
}

/** The counters of a slipmux connection, or undefined when `c` has another protocol. */
export function slipmuxStats(c: Connection): Readonly<SlipmuxStats> | undefined {
  return c.proto?.name === NAME ? (c.proto as ProtoSlot<SlipmuxState>).data.stats : undefined;
}

function sendFrame(c: Connection, frame: Uint8Array): boolean {
  const sent = c.send(frame);
  if (sent && c.proto?.name === NAME) (c.proto as ProtoSlot<SlipmuxState>).data.stats.sent++;
  return sent;
}

/** Send a CoAP message in a slipmux frame (0xA9, FCS). False when the connection is closed. */
export function sendCoapOverSlipmux(c: Connection, coap: Uint8Array): boolean {
  return sendFrame(c, encodeCoapFrame(coap));
}

/** Send a diagnostic frame (draft §4 defines them board-to-host; a virtual board sends them too). */
export function sendDiagnostic(c: Connection, text: string): boolean {
  return sendFrame(c, encodeDiagnosticFrame(text));
}

/** Send an IP packet in a frame; TypeError when its first byte is not an IPv4/IPv6 one. */
export function sendIpOverSlipmux(c: Connection, packet: Uint8Array): boolean {
  return sendFrame(c, encodeIpFrame(packet));
}
