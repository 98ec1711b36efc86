// Block-wise transfers (RFC 7959) for the board's resources, over the shared server-side helpers
// of protocols/coap/block: a body too large for one datagram is served in Block2 blocks
// (serveBlock2), an upload arrives in Block1 blocks that are put together before the resource
// sees it (Block1Receiver), and the large answer to an upload is kept for the client's
// follow-up Block2 requests (AnswerCache, §3.3). One object per boot, so a reboot forgets
// every half-finished transfer.
import { AnswerCache } from '../../../protocols/coap/block/answer-cache.js';
import { Block1Receiver } from '../../../protocols/coap/block/block1-receiver.js';
import { serveBlock2 } from '../../../protocols/coap/block/serve-block2.js';
import type { OptionValueInput } from '../../../protocols/coap/coap-options.js';
import type { CoapExchange } from '../../../protocols/coap/server-exchange.js';

/** A finished upload: the body, and the options the final response must carry (the Block1 echo, §2.3). */
export interface Received {
  body: Uint8Array;
  echo: { number: number; value: Uint8Array }[];
}

/** What a block-wise answer says besides its body. */
export interface BlockAnswer {
  code: number;
  contentFormat?: number;
  payload?: Uint8Array | string;
  options?: readonly { number: number; value: OptionValueInput }[];
}

const utf8 = new TextEncoder();
const bodyOf = (a: BlockAnswer): Uint8Array => (typeof a.payload === 'string' ? utf8.encode(a.payload) : (a.payload ?? new Uint8Array(0)));

export class BlockTransfers {
  private readonly uploads: Block1Receiver;
  private readonly answers = new AnswerCache();

  constructor(opts: { maxBodyBytes: number }) {
    this.uploads = new Block1Receiver({ maxBodySize: opts.maxBodyBytes });
  }

  /**
   * Feed a request that may carry Block1. Returns the whole body once it is complete; otherwise
   * the request has been answered (2.31 Continue, or 4.00, 4.08, 4.13 with Size1) and the
   * result is undefined.
   */
  receive(x: CoapExchange, now: number): Received | undefined {
    const r = this.uploads.receive(x, now);
    return r.kind === 'complete' ? { body: r.body, echo: r.echo } : undefined;
  }

  /** Answer with the whole body, or the block of it the request's Block2 names (RFC 7959 §2.4). */
  respond(x: CoapExchange, a: BlockAnswer, echo: Received['echo'] = []): void {
    serveBlock2(x, bodyOf(a), { code: a.code, contentFormat: a.contentFormat, options: [...(a.options ?? []), ...echo] });
  }

  /** Answer an upload with a body that may need blocks, kept for the follow-up requests (§3.3). */
  respondKept(x: CoapExchange, a: BlockAnswer, echo: Received['echo'], now: number): void {
    this.answers.answer(x, bodyOf(a), now, { code: a.code, contentFormat: a.contentFormat, options: [...(a.options ?? []), ...echo] });
  }

  /** A follow-up request for a later block of a kept answer: served, true. */
  serveKept(x: CoapExchange, now: number): boolean {
    return this.answers.serve(x, now);
  }

  /** Drop uploads nobody continued. */
  poll(now: number): void {
    this.uploads.expire(now);
  }
}
