// PUT /fw: a Block1 upload (RFC 7959 §2.3) streamed into slot 1 as its blocks arrive, the way
// a firmware with a few KiB of RAM takes an image: each block goes to flash before the 2.31
// Continue that asks for the next one, so the body is never held whole (Block1Receiver in
// protocols/coap/block reassembles bodies in memory; fine for /large-update, not for an image).
// One upload at a time, per board; a new block 0 starts over. Answers:
// - 2.31 Continue echoing Block1 per non-final block, 2.04 Changed with the echo at the end;
// - the block just taken, sent again (its 2.31 got lost): 2.31 again, nothing written twice;
// - a block that does not continue the body (a gap, or no upload for it): 4.08, upload dropped
//   (bug mode coap-block1-gap-accepted: the block is taken, the hole left erased, 2.31/2.04);
// - Size1, or the blocks so far, larger than the slot: 4.13 with Size1 = what fits (§2.9.3);
// - a malformed Block1, or M=1 on a block that is not of the block size: 4.00.
// Q-Block1 uploads go to firmware-qblock1.ts.
import { block1 as block1Of, blockSize, encodeBlock, MAX_SZX } from '../../../../protocols/coap/block-option.js';
import { transferKey } from '../../../../protocols/coap/block/transfer-key.js';
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, size1 } from '../../../../protocols/coap/coap-options.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import type { SlotStream } from '../../xmodem/slot-stream.js';
import type { UploadSlot } from '../../xmodem/upload-slot.js';

/** RFC 7252 §4.8.2 EXCHANGE_LIFETIME: an upload nobody continued for this long is dropped. */
const STALE_AFTER_MS = 247_000;

interface Upload {
  key: string;
  stream: SlotStream;
  /** the last block taken: its NUM and byte offset */
  lastNum: number;
  lastOffset: number;
  /** set when the last block came: a repeat of it is answered 2.04 again */
  finalEcho?: Uint8Array;
  touched: number;
}

export class FirmwareUpload {
  private up: Upload | undefined;

  constructor(private readonly slot: () => UploadSlot) {}

  /** Answer one PUT /fw. */
  put(x: CoapExchange, now: number): void {
    const req = x.request;
    const slot = this.slot();
    const opt = block1Of(req);
    if (opt === undefined) return this.whole(x, slot);
    if (opt.kind !== 'ok') return fail(x, CoapCode.BAD_REQUEST, opt.kind === 'malformed' ? opt.rule : 'RFC 7959 §2.2: bad Block1 value');
    const b = opt.value;
    const size = blockSize(b.szx);
    const offset = b.num * size;
    const key = transferKey(x);
    const announced = size1(req);
    if (announced !== undefined && announced > slot.capacity) {
      this.drop(key, `Size1 ${announced} is larger than slot ${slot.slot}`);
      return tooLarge(x, slot);
    }
    if (b.more && req.payload.length !== size) {
      this.drop(key, `block ${b.num} is not of the block size`);
      return fail(x, CoapCode.BAD_REQUEST, `RFC 7959 §2.2: block ${b.num} has M=1 but carries ${req.payload.length} bytes, not the block size ${size}`);
    }
    if (offset === 0) this.up = { key, stream: slot.begin('coap'), lastNum: -1, lastOffset: -1, touched: now };
    const u = this.up;
    if (!u || u.key !== key) return incomplete(x, `RFC 7959 §2.9.2: block ${b.num} of a body whose first block this server does not have`);
    u.touched = now;
    if (u.finalEcho) {
      // the last block again (its 2.04 got lost): the same answer, nothing written
      if (b.num === u.lastNum && !b.more) return x.respond({ code: CoapCode.CHANGED, options: [{ number: CoapOptionNumber.BLOCK1, value: u.finalEcho }] });
      return incomplete(x, `RFC 7959 §2.9.2: block ${b.num} after the body was complete`);
    }
    const s = u.stream;
    if (!s.open) {
      this.up = undefined;
      return incomplete(x, `RFC 7959 §2.9.2: the upload stopped: ${s.problem ?? 'unknown'}`);
    }
    if (offset !== s.length) {
      if (offset === u.lastOffset && b.num === u.lastNum && b.more) return continueFor(x, b.num, b.szx);
      if (!(offset > s.length && slot.bugs.coapBlock1GapAccepted)) {
        const why = `expected the block at offset ${s.length}, got NUM ${b.num} (offset ${offset})`;
        this.drop(key, why);
        return incomplete(x, `RFC 7959 §2.9.2: ${why}`);
      }
    }
    if (offset + req.payload.length > s.capacity) {
      this.drop(key, `the image is larger than slot ${slot.slot}`);
      return tooLarge(x, slot);
    }
    // bug mode coap-block1-gap-accepted: go on past the hole
    if (offset > s.length && !s.skipTo(offset)) return this.flashFailed(x, s);
    if (!s.write(req.payload)) return this.flashFailed(x, s);
    u.lastNum = b.num;
    u.lastOffset = offset;
    if (b.more) return continueFor(x, b.num, b.szx);
    if (!s.finish()) return this.flashFailed(x, s);
    u.finalEcho = encodeBlock({ num: b.num, more: false, szx: b.szx });
    x.respond({ code: CoapCode.CHANGED, options: [{ number: CoapOptionNumber.BLOCK1, value: u.finalEcho }] });
  }

  /** Drop an upload nobody continued. */
  poll(now: number): void {
    const u = this.up;
    if (u && now - u.touched >= STALE_AFTER_MS) {
      u.stream.abort(`no block for ${STALE_AFTER_MS / 1000} s`);
      this.up = undefined;
    }
  }

  /** A PUT without Block1: the whole image in one datagram. */
  private whole(x: CoapExchange, slot: UploadSlot): void {
    this.up = undefined;
    if (x.request.payload.length > slot.capacity) return tooLarge(x, slot);
    const s = slot.begin('coap');
    if (!s.write(x.request.payload) || !s.finish()) return fail(x, CoapCode.INTERNAL_SERVER_ERROR, s.problem ?? 'flash write failed');
    x.respond({ code: CoapCode.CHANGED });
  }

  /** The flash refused a write (the stream says why): 5.00, the upload is over. */
  private flashFailed(x: CoapExchange, s: SlotStream): void {
    this.up = undefined;
    fail(x, CoapCode.INTERNAL_SERVER_ERROR, s.problem ?? 'flash write failed');
  }

  private drop(key: string, why: string): void {
    if (this.up?.key !== key) return;
    this.up.stream.abort(why);
    this.up = undefined;
  }
}

/** 2.31 echoing the block; SZX no larger than ours (§2.5: the size we want next). */
function continueFor(x: CoapExchange, num: number, szx: number): void {
  x.respond({ code: CoapCode.CONTINUE, options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more: true, szx: Math.min(szx, MAX_SZX) }) }] });
}

function tooLarge(x: CoapExchange, slot: UploadSlot): void {
  x.respond({ code: CoapCode.REQUEST_ENTITY_TOO_LARGE, options: [{ number: CoapOptionNumber.SIZE1, value: slot.capacity }] });
}

function incomplete(x: CoapExchange, why: string): void {
  fail(x, CoapCode.REQUEST_ENTITY_INCOMPLETE, why);
}

function fail(x: CoapExchange, code: number, why: string): void {
  x.respond({ code, payload: why });
}
