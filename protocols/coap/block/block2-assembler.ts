// The client's checks on a Block2 download (RFC 7959 §2.2, §2.4, §4), one response at a time,
// and the body they build. Pure: it sees messages and says what to ask for next, so every rule
// is tested without a network, and a deliberately broken server is caught by the same code the
// transfer runs. A broken rule throws a CoapBlockError naming it.
import { block2 as block2Of, blockSize, MAX_BLOCK_NUM } from '../block-option.js';
import { describeCode, isSuccess } from '../coap-codes.js';
import { CoapOptionNumber, getOption, size2 } from '../coap-options.js';
import type { CoapMessage } from '../coap-types.js';
import { CoapBlockError } from './block-error.js';

/** What to do after a response. */
export type Block2Step =
  | { kind: 'next'; num: number; szx: number }
  | { kind: 'done' }
  /** the ETag changed mid-transfer: the representation is not the one the earlier blocks came from */
  | { kind: 'etag-changed'; rule: string };

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') || '(empty)' : '(none)');

/** Same ETag: both absent, or both present with the same bytes (an empty one is not an absent one). */
function sameTag(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NO_BYTES = new Uint8Array(0);
/** Size2 sizes the body buffer up front, up to this much (a server may announce more than it sends). */
const MAX_PREALLOCATE = 16 * 1024 * 1024;

export class Block2Assembler {
  /**
   * The body so far in [0, length): each block is copied here once, as it arrives, instead of
   * into a block of its own and then again into the joined body (a thousand small copies and
   * allocations fewer for a 1 MiB download).
   */
  private buf: Uint8Array = NO_BYTES;
  /** bytes received so far: the offset of the next block */
  length = 0;
  blocks = 0;
  /** the SZX the server settled on; it may only shrink from here */
  szx: number | undefined;
  /** Size2 as last announced */
  announced: number | undefined;
  etag: Uint8Array | undefined;
  /** the response code of the first block; the transfer's result */
  code: number | undefined;
  private blockwise = false;
  /** why the ETag check failed, once it has */
  private etagChanged: string | undefined;

  constructor(
    /** the SZX the client asked for; the server may answer smaller, never larger (RFC 7959 §2.4) */
    private readonly askedSzx: number | undefined,
    /** refuse a body beyond this many bytes (a server whose M bit never clears) */
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The body so far (the whole body after 'done'). */
  body(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private keep(payload: Uint8Array, at: number): void {
    const end = at + payload.length;
    if (end > this.buf.length) {
      const cap = Math.max(end, this.buf.length * 2, Math.min(this.announced ?? 0, this.maxBytes, MAX_PREALLOCATE));
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(payload, at);
  }

  /**
   * Take the response to the request for `asked` (undefined: the first request of a late
   * negotiation, which carried no Block2 option). Throws CoapBlockError on a broken rule.
   */
  accept(msg: CoapMessage, asked: { num: number; szx: number } | undefined): Block2Step {
    const num = asked?.num ?? 0;
    if (!isSuccess(msg.code)) {
      // the first answer may be anything (4.04 is a result); mid-transfer it ends the transfer
      if (this.blocks === 0) return this.finish(msg, undefined);
      throw new CoapBlockError('RFC 7959 §2.4', `the request for block ${num} was answered ${describeCode(msg.code)} after ${this.blocks} blocks`, msg);
    }
    const opt = block2Of(msg);
    if (opt === undefined) {
      if (this.blocks > 0) throw new CoapBlockError('RFC 7959 §2.4', `the response for block ${num} carries no Block2 option (the transfer began block-wise)`, msg);
      // a server may send a small representation whole, even when asked for a block (§2.4)
      return this.finish(msg, undefined);
    }
    if (opt.kind !== 'ok') throw new CoapBlockError('RFC 7959 §2.2', `the response for block ${num} has a bad Block2 value (${opt.kind === 'malformed' ? opt.rule : 'truncated'})`, msg);
    const b = opt.value;
    this.blockwise = true;
    const ceiling = this.szx ?? asked?.szx ?? this.askedSzx;
    if (ceiling !== undefined && b.szx > ceiling) {
      throw new CoapBlockError('RFC 7959 §2.4', `block ${b.num} came in ${blockSize(b.szx)}-byte blocks (SZX ${b.szx}), larger than the ${blockSize(ceiling)} bytes asked for`, msg);
    }
    const size = blockSize(b.szx);
    const offset = b.num * size;
    if (offset !== this.length) {
      const askedText = asked ? `block ${asked.num} of ${blockSize(asked.szx)} bytes` : 'the first block';
      throw new CoapBlockError('RFC 7959 §2.4', `asked for ${askedText} (offset ${this.length}) but got block ${b.num} of ${size} bytes (offset ${offset})`, msg);
    }
    this.szx = b.szx;
    this.checkEtag(msg, b.num);
    if (this.etagChanged) return { kind: 'etag-changed', rule: this.etagChanged };
    const s2 = size2(msg);
    if (s2 !== undefined) this.announced = s2;
    const len = msg.payload.length;
    if (b.more && len !== size) {
      throw new CoapBlockError('RFC 7959 §2.2', `block ${b.num}${this.ofTotal(size)} has M=1 but carries ${len} bytes, not the block size ${size} (only the last block may be shorter)`, msg);
    }
    if (!b.more && len > size) throw new CoapBlockError('RFC 7959 §2.2', `block ${b.num}${this.ofTotal(size)} carries ${len} bytes, more than the block size ${size}`, msg);
    const end = offset + len;
    if (this.announced !== undefined) {
      if (!b.more && end < this.announced) {
        throw new CoapBlockError('RFC 7959 §2.2', `block ${b.num}${this.ofTotal(size)} has M=0 but is not the last (Size2 announces ${this.announced} bytes, the body ends at ${end})`, msg);
      }
      if (b.more && end >= this.announced) {
        throw new CoapBlockError('RFC 7959 §2.2', `block ${b.num}${this.ofTotal(size)} has M=1 but is the last (Size2 announces ${this.announced} bytes, this block ends at ${end})`, msg);
      }
    }
    if (end > this.maxBytes) throw new CoapBlockError('RFC 7959 §2.2', `the body passes ${this.maxBytes} bytes at block ${b.num} and the server still sets M=1`, msg);
    this.code ??= msg.code;
    this.keep(msg.payload, offset);
    this.length = end;
    this.blocks++;
    if (!b.more) return this.finish(msg, b.num);
    if (b.num + 1 > MAX_BLOCK_NUM) throw new CoapBlockError('RFC 7959 §2.2', `block ${b.num} has M=1 but no block number follows it`, msg);
    return { kind: 'next', num: b.num + 1, szx: b.szx };
  }

  /** ' of N' after a block number in an error text, when Size2 told the total (built only for errors). */
  private ofTotal(size: number): string {
    return this.announced !== undefined ? ` of ${Math.max(1, Math.ceil(this.announced / size))}` : '';
  }

  /** §2.4: every block of one representation carries the same ETag (if the server sends one). */
  private checkEtag(msg: CoapMessage, num: number): void {
    const tag = getOption(msg, CoapOptionNumber.ETAG);
    if (this.blocks === 0) {
      this.etag = tag;
      return;
    }
    if (!sameTag(tag, this.etag)) {
      this.etagChanged = `the ETag changed from ${hex(this.etag)} to ${hex(tag)} at block ${num}: the representation changed mid-transfer`;
    }
  }

  private finish(msg: CoapMessage, lastNum: number | undefined): Block2Step {
    if (!this.blockwise) {
      // not block-wise at all: the payload is the body
      this.code = msg.code;
      this.etag = getOption(msg, CoapOptionNumber.ETAG);
      this.keep(msg.payload, 0);
      this.length = msg.payload.length;
      this.blocks = 1;
      return { kind: 'done' };
    }
    if (this.announced !== undefined && this.announced !== this.length) {
      throw new CoapBlockError('RFC 7959 §4', `Size2 announced ${this.announced} bytes but the body has ${this.length} (last block ${lastNum})`, msg);
    }
    return { kind: 'done' };
  }
}
