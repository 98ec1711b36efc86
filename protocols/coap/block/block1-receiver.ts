// Server side of Block1 (RFC 7959 §2.3, §2.5, §2.9): reassemble a request body sent block by
// block, per peer and resource (and Request-Tag). Non-final blocks are answered here (2.31
// Continue echoing Block1, or the error the RFC names); the last block hands the whole body to
// the caller, who answers it. The board owns the receiver; time comes in as `now` from the
// manager's clock, and transfers idle for longer than `staleAfterMs` are dropped.
import { block1 as block1Of, blockSize, encodeBlock, MAX_SZX } from '../block-option.js';
import { CoapCode } from '../coap-codes.js';
import { CoapOptionNumber, size1 } from '../coap-options.js';
import type { CoapExchange } from '../server-exchange.js';
import { concatBytes } from './bytes.js';
import { transferKey } from './transfer-key.js';

export interface Block1ReceiverOptions {
  /** the largest body accepted; beyond it 4.13 with Size1 = this (§2.9.3) */
  maxBodySize: number;
  /** the block size this server prefers; a larger block is accepted and the 2.31 asks for this (§2.5) */
  maxSzx?: number;
  /** drop a transfer idle this long (default 247 000 ms, EXCHANGE_LIFETIME of RFC 7252 §4.8.2) */
  staleAfterMs?: number;
}

export type Block1Outcome =
  /** the receiver answered the request (2.31, 4.00, 4.08, 4.13): nothing more to do */
  | { kind: 'answered'; code: number }
  /**
   * the body is complete (or came whole, without Block1): answer `x` yourself and include
   * `echo`, the Block1 option of the last block (§2.3), in the answer
   */
  | { kind: 'complete'; body: Uint8Array; echo: { number: number; value: Uint8Array }[] };

interface Transfer {
  chunks: Uint8Array[];
  length: number;
  /** NUM and SZX of the last block taken, to answer a repeated one the same way */
  lastNum: number;
  lastSzx: number;
  lastOffset: number;
  touched: number;
}

export class Block1Receiver {
  private readonly transfers = new Map<string, Transfer>();
  private readonly maxSzx: number;
  private readonly staleAfterMs: number;

  constructor(private readonly opts: Block1ReceiverOptions) {
    if (!(Number.isInteger(opts.maxBodySize) && opts.maxBodySize >= 0)) throw new TypeError(`Block1Receiver "maxBodySize" must be a byte count >= 0, got ${String(opts.maxBodySize)}`);
    this.maxSzx = Math.min(opts.maxSzx ?? MAX_SZX, MAX_SZX);
    this.staleAfterMs = opts.staleAfterMs ?? 247_000;
  }

  /** transfers in progress */
  get active(): number {
    return this.transfers.size;
  }

  /** Drop transfers idle since before now - staleAfterMs; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [k, t] of this.transfers) {
      if (now - t.touched >= this.staleAfterMs) {
        this.transfers.delete(k);
        n++;
      }
    }
    return n;
  }

  receive(x: CoapExchange, now: number): Block1Outcome {
    this.expire(now);
    const req = x.request;
    const max = this.opts.maxBodySize;
    const opt = block1Of(req);
    if (opt === undefined) {
      if (req.payload.length > max) return this.tooLarge(x);
      return { kind: 'complete', body: req.payload.slice(), echo: [] };
    }
    if (opt.kind !== 'ok') return this.answer(x, CoapCode.BAD_REQUEST, opt.kind === 'malformed' ? opt.rule : 'RFC 7959 §2.2: bad Block1 value');
    const b = opt.value;
    const size = blockSize(b.szx);
    const offset = b.num * size;
    const key = transferKey(x);
    const announced = size1(req);
    if (announced !== undefined && announced > max) {
      this.transfers.delete(key);
      return this.tooLarge(x);
    }
    if (b.more && req.payload.length !== size) {
      this.transfers.delete(key);
      return this.answer(x, CoapCode.BAD_REQUEST, `RFC 7959 §2.2: block ${b.num} has M=1 but carries ${req.payload.length} bytes, not the block size ${size}`);
    }
    if (offset === 0) this.transfers.set(key, { chunks: [], length: 0, lastNum: -1, lastSzx: b.szx, lastOffset: -1, touched: now });
    const t = this.transfers.get(key);
    if (!t) return this.answer(x, CoapCode.REQUEST_ENTITY_INCOMPLETE, `RFC 7959 §2.9.2: block ${b.num} of a body whose first block this server does not have`);
    if (offset !== t.length) {
      // the block just taken, sent again (its answer was lost): answer it again, take nothing
      if (offset === t.lastOffset && b.num === t.lastNum && b.more) return this.continueFor(x, b.num, b.szx, t, now);
      this.transfers.delete(key);
      const expected = t.length / size;
      return this.answer(x, CoapCode.REQUEST_ENTITY_INCOMPLETE, `RFC 7959 §2.9.2: expected the block at offset ${t.length} (NUM ${Number.isInteger(expected) ? expected : '?'} of ${size} bytes), got NUM ${b.num} (offset ${offset})`);
    }
    if (t.length + req.payload.length > max) {
      this.transfers.delete(key);
      return this.tooLarge(x);
    }
    t.chunks.push(req.payload.slice());
    t.length += req.payload.length;
    t.lastOffset = offset;
    if (b.more) return this.continueFor(x, b.num, b.szx, t, now);
    this.transfers.delete(key);
    return { kind: 'complete', body: concatBytes(t.chunks), echo: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num: b.num, more: false, szx: b.szx }) }] };
  }

  /** 2.31 echoing the block; its SZX is the size the server wants next (§2.5 late negotiation). */
  private continueFor(x: CoapExchange, num: number, szx: number, t: Transfer, now: number): Block1Outcome {
    t.lastNum = num;
    t.lastSzx = szx;
    t.touched = now;
    x.respond({ code: CoapCode.CONTINUE, options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more: true, szx: Math.min(szx, this.maxSzx) }) }] });
    return { kind: 'answered', code: CoapCode.CONTINUE };
  }

  private tooLarge(x: CoapExchange): Block1Outcome {
    x.respond({ code: CoapCode.REQUEST_ENTITY_TOO_LARGE, options: [{ number: CoapOptionNumber.SIZE1, value: this.opts.maxBodySize }] });
    return { kind: 'answered', code: CoapCode.REQUEST_ENTITY_TOO_LARGE };
  }

  private answer(x: CoapExchange, code: number, why: string): Block1Outcome {
    x.respond({ code, payload: why });
    return { kind: 'answered', code };
  }
}
