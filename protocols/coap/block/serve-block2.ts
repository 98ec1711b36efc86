// Server side of Block2 (RFC 7959 §2.4): answer a request for a large representation with the
// block it asks for. Stateless, as the RFC intends: the block follows from the request's Block2
// option and the representation. Used by the virtual board and by tests.
import { block2 as block2Of, blockSize, encodeBlock, MAX_SZX } from '../block-option.js';
import { CoapCode } from '../coap-codes.js';
import { CoapOptionNumber, hasOption, type OptionValueInput } from '../coap-options.js';
import type { CoapExchange } from '../server-exchange.js';

export interface ServeBlock2Options {
  /** the largest block this server sends (default 6, 1024 bytes); also its size for late negotiation */
  maxSzx?: number;
  contentFormat?: number;
  /** sent with every block, so the client can tell a changed representation (§2.4) */
  etag?: Uint8Array;
  /** the response code (default 2.05 Content; 2.04 for the answer to a POST, §3.3) */
  code?: number;
  /** more options for every block (the Block1 echo of a §3.3 answer) */
  options?: readonly { number: number; value: OptionValueInput }[];
}

/** Answer `x` with the right block of `body` (or all of it when it fits in one block and none was asked for). */
export function serveBlock2(x: CoapExchange, body: Uint8Array, opts: ServeBlock2Options = {}): void {
  const maxSzx = Math.min(opts.maxSzx ?? MAX_SZX, MAX_SZX);
  const code = opts.code ?? CoapCode.CONTENT;
  const base = [...(opts.options ?? [])];
  if (opts.etag) base.push({ number: CoapOptionNumber.ETAG, value: opts.etag });
  const req = block2Of(x.request);
  if (req?.kind === 'malformed') {
    // SZX 7 or a long value: a bad critical option value (RFC 7959 §2.2)
    x.respond({ code: CoapCode.BAD_REQUEST, payload: `${req.rule}` });
    return;
  }
  if (req === undefined && body.length <= blockSize(maxSzx)) {
    x.respond({ code, payload: body, contentFormat: opts.contentFormat, options: base });
    return;
  }
  // late negotiation starts at block 0 in the server's size; early negotiation gets the size
  // asked for, or ours when it is smaller, at the same byte offset (§2.4)
  const asked = req?.kind === 'ok' ? req.value : { num: 0, more: false, szx: maxSzx };
  const szx = Math.min(asked.szx, maxSzx);
  const offset = asked.num * blockSize(asked.szx);
  if (offset > 0 && offset >= body.length) {
    x.respond({ code: CoapCode.BAD_OPTION, payload: `RFC 7959 §2.4: Block2 NUM ${asked.num} (offset ${offset}) is beyond the ${body.length}-byte representation` });
    return;
  }
  const size = blockSize(szx);
  const payload = body.subarray(offset, offset + size);
  const more = offset + payload.length < body.length;
  const options = [...base, { number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num: offset / size, more, szx }) }];
  // §4: Size2 with the first block, and whenever the request asked for it (Size2 0 in the request)
  if (offset === 0 || hasOption(x.request, CoapOptionNumber.SIZE2)) options.push({ number: CoapOptionNumber.SIZE2, value: body.length });
  x.respond({ code, payload, contentFormat: opts.contentFormat, options });
}
