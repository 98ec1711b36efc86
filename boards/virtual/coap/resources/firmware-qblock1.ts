// PUT /fw with Q-Block1 (RFC 9177 §4.3, §5, §7.2), streamed into slot 1. The exchange is that
// of QBlock1Receiver (protocols/coap/block): NON bursts of MAX_PAYLOADS blocks, 2.31 Continue
// when a whole set has arrived, 4.08 with the CBOR list of missing blocks (at once when a block
// of a later set shows a gap, else after NON_RECEIVE_TIMEOUT, doubling, at most
// NON_MAX_RETRANSMIT times), CON blocks only acknowledged until the body is complete, 2.04 at
// the end. What differs is where the blocks go: everything up to the first missing block is in
// flash already; only blocks that came ahead of a gap wait in RAM (a set or two: the client
// sends the next set only after the 2.31 or a pause), so the image is never held whole.
import { blockOption, blockSize, encodeBlock } from '../../../../protocols/coap/block-option.js';
import { encodeMissingBlocks, MISSING_BLOCKS_CBOR_SEQ } from '../../../../protocols/coap/block/missing-blocks-cbor.js';
import type { QBlockParams } from '../../../../protocols/coap/block/qblock-params.js';
import { transferKey } from '../../../../protocols/coap/block/transfer-key.js';
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, getOption, size1 } from '../../../../protocols/coap/coap-options.js';
import { type CoapMessage, CoapType } from '../../../../protocols/coap/coap-types.js';
import { CoapExchange, type ExchangeSink, type ResponseSpec } from '../../../../protocols/coap/server-exchange.js';
import type { SlotStream } from '../../xmodem/slot-stream.js';
import type { UploadSlot } from '../../xmodem/upload-slot.js';

interface Body {
  key: string;
  szx: number;
  size1: number;
  total: number;
  stream: SlotStream;
  /** blocks 0..prefix-1 are in flash */
  prefix: number;
  /** blocks past a gap, waiting for it to fill */
  ahead: Map<number, Uint8Array>;
  confirmedSets: number;
  highestSet: number;
  /** the latest block's request: its token carries the answers (§4.3 "desirable") */
  last: { request: CoapMessage; peer: string; sink: ExchangeSink };
  touched: number;
  /** when to ask for missing blocks; asks since the last new block */
  due: number;
  asks: number;
  final?: ResponseSpec;
}

export class FirmwareQBlock1 {
  private body: Body | undefined;

  constructor(
    private readonly slot: () => UploadSlot,
    private readonly params: QBlockParams,
  ) {}

  /** Take a request; false when it carries no Q-Block1 (serve it otherwise). */
  receive(x: CoapExchange, sink: ExchangeSink, now: number): boolean {
    const req = x.request;
    const q = blockOption(req, CoapOptionNumber.Q_BLOCK1);
    if (q === undefined) return false;
    if (getOption(req, CoapOptionNumber.BLOCK1) !== undefined) return answer(x, CoapCode.BAD_OPTION, 'RFC 9177 §4.1: Q-Block1 and Block1 must not be mixed in one request');
    if (q.kind !== 'ok') return answer(x, CoapCode.BAD_REQUEST, q.kind === 'malformed' ? q.rule : 'bad Q-Block1 value');
    const s1 = size1(req);
    if (getOption(req, CoapOptionNumber.REQUEST_TAG) === undefined || s1 === undefined) {
      return answer(x, CoapCode.BAD_REQUEST, 'RFC 9177 §4.3: a request with Q-Block1 must carry Request-Tag and Size1');
    }
    const slot = this.slot();
    const key = transferKey(x);
    if (s1 > slot.capacity) {
      this.drop(key, `Size1 ${s1} is larger than slot ${slot.slot}`);
      x.respond({ code: CoapCode.REQUEST_ENTITY_TOO_LARGE, options: [{ number: CoapOptionNumber.SIZE1, value: slot.capacity }] });
      return true;
    }
    const b = q.value;
    const size = blockSize(b.szx);
    const total = Math.max(1, Math.ceil(s1 / size));
    let body = this.body?.key === key ? this.body : undefined;
    if (body && (body.szx !== b.szx || body.size1 !== s1)) {
      this.drop(key, 'Size1 or the block size changed');
      return answer(x, CoapCode.BAD_REQUEST, `RFC 9177 §4.6: Size1 and block size stay the same for every block of a body (was ${body.size1}/${blockSize(body.szx)}, now ${s1}/${size})`);
    }
    const want = b.num < total - 1 ? size : s1 - b.num * size;
    if (b.num >= total || b.more !== b.num < total - 1 || req.payload.length !== want) {
      return answer(x, CoapCode.BAD_REQUEST, `RFC 9177 §4.6: block ${b.num} (M=${b.more ? 1 : 0}, ${req.payload.length} bytes) does not fit a ${s1}-byte body of ${total} blocks of ${size}`);
    }
    if (!body) {
      // a new body takes the slot (and ends any other upload to it)
      body = { key, szx: b.szx, size1: s1, total, stream: slot.begin('coap'), prefix: 0, ahead: new Map(), confirmedSets: 0, highestSet: -1, last: { request: req, peer: x.peer, sink }, touched: now, due: Infinity, asks: 0 };
      this.body = body;
    }
    body.last = { request: req, peer: x.peer, sink };
    body.touched = now;
    // §4.3: a duplicate is answered as if it were new (here: the final answer again)
    if (body.final) return (x.respond(body.final), true);
    if (!body.stream.open) {
      this.body = undefined;
      return answer(x, CoapCode.REQUEST_ENTITY_INCOMPLETE, `RFC 7959 §2.9.2: the upload stopped: ${body.stream.problem ?? 'unknown'}`);
    }
    if (b.num >= body.prefix && !body.ahead.has(b.num)) {
      body.ahead.set(b.num, req.payload.slice());
      body.asks = 0;
      if (!this.flush(body)) {
        this.body = undefined;
        return answer(x, CoapCode.INTERNAL_SERVER_ERROR, body.stream.problem ?? 'flash write failed');
      }
    }
    if (body.prefix === body.total) {
      body.due = Infinity;
      if (!body.stream.finish()) {
        this.body = undefined;
        return answer(x, CoapCode.INTERNAL_SERVER_ERROR, body.stream.problem ?? 'flash write failed');
      }
      body.final = { code: CoapCode.CHANGED };
      x.respond(body.final);
      return true;
    }
    body.due = now + this.params.nonReceiveTimeoutMs;
    if (req.type === CoapType.CON) return (x.separate(), true);
    const mp = this.params.maxPayloads;
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

  /** Ask for missing blocks whose wait is over; drop a body idle past NON_PARTIAL_TIMEOUT. */
  poll(now: number): void {
    const body = this.body;
    if (!body) return;
    const p = this.params;
    if (now - body.touched >= p.nonPartialTimeoutMs) return this.drop(body.key, `no block for ${p.nonPartialTimeoutMs} ms`);
    if (body.final || body.due > now) return;
    // §7.2: asked often enough; discard the partial body
    if (body.asks >= p.nonMaxRetransmit) return this.drop(body.key, `missing blocks never came (asked ${body.asks} times)`);
    body.asks++;
    body.due = now + p.nonReceiveTimeoutMs * 2 ** body.asks;
    // §5: not for CON blocks, whose loss the client sees itself
    if (body.last.request.type !== CoapType.NON) return;
    new CoapExchange(body.last.request, body.last.peer, body.last.sink, now).respond(incomplete(missingBlocks(body, body.total, p.maxPayloads)));
  }

  /** Write the blocks that now follow the prefix, in order. False when the flash refused one. */
  private flush(body: Body): boolean {
    for (let next = body.ahead.get(body.prefix); next !== undefined; next = body.ahead.get(body.prefix)) {
      body.ahead.delete(body.prefix);
      if (!body.stream.write(next)) return false;
      body.prefix++;
    }
    return true;
  }

  private drop(key: string, why: string): void {
    if (this.body?.key !== key) return;
    this.body.stream.abort(why);
    this.body = undefined;
  }
}

/** Missing block numbers below `end`, ascending, at most `limit` of them (§5 implementation note). */
function missingBlocks(body: Body, end: number, limit: number): number[] {
  const out: number[] = [];
  for (let n = body.prefix; n < Math.min(end, body.total) && out.length < limit; n++) if (!body.ahead.has(n)) out.push(n);
  return out;
}

function incomplete(missing: number[]): ResponseSpec {
  return { code: CoapCode.REQUEST_ENTITY_INCOMPLETE, contentFormat: MISSING_BLOCKS_CBOR_SEQ, payload: encodeMissingBlocks(missing) };
}

function answer(x: CoapExchange, code: number, why: string): true {
  x.respond({ code, payload: why });
  return true;
}
