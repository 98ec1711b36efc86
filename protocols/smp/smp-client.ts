// The SMP client: requests out, responses matched back by sequence number, a deadline per
// request on the manager clock, and a window of requests in flight. Transport-free, like the
// CoAP endpoint: whole SMP messages in through receive(), bytes out through io.send(), time from
// io.now(); the glue (smp-protocol.ts) frames messages for a serial console or a UDP socket and
// calls poll() on Poll and on its timer.
//
// Matching (smp_protocol.rst, "Sequence Num": a response repeats its request's number): a
// response is ours when its sequence number is one of a request in flight; it must then also
// repeat the group and command and have the response op (read -> read rsp, write -> write rsp),
// or the request fails with 'mismatch' naming both. A response for no open request (late, after
// its request timed out; duplicated) is reported as Unmatched, never fatal.
import { HilrigError } from '../../rig/engine/index.js';
import { decodeSmp, describeSmpHeader, encodeSmp, isResponseOp, type SmpMessage, SmpOp, SmpVersion, type SmpVersionBits } from './smp-header.js';
import { SmpEv, type SmpSerialInfo } from './smp-events.js';
import type { SmpRequest } from './smp-request.js';

export type SmpRequestFailure = 'timeout' | 'closed' | 'mismatch';

export class SmpRequestError extends HilrigError {
  constructor(
    readonly reason: SmpRequestFailure,
    message: string,
    readonly request: SmpMessage,
  ) {
    super(reason === 'timeout' ? 'TIMEOUT' : 'PROTOCOL', message);
  }
}

export interface SmpClientOptions {
  /** how long to wait for each response, in manager-clock ms (default 5000; an erase may need more) */
  timeoutMs?: number;
  /**
   * Requests in flight at once (default 1). Zephyr's serial transports handle one request at a
   * time; over UDP a device with buf_count > 1 takes more. The rest wait in order.
   */
  window?: number;
  /** the Ver bits of requests (default 1, SMP v2: group errors in `err`; servers without v2 ignore the bits) */
  version?: SmpVersionBits;
  /** the first sequence number (default 0) */
  firstSeq?: number;
}

export interface SmpClientIo {
  /** put one SMP message on the wire (the glue frames it) */
  send(bytes: Uint8Array): void;
  now(): number;
  /** report an event to the user handler */
  emit(ev: number, data: unknown): void;
  /** a deadline may have moved: re-arm the timer */
  wake?(): void;
}

interface OpenRequest {
  name: string;
  msg: SmpMessage;
  bytes: Uint8Array;
  timeoutMs: number;
  state: 'queued' | 'sent';
  sentAt: number;
  deadline: number;
  resolve(res: SmpMessage): void;
  reject(err: SmpRequestError): void;
}

const SEQ_SPACE = 256;

export class SmpClient {
  readonly timeoutMs: number;
  readonly window: number;
  readonly version: SmpVersionBits;
  private nextSeq: number;
  private readonly inFlight = new Map<number, OpenRequest>();
  private readonly queue: OpenRequest[] = [];
  private closed = false;

  constructor(
    private readonly io: SmpClientIo,
    opts: SmpClientOptions = {},
  ) {
    const { timeoutMs = 5000, window = 1, version = SmpVersion.V2, firstSeq = 0 } = opts;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError(`SmpClient: timeoutMs must be a number of ms > 0, got ${String(timeoutMs)}`);
    if (!(Number.isInteger(window) && window >= 1 && window <= SEQ_SPACE)) throw new TypeError(`SmpClient: window must be a whole number from 1 to ${SEQ_SPACE}, got ${String(window)}`);
    if (!(Number.isInteger(firstSeq) && firstSeq >= 0 && firstSeq < SEQ_SPACE)) throw new TypeError(`SmpClient: firstSeq must be 0-255, got ${String(firstSeq)}`);
    this.timeoutMs = timeoutMs;
    this.window = window;
    this.version = version;
    this.nextSeq = firstSeq;
  }

  /** requests sent and not yet answered */
  get outstanding(): number {
    return this.inFlight.size;
  }

  /** requests waiting for a place in the window */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Send a request; resolves with the response (an error response too: the group readers turn
   * `rc`/`err` into SmpResponseError), rejects with SmpRequestError. A body too large for the
   * header's length field throws TypeError at once.
   */
  request(req: SmpRequest): Promise<SmpMessage> {
    const msg: SmpMessage = { op: req.op, version: req.version ?? this.version, flags: 0, group: req.group, seq: 0, id: req.id, body: req.body ?? {} };
    const bytes = encodeSmp(msg);
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    return new Promise<SmpMessage>((resolve, reject) => {
      const r: OpenRequest = { name: req.name ?? describeSmpHeader(msg), msg, bytes, timeoutMs, state: 'queued', sentAt: 0, deadline: Infinity, resolve, reject };
      if (this.closed) return reject(new SmpRequestError('closed', `${r.name}: the connection is closed`, msg));
      this.queue.push(r);
      this.release();
    });
  }

  /** One whole SMP message from the transport (a datagram, a serial packet). */
  receive(bytes: Uint8Array, serial?: SmpSerialInfo): void {
    const d = decodeSmp(bytes);
    if (d.kind !== 'ok') {
      const rule = d.kind === 'malformed' ? d.rule : 'truncated';
      this.io.emit(SmpEv.Dropped, { reason: 'malformed', length: bytes.length, bytes: new Uint8Array(bytes), rule });
      return;
    }
    const message = d.value;
    this.io.emit(SmpEv.Message, serial ? { message, serial } : { message });
    if (!isResponseOp(message.op)) return;
    const r = this.inFlight.get(message.seq);
    if (!r) {
      this.io.emit(SmpEv.Unmatched, { message, reason: `no request in flight has sequence number ${message.seq}` });
      return;
    }
    this.inFlight.delete(message.seq);
    const wantOp = r.msg.op === SmpOp.Read ? SmpOp.ReadRsp : SmpOp.WriteRsp;
    if (message.group !== r.msg.group || message.id !== r.msg.id || message.op !== wantOp) {
      const err = new SmpRequestError('mismatch', `${r.name}: the response with sequence number ${message.seq} is ${describeSmpHeader(message)}, the request was ${describeSmpHeader(r.msg)} (smp_protocol.rst: a response repeats its request's group, command and sequence number)`, r.msg);
      r.reject(err);
    } else {
      this.io.emit(SmpEv.Response, { request: r.msg, response: message, rttMs: this.io.now() - r.sentAt });
      r.resolve(message);
    }
    this.release();
  }

  /** Fail the requests whose deadline has passed; send what the window now allows. */
  poll(now: number): void {
    for (const r of [...this.inFlight.values()]) {
      if (r.deadline > now) continue;
      this.inFlight.delete(r.msg.seq);
      r.reject(new SmpRequestError('timeout', `${r.name} (sequence number ${r.msg.seq}): no response within ${r.timeoutMs} ms`, r.msg));
    }
    this.release();
  }

  /** the earliest deadline of a request in flight, or Infinity */
  nextDeadline(): number {
    let t = Infinity;
    for (const r of this.inFlight.values()) t = Math.min(t, r.deadline);
    return t;
  }

  /** The connection is going away: every open request fails with 'closed'. */
  destroy(reason: string): void {
    this.closed = true;
    const open = [...this.inFlight.values(), ...this.queue];
    this.inFlight.clear();
    this.queue.length = 0;
    for (const r of open) r.reject(new SmpRequestError('closed', `${r.name}: connection closed (${reason}) before the response came`, r.msg));
  }

  private release(): void {
    let sent = false;
    while (!this.closed && this.queue.length > 0 && this.inFlight.size < this.window) {
      this.launch(this.queue.shift()!);
      sent = true;
    }
    if (sent) this.io.wake?.();
  }

  private launch(r: OpenRequest): void {
    const seq = this.takeSeq();
    r.msg = { ...r.msg, seq };
    r.bytes[6] = seq;
    r.state = 'sent';
    r.sentAt = this.io.now();
    r.deadline = r.sentAt + r.timeoutMs;
    this.inFlight.set(seq, r);
    this.io.emit(SmpEv.Sent, { message: r.msg, bytes: r.bytes });
    this.io.send(r.bytes);
  }

  /** the next sequence number not in flight (the window is at most 256, so one is free) */
  private takeSeq(): number {
    let seq = this.nextSeq;
    while (this.inFlight.has(seq)) seq = (seq + 1) % SEQ_SPACE;
    this.nextSeq = (seq + 1) % SEQ_SPACE;
    return seq;
  }
}
