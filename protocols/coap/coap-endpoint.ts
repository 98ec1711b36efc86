// A CoAP endpoint: one peer's message layer plus request/response matching, for the client side
// (requests with promises) and the server side (exchanges handed to the user). Transport-free:
// bytes in through receive(), bytes out through io.send(), time from io.now(); the protocol
// glue (coap-protocol.ts) binds it to a UDP connection or to slipmux on a serial line.
import { parseCoap, resetFor, serializeCoap } from './coap-codec.js';
import { CoapEv, type CoapEmit } from './coap-events.js';
import { type CoapParams, derivedTimes, type DerivedTimes, resolveParams } from './coap-params.js';
import { buildRequest, type CoapRequestSpec } from './coap-request.js';
import { type CoapMessage, CoapType, emptyMessage } from './coap-types.js';
import { type CoapResponse, CoapRequestError, type OpenRequest, RequestTable, tokenKey } from './client-requests.js';
import { MessageLayer, type Remembered } from './message-layer.js';
import { onAck, onCon, onNon, onRst } from './on-message.js';
import { CoapExchange, type ExchangeSink, type ResponseSpec } from './server-exchange.js';
import { respondTo } from './server-respond.js';

/** What kind of message is leaving, for the `rewrite` hook (the virtual board's bug modes). */
export type OutKind = 'request' | 'piggybacked' | 'separate' | 'non-response' | 'empty-ack' | 'rst' | 'notification' | 'ping';

export interface CoapEndpointOptions {
  params?: Partial<CoapParams>;
  /** hand incoming requests to the user (a board, a test server); otherwise a request is rejected with RST */
  server?: boolean;
  /** answer a duplicate from the cache instead of processing it again (RFC 7252 §4.5); off only for bug modes */
  dedup?: boolean;
  /** critical options the server understands beyond the default set; others get 4.02 (§5.4.1) */
  recognizedOptions?: readonly number[];
  /** check critical options of requests at all (off only for bug modes) */
  rejectUnknownCritical?: boolean;
  /** change a message before it leaves: how the virtual board breaks one rule at a time */
  rewrite?: (msg: CoapMessage, kind: OutKind) => CoapMessage | Uint8Array;
  /** bytes of a fresh token (0-8; 0 gives the empty token) */
  tokenLength?: number;
  random?: () => number;
}

/** Per-request behaviour beyond the request itself, for layers built on requestStream (block-wise). */
export interface StreamOptions {
  /**
   * A NON of a Q-Block1 burst (RFC 9177 §7.2): the burst is paced by MAX_PAYLOADS and
   * NON_TIMEOUT instead of NSTART, so once sent this request no longer counts as outstanding.
   */
  burst?: boolean;
  /** a CON request got an empty ACK: the peer has it, and any answer comes as a separate response */
  onEmptyAck?: () => void;
}

export interface EndpointIo {
  send(bytes: Uint8Array): void;
  now(): number;
  emit: CoapEmit;
  /** who is on the other side, for exchanges and messages */
  peer(): string;
  /** something was sent: deadlines may have moved (the glue re-arms its timer) */
  wake?(): void;
}

export class CoapEndpoint implements ExchangeSink {
  readonly params: CoapParams;
  readonly times: DerivedTimes;
  readonly ml: MessageLayer;
  readonly requests: RequestTable;
  readonly opts: CoapEndpointOptions;
  private readonly random: () => number;
  /** server side: exchanges not yet answered (for the automatic empty ACK) */
  readonly open = new Set<CoapExchange>();
  readonly memo = new WeakMap<CoapExchange, Remembered>();
  private readonly streamOpts = new WeakMap<OpenRequest, StreamOptions>();

  constructor(
    readonly io: EndpointIo,
    opts: CoapEndpointOptions = {},
  ) {
    this.opts = opts;
    this.params = resolveParams(opts.params);
    this.times = derivedTimes(this.params);
    this.random = opts.random ?? Math.random;
    this.ml = new MessageLayer({ transmit: (m, b, r) => this.transmitted(m, b, r), now: io.now, random: this.random }, this.params, this.times);
    this.requests = new RequestTable(this.params.nstart);
  }

  // ---- input ------------------------------------------------------------------------------

  /** One datagram (UDP) or one slipmux CoAP frame. */
  receive(bytes: Uint8Array): void {
    const r = parseCoap(bytes);
    if (r.kind !== 'ok') {
      const rule = r.kind === 'malformed' ? r.rule : 'RFC 7252 §3: truncated message';
      const offset = r.kind === 'malformed' ? r.offset : bytes.length;
      // §4.2/§4.3: a CON (or NON) we cannot process is rejected with an RST naming its MID
      const rst = resetFor(bytes);
      if (rst) this.send(rst, 'rst');
      this.io.emit(CoapEv.Malformed, { bytes: bytes.slice(), offset, rule, reset: rst !== undefined });
      return;
    }
    const msg = r.value;
    switch (msg.type) {
      case CoapType.CON:
        this.io.emit(CoapEv.Con, msg);
        return onCon(this, msg);
      case CoapType.NON:
        this.io.emit(CoapEv.Non, msg);
        return onNon(this, msg);
      case CoapType.ACK:
        this.io.emit(CoapEv.Ack, msg);
        return onAck(this, msg);
      default:
        this.io.emit(CoapEv.Rst, msg);
        return onRst(this, msg);
    }
  }

  /** Retransmissions, response deadlines, automatic empty ACKs. */
  poll(now: number): void {
    this.ml.poll(now);
    for (const r of this.requests.expired(now)) {
      this.requests.remove(r.tokenKey);
      r.fail(new CoapRequestError('timeout', `no response to ${describe(r.msg)} within ${r.timeoutMs} ms`, r.msg));
    }
    this.release();
    for (const x of this.open) {
      // only a CON not yet acknowledged needs watching; a NON answered late (or never, like most
      // blocks of a Q-Block1 burst) must not stay here for the life of the connection
      if (x.responded || x.acknowledged || !x.confirmable) this.open.delete(x);
      else if (now - x.receivedAt >= this.params.separateAfterMs) this.acknowledge(x);
    }
  }

  nextDeadline(): number {
    let t = Math.min(this.ml.nextDeadline(), this.requests.nextDeadline());
    // asked after every message in and out: a client has no open exchanges, skip the iterator
    if (this.open.size === 0) return t;
    for (const x of this.open) if (!x.acknowledged && x.confirmable && !x.responded) t = Math.min(t, x.receivedAt + this.params.separateAfterMs);
    return t;
  }

  /** The connection is going away: every open request fails with 'closed'. */
  destroy(reason: string): void {
    const open = this.requests.all();
    for (const r of open) this.requests.remove(r.tokenKey);
    this.ml.destroy();
    for (const r of open) r.fail(new CoapRequestError('closed', `connection closed (${reason}) before ${describe(r.msg)} was answered`, r.msg));
    this.open.clear();
  }

  // ---- client -----------------------------------------------------------------------------

  /** Send a request; resolves with the response, rejects with CoapRequestError. */
  request(spec: CoapRequestSpec): Promise<CoapResponse> {
    return new Promise((resolve, reject) => {
      this.requestStream(spec, (res) => (resolve(res), false), reject);
    });
  }

  /**
   * The general form: `onResponse` sees every response with the request's token and returns
   * true to keep listening (Observe). Returns the request message (its token cancels it).
   */
  requestStream(spec: CoapRequestSpec, onResponse: (res: CoapResponse) => boolean, onError: (e: CoapRequestError) => void, opts?: StreamOptions): CoapMessage {
    const token = spec.token ?? this.freshToken();
    const msg = buildRequest(spec, 0, token);
    const timeoutMs = spec.timeoutMs ?? this.times.maxTransmitWaitMs;
    const r: OpenRequest = {
      msg,
      tokenKey: tokenKey(token),
      state: 'queued',
      // launch() sets the time of the first transmission; a request that waits for NSTART
      // gets the time it was queued, below (no clock read for the one launched at once)
      firstSentAt: 0,
      transmissions: 0,
      deadline: Infinity,
      timeoutMs,
      onResponse,
      fail: onError,
    };
    if (this.requests.has(r.tokenKey)) throw new TypeError(`token ${r.tokenKey} is already in use by an open request`);
    if (opts) this.streamOpts.set(r, opts);
    if (this.requests.add(r)) this.launch(r);
    else r.firstSentAt = this.io.now();
    return msg;
  }

  /** Forget a request (an Observe registration the caller no longer wants). */
  cancel(token: Uint8Array): void {
    const r = this.requests.remove(tokenKey(token));
    if (!r) return;
    if (r.state === 'sent' && r.msg.type === CoapType.CON) this.ml.cancel(r.msg.mid);
    r.fail(new CoapRequestError('cancelled', `${describe(r.msg)} cancelled`, r.msg));
    this.release();
  }

  /** CoAP ping (§4.3): an empty CON; a live peer answers RST. Resolves 'pong' or rejects. */
  ping(): Promise<'pong'> {
    return new Promise((resolve, reject) => {
      const msg = emptyMessage(CoapType.CON, this.ml.nextMid());
      const bytes = this.encode(msg, 'ping');
      this.ml.sendCon(msg, bytes, (s) => {
        if (s.kind === 'rst' || s.kind === 'ack') resolve('pong');
        else reject(new CoapRequestError(s.kind === 'gave-up' ? 'gave-up' : 'closed', `ping (MID 0x${hex4(msg.mid)}) got no answer after ${s.kind === 'gave-up' ? s.transmissions : 0} transmissions`, msg));
      });
    });
  }

  private launch(r: OpenRequest): void {
    const m = r.msg;
    // a copy with the MID (the caller holds the message requestStream returned); written out
    // rather than spread, which costs more and is the same object shape as a parsed message
    r.msg = { version: m.version, type: m.type, code: m.code, mid: this.ml.nextMid(), token: m.token, options: m.options, payload: m.payload };
    r.firstSentAt = this.io.now();
    r.state = 'sent';
    // the first transmission; transmitted() counts retransmissions
    r.transmissions = 1;
    const bytes = this.encode(r.msg, 'request');
    if (r.msg.type === CoapType.NON) {
      r.deadline = r.firstSentAt + r.timeoutMs;
      this.ml.sendOnce(r.msg, bytes);
      if (this.streamOpts.get(r)?.burst) r.state = 'acked';
      return;
    }
    this.ml.sendCon(r.msg, bytes, (s) => {
      if (s.kind === 'cancelled') return;
      if (s.kind === 'ack') {
        r.state = 'acked';
        // one clock read for the deadline and the round-trip time: the same instant
        const now = this.io.now();
        r.deadline = now + r.timeoutMs;
        if (s.msg.code !== 0) this.deliver(r, s.msg, now);
        else this.streamOpts.get(r)?.onEmptyAck?.();
      } else if (this.requests.get(r.tokenKey) === r) {
        this.requests.remove(r.tokenKey);
        const why = s.kind === 'rst' ? `the peer rejected ${describe(r.msg)} with RST` : `${describe(r.msg)} got no ACK after ${s.transmissions} transmissions`;
        r.fail(new CoapRequestError(s.kind === 'rst' ? 'reset' : 'gave-up', why, r.msg));
      }
      this.release();
    });
  }

  /** A response for `r` (piggybacked or separate), arrived at `now`. */
  deliver(r: OpenRequest, msg: CoapMessage, now: number = this.io.now()): void {
    if (tokenKey(msg.token) !== r.tokenKey) {
      this.requests.remove(r.tokenKey);
      this.io.emit(CoapEv.Unmatched, { msg, reason: `response token ${tokenKey(msg.token) || '(empty)'} differs from the request's ${r.tokenKey || '(empty)'}` });
      r.fail(new CoapRequestError('token-mismatch', `RFC 7252 §5.3.2: the response to ${describe(r.msg)} carries token ${tokenKey(msg.token) || '(empty)'}, not the request's ${r.tokenKey || '(empty)'}`, r.msg));
      return;
    }
    r.state = 'answered';
    const res: CoapResponse = { msg, request: r.msg, rttMs: now - r.firstSentAt, transmissions: r.transmissions };
    this.io.emit(CoapEv.Response, { msg, request: r.msg });
    const keep = r.onResponse(res);
    if (keep) r.deadline = Infinity;
    else this.requests.remove(r.tokenKey);
    this.release();
  }

  private release(): void {
    const ready = this.requests.releasable();
    for (let i = 0; i < ready.length; i++) this.launch(ready[i]!);
  }

  private freshToken(): Uint8Array {
    const n = this.opts.tokenLength ?? 4;
    const t = new Uint8Array(n);
    for (let i = 0; i < n; i++) t[i] = Math.floor(this.random() * 256);
    // a poor random source (a test's constant one) must not loop: count upwards from the draw
    let key = tokenKey(t);
    for (let i = 0; i < 1 << 16 && this.requests.has(key); i++) {
      for (let k = n - 1; k >= 0 && ++t[k]! === 256; k--) t[k] = 0;
      key = tokenKey(t);
    }
    if (this.requests.has(key)) throw new Error(`no free ${n}-byte token: too many open requests`);
    return t;
  }

  // ---- server (ExchangeSink) --------------------------------------------------------------

  respond(x: CoapExchange, spec: ResponseSpec): void {
    this.open.delete(x);
    respondTo(this, x, spec);
  }

  acknowledge(x: CoapExchange): void {
    if (x.acknowledged) return;
    x.acknowledged = true;
    const ack = emptyMessage(CoapType.ACK, x.request.mid);
    const bytes = this.send(ack, 'empty-ack');
    const memo = this.memo.get(x);
    if (memo) memo.reply = bytes;
  }

  // ---- output -----------------------------------------------------------------------------

  /** Encode (through the rewrite hook). */
  encode(msg: CoapMessage, kind: OutKind): Uint8Array {
    const out = this.opts.rewrite ? this.opts.rewrite(msg, kind) : msg;
    if (out instanceof Uint8Array) return out;
    // serializeCoap's bytes are a view into a shared slab. A request keeps it (no copy per
    // message): nothing writes into sent bytes or transfers their ArrayBuffer, and slab space is
    // never handed out twice, so the view stays valid for retransmissions and the events. An
    // answer that may be remembered for duplicates (EXCHANGE_LIFETIME, minutes) gets memory of its
    // own, so that a few bytes do not keep a whole slab alive that long.
    const bytes = serializeCoap(out);
    return kind === 'piggybacked' || kind === 'empty-ack' || kind === 'rst' ? bytes.slice() : bytes;
  }

  /** Send once, unreliably; returns the bytes (to cache for duplicates). */
  send(msg: CoapMessage, kind: OutKind, onRst?: () => void): Uint8Array {
    const bytes = this.encode(msg, kind);
    this.ml.sendOnce(msg, bytes, onRst);
    return bytes;
  }

  private transmitted(msg: CoapMessage, bytes: Uint8Array, retransmission: number): void {
    // launch() counts a request's first transmission; only a retransmission needs the search
    if (retransmission > 0) for (const r of this.requests.all()) if (r.msg.mid === msg.mid && r.msg.type === msg.type) r.transmissions = retransmission + 1;
    this.io.send(bytes);
    // what the peer sees is the bytes; re-parse when a rewrite changed them so the log is true
    const shown = this.opts.rewrite ? parseCoap(bytes) : undefined;
    this.io.emit(CoapEv.Sent, { msg: shown?.kind === 'ok' ? shown.value : msg, bytes, retransmission });
    this.io.wake?.();
  }

  makeExchange(msg: CoapMessage): CoapExchange {
    return new CoapExchange(msg, this.io.peer(), this, this.io.now());
  }
}

export const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** 'CON GET /path (MID 0x1a2b)' for messages in errors. */
export function describe(msg: CoapMessage): string {
  const t = ['CON', 'NON', 'ACK', 'RST'][msg.type];
  return `${t} ${codeText(msg.code)} (MID 0x${hex4(msg.mid)})`;
}

function codeText(c: number): string {
  return `${c >> 5}.${String(c & 0x1f).padStart(2, '0')}`;
}
