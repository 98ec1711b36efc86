// The XMODEM / XMODEM-1K / YMODEM sender as a protocol handler on a stream connection, Mongoose
// style: generic events go on to the user handler first, then the receiver's bytes in c.recv are
// read with the codec and consumed, and the state machine answers them. Timeouts are connection
// timers on the manager clock. The sender borrows the connection: the protocol set before it
// (console lines, say) is put back when the transfer ends, so the board's console goes on.
//
//   wait-start ─NAK/'C'─► [ymodem: header ─ACK─► wait-data-start ─'C'─►] block ─ACK─► block ... ─► eot
//   eot ─ACK─► done   (ymodem: eot ─ACK─► wait-end-start ─'C'─► batch-end ─ACK─► done)
//
// The file is read a block at a time (the next block is read while the receiver checks the
// current one), so an image is never held whole.
import { type Connection, Ev, type ErrorCode, HilrigError, type ProtoSlot, type TimerInfo, type Timer } from '../../rig/engine/index.js';
import {
  ACK,
  type BlockCheck,
  type BlockSize,
  CAN,
  CRC_REQUEST,
  decodeReceiverSignal,
  encodeBlock,
  encodeYmodemBatchEnd,
  EOT,
  NAK,
  nextBlockSize,
  type ReceiverSignal,
} from './xmodem-codec.js';
import {
  XmodemError,
  type XmodemFailed,
  type XmodemFailureKind,
  type XmodemProgress,
  type XmodemResult,
  type XmodemSendOptions,
  type XmodemStarted,
  XmodemEv,
} from './xmodem-events.js';
import { type ResolvedXmodemOptions, resolveXmodemOptions } from './xmodem-options.js';
import { type BlockRead, readResult, startRead } from './block-reader.js';

export * from './xmodem-events.js';

const NAME = 'xmodem-send';
/** What we send to abort a receiver that started: CANs as sz/lrzsz do (two are the rule, more survive a lost byte). */
const ABORT = new Uint8Array(8).fill(CAN);

type Phase =
  | 'wait-start' // for the receiver's first NAK / 'C'
  | 'header' // YMODEM block 0 sent, waiting for ACK
  | 'wait-data-start' // YMODEM block 0 acknowledged, waiting for 'C'
  | 'loading' // waiting for file.read
  | 'block' // a data block sent, waiting for ACK
  | 'eot' // EOT sent, waiting for ACK
  | 'wait-end-start' // YMODEM EOT acknowledged, waiting for 'C'
  | 'batch-end' // the empty block 0 sent, waiting for ACK
  | 'finished';

type Outcome = { ok: true; result: XmodemResult } | { ok: false; failed: XmodemFailed };

interface SenderState {
  o: ResolvedXmodemOptions;
  slot: ProtoSlot<SenderState>;
  /** the protocol this transfer borrowed the connection from */
  prev?: ProtoSlot;
  phase: Phase;
  check: BlockCheck;
  maxBlock: BlockSize;
  /** file bytes acknowledged: where the current block starts */
  offset: number;
  /** the current block's absolute number (1 = first data block; 0 = YMODEM block 0) */
  blockNo: number;
  /** the bytes on the wire for what waits for an answer, and its file bytes */
  frame?: Uint8Array;
  frameBytes: number;
  /** the next block, read ahead */
  next?: BlockRead;
  /** resends of what waits for an answer now */
  attempts: number;
  naks: number;
  timeouts: number;
  retries: number;
  blocks: number;
  noiseBytes: number;
  /** NAK starts not taken because the mode wants CRC */
  nakStarts: number;
  /** a NAK to the first EOT is the protocol (many receivers do it), not an error */
  eotNaked: boolean;
  startedAt: number;
  timer?: Timer;
  settleTimer?: Timer;
  onEnd?: (o: Outcome) => void;
}

const stateOf = (c: Connection): SenderState => (c.proto as ProtoSlot<SenderState>).data;
const emit = (c: Connection, ev: number, data: unknown): void => c.handler(c, ev, data);
const isStartByte = (b: number | undefined): boolean => b === NAK || b === CRC_REQUEST;

function progress(s: SenderState): XmodemProgress {
  return { bytes: s.offset, size: s.o.file.size, blocks: s.blocks, retries: s.retries };
}

// ---- timers -----------------------------------------------------------------------------

function arm(c: Connection, s: SenderState, ms: number): void {
  if (s.timer) c.cancelTimer(s.timer);
  s.timer = c.addTimer(ms, { tag: 'xmodem' });
}

function stopTimers(c: Connection, s: SenderState): void {
  if (s.timer) c.cancelTimer(s.timer);
  if (s.settleTimer) c.cancelTimer(s.settleTimer);
  s.timer = s.settleTimer = undefined;
}

// ---- the end ----------------------------------------------------------------------------

function finish(c: Connection, s: SenderState, outcome: Outcome): void {
  if (s.phase === 'finished') return;
  const receiverStarted = s.phase !== 'wait-start';
  s.phase = 'finished';
  stopTimers(c, s);
  // hand the connection back before telling anyone, so a handler may start the next thing
  if (c.proto === s.slot) c.proto = s.prev;
  if (outcome.ok) {
    emit(c, XmodemEv.Done, outcome.result);
  } else {
    if (receiverStarted && !c.isClosed && outcome.failed.kind !== 'cancelled') c.send(ABORT);
    emit(c, XmodemEv.Failed, outcome.failed);
  }
  s.onEnd?.(outcome);
}

/** The error code of each kind of failure. */
const CODE: Record<XmodemFailureKind, ErrorCode> = { cancelled: 'PROTOCOL', retries: 'PROTOCOL', 'no-start': 'TIMEOUT', closed: 'IO_ERROR', read: 'IO_ERROR', handler: 'HANDLER_THREW' };

function fail(c: Connection, s: SenderState, kind: XmodemFailureKind, reason: string, detail: string, code = CODE[kind]): void {
  const p = progress(s);
  const error = new XmodemError(code, kind, reason, detail, p);
  finish(c, s, { ok: false, failed: { kind, reason, error, progress: p } });
}

function done(c: Connection, s: SenderState): void {
  const result: XmodemResult = { bytes: s.offset, blocks: s.blocks, retries: s.retries, seconds: (c.now() - s.startedAt) / 1000, check: s.check };
  finish(c, s, { ok: true, result });
}

// ---- sending ----------------------------------------------------------------------------

/**
 * Bytes already received cannot answer what we are about to send: drop them (a stale second
 * NAK would otherwise make us send a block twice), all but a cancel.
 */
function purge(c: Connection, s: SenderState): void {
  for (;;) {
    const r = decodeReceiverSignal(c.recv.view());
    if (r.kind !== 'ok') return;
    c.recv.consume(r.consumed);
    if (r.value.kind === 'noise') s.noiseBytes += r.value.bytes.length;
    if (r.value.kind === 'cancel') return fail(c, s, 'cancelled', 'receiver cancelled', 'CAN CAN');
  }
}

/** Send what waits for an answer (s.frame), again or for the first time. */
function transmit(c: Connection, s: SenderState): void {
  purge(c, s);
  if (s.phase === 'finished' || !s.frame) return;
  c.send(s.frame);
  arm(c, s, s.o.blockTimeoutMs);
}

function sendNew(c: Connection, s: SenderState, phase: Phase, frame: Uint8Array, fileBytes: number): void {
  s.phase = phase;
  s.frame = frame;
  s.frameBytes = fileBytes;
  s.attempts = 0;
  s.naks = s.timeouts = 0;
  transmit(c, s);
}

/** Send it again after a NAK or a timeout, or give up when it has been sent often enough. */
function retry(c: Connection, s: SenderState, why: 'nak' | 'timeout'): void {
  if (why === 'nak') s.naks++;
  else s.timeouts++;
  if (s.attempts >= s.o.retries) {
    const what = s.phase === 'eot' ? 'EOT' : s.phase === 'batch-end' ? 'the end-of-batch block' : `block ${s.blockNo}`;
    const detail = `sent ${s.attempts + 1} times: ${s.naks} NAK, ${s.timeouts} timeout of ${s.o.blockTimeoutMs} ms`;
    return fail(c, s, 'retries', `too many retries on ${what}`, detail, s.naks === 0 ? 'TIMEOUT' : 'PROTOCOL');
  }
  s.attempts++;
  s.retries++;
  transmit(c, s);
}

/** Start reading the block that begins at `offset`. */
function read(s: SenderState, offset: number): BlockRead {
  const left = s.o.file.size - offset;
  return startRead(s.o.file, offset, Math.min(nextBlockSize(left, s.maxBlock), left));
}

/** The next data block (or EOT when the file is all acknowledged), reading it first if need be. */
function sendNextData(c: Connection, s: SenderState): void {
  if (s.offset >= s.o.file.size) return sendNew(c, s, 'eot', Uint8Array.of(EOT), 0);
  const p = s.next && s.next.offset === s.offset ? s.next : read(s, s.offset);
  s.next = undefined;
  if (!p.ready) {
    s.phase = 'loading';
    // a read that never answers must not hang the rig (the receiver gives up by then anyway)
    arm(c, s, s.o.blockTimeoutMs);
    p.onReady = () => {
      if (s.phase !== 'loading' || c.isClosed) return;
      guarded(c, s, () => sendLoaded(c, s, p));
    };
    return;
  }
  sendLoaded(c, s, p);
}

function sendLoaded(c: Connection, s: SenderState, p: BlockRead): void {
  const r = readResult(p);
  if ('problem' in r) return fail(c, s, 'read', `cannot read the file at offset ${p.offset}`, r.problem);
  const data = r.data;
  const size = nextBlockSize(s.o.file.size - p.offset, s.maxBlock);
  s.blockNo = s.blocks + 1;
  sendNew(c, s, 'block', encodeBlock(s.blockNo, data, { size, check: s.check }), data.length);
  // read the next block while the receiver checks this one
  const after = p.offset + p.length;
  if (after < s.o.file.size && s.phase === 'block') s.next = read(s, after);
}

/** Run a continuation outside the manager's dispatch: a throw must not become an unhandled rejection. */
function guarded(c: Connection, s: SenderState, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    try {
      fail(c, s, 'handler', 'handler threw', e instanceof Error ? e.message : String(e));
    } catch (again) {
      process.emitWarning(`hilrig: xmodem: handler threw while reporting a failure: ${again instanceof Error ? again.message : String(again)}`);
    }
  }
}

// ---- answers from the receiver ----------------------------------------------------------

function start(c: Connection, s: SenderState, check: BlockCheck): void {
  if (s.settleTimer) c.cancelTimer(s.settleTimer);
  s.settleTimer = undefined;
  s.check = check;
  s.maxBlock = s.o.oneK && check === 'crc' ? 1024 : 128;
  s.startedAt = c.now();
  s.offset = 0;
  s.next = undefined;
  emit(c, XmodemEv.Started, { check, maxBlock: s.maxBlock, noiseBytes: s.noiseBytes } satisfies XmodemStarted);
  if (s.phase !== 'wait-start') return;
  if (s.o.header) {
    s.blockNo = 0;
    return sendNew(c, s, 'header', s.o.header, 0);
  }
  sendNextData(c, s);
}

function onSignal(c: Connection, s: SenderState, sig: ReceiverSignal): void {
  if (sig.kind === 'noise') {
    s.noiseBytes += sig.bytes.length;
    return;
  }
  if (sig.kind === 'cancel') return fail(c, s, 'cancelled', 'receiver cancelled', `CAN CAN while ${s.phase}`);
  switch (s.phase) {
    case 'wait-start':
      if (sig.kind === 'crc') return start(c, s, 'crc');
      if (sig.kind === 'nak') {
        if (s.o.crcOnly) s.nakStarts++;
        else start(c, s, 'checksum');
      }
      return;
    case 'header':
      if (sig.kind === 'ack') {
        s.phase = 'wait-data-start';
        s.attempts = 0;
        return arm(c, s, s.o.blockTimeoutMs);
      }
      // NAK, or a 'C' repeated because block 0 never arrived
      return retry(c, s, 'nak');
    case 'wait-data-start':
      if (sig.kind === 'crc') return sendNextData(c, s);
      return;
    case 'block':
      if (sig.kind === 'ack') {
        s.offset += s.frameBytes;
        s.blocks++;
        emit(c, XmodemEv.Progress, progress(s));
        if (s.phase === 'block') sendNextData(c, s);
        return;
      }
      if (sig.kind === 'nak') return retry(c, s, 'nak');
      // 'C' before any block was acknowledged: the receiver (re)asks to start
      if (s.blocks === 0) {
        // a NAK in console noise started us with the checksum; the receiver wants CRC
        if (s.check === 'checksum' && !s.o.crcOnly) return restartWithCrc(c, s);
        return retry(c, s, 'nak');
      }
      return;
    case 'eot':
      if (sig.kind === 'ack') {
        if (!s.o.header) return done(c, s);
        s.phase = 'wait-end-start';
        s.attempts = 0;
        return arm(c, s, s.o.blockTimeoutMs);
      }
      if (sig.kind === 'nak') {
        if (!s.eotNaked) {
          s.eotNaked = true;
          return transmit(c, s);
        }
        return retry(c, s, 'nak');
      }
      return;
    case 'wait-end-start':
      if (sig.kind === 'crc') return sendNew(c, s, 'batch-end', encodeYmodemBatchEnd(), 0);
      return;
    case 'batch-end':
      if (sig.kind === 'ack') return done(c, s);
      return retry(c, s, 'nak');
    case 'loading':
    case 'finished':
      return;
  }
}

function restartWithCrc(c: Connection, s: SenderState): void {
  s.phase = 'wait-start';
  s.retries++;
  start(c, s, 'crc');
}

/**
 * While waiting to start, a 'C' or NAK followed at once by other bytes is console text, not a
 * start; one at the end of what arrived counts once the line stayed quiet for startSettleMs.
 */
function startByteIsText(c: Connection, s: SenderState, view: Uint8Array, settled: boolean): 'text' | 'start' | 'wait' {
  const after = view[1];
  if (after === undefined) {
    if (settled || s.o.startSettleMs === 0) return 'start';
    if (!s.settleTimer) s.settleTimer = c.addTimer(s.o.startSettleMs, { tag: 'xmodem-settle' });
    return 'wait';
  }
  // "CC", "C" then ACK/CAN: receiver bytes; "CRC", "C:\>": text
  return isStartByte(after) || after === CAN || after === ACK ? 'start' : 'text';
}

function parse(c: Connection, s: SenderState, settled = false): void {
  while (s.phase !== 'finished' && s.phase !== 'loading' && c.recv.length > 0) {
    const view = c.recv.view();
    const r = decodeReceiverSignal(view);
    if (r.kind !== 'ok') return; // a lone CAN: wait for the next byte
    if (s.phase === 'wait-start' && isStartByte(view[0])) {
      const verdict = startByteIsText(c, s, view, settled);
      if (verdict === 'wait') return;
      c.recv.consume(1);
      if (verdict === 'text') {
        s.noiseBytes++;
        continue;
      }
      onSignal(c, s, r.value);
      continue;
    }
    c.recv.consume(r.consumed);
    onSignal(c, s, r.value);
  }
  // while a block is read, only a cancel matters; the rest is purged when the block goes out
  if (s.phase === 'loading') {
    const v = c.recv.view();
    for (let i = 0; i + 1 < v.length; i++) if (v[i] === CAN && v[i + 1] === CAN) return fail(c, s, 'cancelled', 'receiver cancelled', 'CAN CAN while loading');
  }
}

function onTimer(c: Connection, s: SenderState, t: Timer): void {
  if (t === s.settleTimer) {
    s.settleTimer = undefined;
    return parse(c, s, true);
  }
  s.timer = undefined;
  switch (s.phase) {
    case 'wait-start': {
      const secs = s.o.startTimeoutMs / 1000;
      const notes = [`${s.noiseBytes} bytes of noise`];
      if (s.nakStarts > 0) notes.push(`${s.nakStarts} NAK (checksum) requests not taken: mode ${s.o.mode} needs CRC ('C')`);
      return fail(c, s, 'no-start', `no start from receiver in ${secs} s`, notes.join('; '));
    }
    case 'header':
    case 'block':
    case 'eot':
    case 'batch-end':
      return retry(c, s, 'timeout');
    case 'loading':
      return fail(c, s, 'read', `cannot read the file at offset ${s.offset}`, `file.read did not answer within ${s.o.blockTimeoutMs} ms`);
    // the receiver's 'C' got lost: go on as if it had come (counted as a retry)
    case 'wait-data-start':
    case 'wait-end-start':
      s.retries++;
      if (s.phase === 'wait-data-start') return sendNextData(c, s);
      return sendNew(c, s, 'batch-end', encodeYmodemBatchEnd(), 0);
    default:
      return;
  }
}

function handler(c: Connection, ev: number, data: unknown): void {
  const s = stateOf(c);
  if (ev === Ev.Timer) {
    const t = (data as TimerInfo).timer;
    if (t === s.timer || t === s.settleTimer) return onTimer(c, s, t);
  }
  if (ev === Ev.Close) {
    fail(c, s, 'closed', 'connection closed', (data as { reason: string }).reason);
    // the protocol put back gets the Close it is owed (its destroy runs after, from the manager)
    const h = c.proto ? c.proto.handler : c.handler;
    return h(c, ev, data);
  }
  c.handler(c, ev, data);
  if (c.isClosed || s.phase === 'finished') return;
  if (ev === Ev.Recv) {
    if (s.phase === 'wait-start' && s.settleTimer) {
      // more bytes came: the quiet period starts again from the last one
      c.cancelTimer(s.settleTimer);
      s.settleTimer = undefined;
    }
    parse(c, s);
  }
}

function begin(c: Connection, opts: XmodemSendOptions, onEnd?: (o: Outcome) => void): void {
  const o = resolveXmodemOptions(opts);
  if (c.proto?.name === NAME) throw new HilrigError('PROTOCOL', `xmodem: ${c.label} is already sending a file; wait for its Done or Failed`);
  const slot: ProtoSlot<SenderState> = {
    name: NAME,
    handler,
    data: undefined as unknown as SenderState,
  };
  const s: SenderState = {
    o,
    slot,
    prev: c.proto,
    phase: 'wait-start',
    check: 'crc',
    maxBlock: 128,
    offset: 0,
    blockNo: 0,
    frameBytes: 0,
    attempts: 0,
    naks: 0,
    timeouts: 0,
    retries: 0,
    blocks: 0,
    noiseBytes: 0,
    nakStarts: 0,
    eotNaked: false,
    startedAt: c.now(),
    onEnd,
  };
  slot.data = s;
  if (c.isClosed) {
    queueMicrotask(() => fail(c, s, 'closed', 'connection closed', 'before the transfer began'));
    return;
  }
  c.proto = slot as ProtoSlot;
  arm(c, s, o.startTimeoutMs);
  // bytes that came before (a board's banner) are looked at now, not at the next Recv
  if (c.recv.length > 0) parse(c, s);
}

/**
 * Send a file over `c` with XMODEM, XMODEM-1K or YMODEM: the user handler gets XmodemEv
 * Started, Progress (per acknowledged block), then Done or Failed. The protocol that was set on
 * `c` before is put back when the transfer ends. Throws TypeError for a bad option, and a
 * HilrigError (PROTOCOL) when a transfer is already running on `c`.
 */
export function setProtocolXmodemSend(c: Connection, opts: XmodemSendOptions): void {
  begin(c, opts);
}

/**
 * The same as a promise: resolves with { bytes, blocks, retries, seconds, check } when the
 * receiver acknowledged everything; rejects with an XmodemError (a HilrigError with `kind` and
 * `reason`: 'cancelled' / 'receiver cancelled', ...), or with a TypeError for a bad option.
 */
export function xmodemSend(c: Connection, opts: XmodemSendOptions): Promise<XmodemResult> {
  return new Promise<XmodemResult>((resolve, reject) => {
    begin(c, opts, (o) => (o.ok ? resolve(o.result) : reject(o.failed.error)));
  });
}
