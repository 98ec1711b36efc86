// GET a representation block by block (RFC 7959 §2.4): the first request through confirmable()
// (message-layer checks), the rest by continueBlock2, whose CoapBlockError becomes the verdict.
import { encodeBlock } from '../../../protocols/coap/block-option.js';
import { continueBlock2 } from '../../../protocols/coap/block/block2-client.js';
import { isSuccess } from '../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber } from '../../../protocols/coap/coap-options.js';
import { blockwise } from './block-errors.js';
import { type Answer, confirmable } from './confirmable.js';
import type { Link } from './link.js';

export interface Download {
  first: Answer;
  /** the whole body (the first answer's payload when it was no success) */
  body: Uint8Array;
  blocks: number;
  contentFormat?: number;
}

/** `szx` undefined: late negotiation (the board's block size); else ask for 2^(szx+4)-byte blocks. */
export async function download(l: Link, path: string, szx?: number): Promise<Download> {
  const asked = szx === undefined ? undefined : { num: 0, szx };
  const options = asked ? [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num: 0, more: false, szx: asked.szx }) }] : [];
  const first = await confirmable(l, { method: 'GET', path, options });
  if (!isSuccess(first.response.code)) return { first, body: first.response.payload, blocks: 0 };
  const r = await blockwise(() => continueBlock2(l.c.ep, { method: 'GET', path }, first.res, asked, { onEtagChange: 'fail' }));
  return { first, body: r.body, blocks: r.stats.blocks, contentFormat: r.contentFormat };
}
