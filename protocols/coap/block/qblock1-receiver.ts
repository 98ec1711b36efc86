// Server side of Q-Block1 (RFC 9177 §4.3, §5, §7.2) for the virtual board: collect the NON
// blocks of a body (per peer, resource and Request-Tag), answer 2.31 Continue when a whole
// MAX_PAYLOADS set has arrived, ask for missing blocks with 4.08 and a CBOR list (at once when
// a block of a later set shows a gap, else after NON_RECEIVE_TIMEOUT, doubling per repeat, at
// most NON_MAX_RETRANSMIT times), and give the whole body to the resource. A CON block is only
// acknowledged until the body is complete (§4.3). The board owns the receiver and calls poll()
// with the manager clock's time.
import { block1 as block1Of, blockOption, blockSize, encodeBlock } from '../block-option.js';
import { CoapCode } from '../coap-codes.js';
import { CoapOptionNumber, getOption, size1 } from '../coap-options.js';
import { type CoapMessage, CoapType } from '../coap-types.js';
import { CoapExchange, type ExchangeSink, type ResponseSpec } from '../server-exchange.js';
import { concatBytes } from './bytes.js';
import { encodeMissingBlocks, MISSING_BLOCKS_CBOR_SEQ } from './missing-blocks-cbor.js';
import type { QBlockParams } from './qblock-params.js';
import { transferKey } from './transfer-key.js';

export interface QBlock1ReceiverOptions {
  /** the largest body accepted; beyond it 4.13 with Size1 = this */
  maxBodySize: number;
  params: QBlockParams;
  /** the resource: takes the whole body once and says how to answer it (2.04 Changed, 2.01 Created ...) */
  onBody: (body: Uint8Array, x: CoapExchange) => ResponseSpec;
}

interface Body {
  szx: number;
  size1: number;
  total: number;
  chunks: (Uint8Array | undefined)[];
  have: number;
  /** blocks 0..prefix-1 have all arrived */
  prefix: number;
  /** sets confirmed with 2.31 */
  confirmedSets: number;
  highestSet: number;
  /** the latest block's request: its token answers (§4.3 "desirable") */
  last: { request: CoapMessage; peer: string; sink: ExchangeSink };
  touched: number;
  /** when to ask for missing blocks; asks since the last new block */
  due: number;
  asks: number;
  final?: ResponseSpec;
}

export class QBlock1Receiver {
  private readonly bodies = new Map<string, Body>();

  constructor(private readonly opts: QBlock1ReceiverOptions) {}

  get active(): number {
    let n = 0;
    for (const b of this.bodies.values()) if (!b.final) n++;
    return n;
  }

  /** Take a request; false when it carries no Q-Block1 (serve it otherwise). */
  receive(x: CoapExchange, sink: ExchangeSink, now: number): boolean {
    const req = x.request;
    const q = blockOption(req, CoapOptionNumber.Q_BLOCK1);
    if (q === undefined) return false;
    if (block1Of(req) !== undefined) return answer(x, CoapCode.BAD_OPTION, 'RFC 9177 §4.1: Q-Block1 and Block1 must not be mixed in one request');
    if (q.kind !== 'ok') return answer(x, CoapCode.BAD_REQUEST, q.kind === 'malformed' ? q.rule : 'bad Q-Block1 value');
    const s1 = size1(req);
    if (getOption(req, CoapOptionNumber.REQUEST_TAG) === undefined || s1 === undefined) {
      return answer(x, CoapCode.BAD_REQUEST, 'RFC 9177 §4.3: a request with Q-Block1 must carry Request-Tag and Size1');
    }
    const key = transferKey(x);
    if (s1 > this.opts.maxBodySize) {
      this.bodies.delete(key);
      x.respond({ code: CoapCode.REQUEST_ENTITY_TOO_LARGE, options: [{ number: CoapOptionNumber.SIZE1, value: this.opts.maxBodySize }] });
      return true;
    }
    const b = q.value;
    const size = blockSize(b.szx);
    const total = Math.max(1, Math.ceil(s1 / size));
    let body = this.bodies.get(key);
    if (body && (body.szx !== b.szx || body.size1 !== s1)) {
      this.bodies.delete(key);
      return answer(x, CoapCode.BAD_REQUEST, `RFC 9177 §4.6: Size1 and block size stay the same for every block of a body (was ${body.size1}/${blockSize(body.szx)}, now ${s1}/${size})`);
    }
    const want = b.num < total - 1 ? size : s1 - b.num * size;
    if (b.num >= total || b.more !== b.num < total - 1 || req.payload.length !== want) {
      return answer(x, CoapCode.BAD_REQUEST, `RFC 9177 §4.6: block ${b.num} (M=${b.more ? 1 : 0}, ${req.payload.length} bytes) does not fit a ${s1}-byte body of ${total} blocks of ${size}`);
    }
    if (!body) {
      body = { szx: b.szx, size1: s1, total, chunks: new Array<Uint8Array | undefined>(total), have: 0, prefix: 0, confirmedSets: 0, highestSet: -1, last: { request: req, peer: x.peer, sink }, touched: now, due: Infinity, asks: 0 };
      this.bodies.set(key, body);
    }
    body.last = { request: req, peer: x.peer, sink };
    body.touched = now;
    // §4.3: a duplicate is answered as if it were new (here: the final answer again)
    if (body.final) return (x.respond(body.final), true);
    if (!body.chunks[b.num]) {
      body.chunks[b.num] = req.payload.slice();
      body.have++;
      body.asks = 0;
      while (body.prefix < total && body.chunks[body.prefix]) body.prefix++;
    }
    if (body.have === total) {
      body.due = Infinity;
      body.final = this.opts.onBody(concatBytes(body.chunks as Uint8Array[]), x);
      body.chunks = [];
      x.respond(body.final);
      return true;
    }
    body.due = now + this.opts.params.nonReceiveTimeoutMs;
    if (req.type === CoapType.CON) return (x.separate(), true);
    const mp = this.opts.params.maxPayloads;
    const set = Math.floor(b.num / mp);
    const sets = Math.floor(body.prefix / mp);
    if (sets > body.confirmedSets) {
      body.confirmedSets = sets;
      x.respond({ code: CoapCode.CONTINUE, options: [{ number: CoapOptionNumber.Q_BLOCK1, value: encodeBlock({ num: sets * mp - 1, more: true, szx: b.szx }) }] });
    } else if (set > body.highestSet && set > 0) {
      // §7.2: a block of a new set while an earlier set has gaps: ask for them now
      const missing = missingBlocks(body, set * mp, mp);
      if (missing.length > 0) x.respond(incomplete(missing));
    }
    body.highestSet = Math.max(body.highestSet, set);
    return true;
  }

  /** Ask for missing blocks whose wait is over; forget bodies idle past NON_PARTIAL_TIMEOUT. */
  poll(now: number): void {
    const p = this.opts.params;
    for (const [key, body] of this.bodies) {
      if (now - body.touched >= p.nonPartialTimeoutMs) {
        this.bodies.delete(key);
        continue;
      }
      if (body.final || body.due > now) continue;
      if (body.asks >= p.nonMaxRetransmit) {
        // §7.2: asked often enough; discard the partial body
        this.bodies.delete(key);
        continue;
      }
      body.asks++;
      body.due = now + p.nonReceiveTimeoutMs * 2 ** body.asks;
      // §5: not for CON blocks, whose loss the client sees itself
      if (body.last.request.type !== CoapType.NON) continue;
      const missing = missingBlocks(body, body.total, p.maxPayloads);
      new CoapExchange(body.last.request, body.last.peer, body.last.sink, now).respond(incomplete(missing));
    }
  }

  /** The earliest time poll() has something to do. */
  nextDeadline(): number {
    let t = Infinity;
    for (const b of this.bodies.values()) t = Math.min(t, b.final ? Infinity : b.due, b.touched + this.opts.params.nonPartialTimeoutMs);
    return t;
  }
}

/** Missing block numbers below `end`, ascending, at most `limit` of them (§5 implementation note). */
function missingBlocks(body: Body, end: number, limit: number): number[] {
  const out: number[] = [];
  for (let n = body.prefix; n < Math.min(end, body.total) && out.length < limit; n++) if (!body.chunks[n]) out.push(n);
  return out;
}

function incomplete(missing: number[]): ResponseSpec {
  return { code: CoapCode.REQUEST_ENTITY_INCOMPLETE, contentFormat: MISSING_BLOCKS_CBOR_SEQ, payload: encodeMissingBlocks(missing) };
}

function answer(x: CoapExchange, code: number, why: string): true {
  x.respond({ code, payload: why });
  return true;
}
