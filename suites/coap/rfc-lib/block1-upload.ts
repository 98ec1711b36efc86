// A Block1 upload (RFC 7959 §2.3) with every block sent through confirmable(), so each exchange
// gets the message-layer checks, and every answer to a non-final block judged: 2.31 Continue
// echoing the block (NUM, and an SZX no larger than ours, §2.5). §2.3 also lets a server act on
// each block as it comes (not atomically): a success other than 2.31 whose Block1 has M=0. That
// is reported, not failed; a success other than 2.31 whose Block1 still says M=1 (the server
// collects more blocks, so it is acting atomically) should have been 2.31.
import { block1 as block1Of, blockSize, encodeBlock } from '../../../protocols/coap/block-option.js';
import { CoapCode, isSuccess } from '../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, type OptionValueInput } from '../../../protocols/coap/coap-options.js';
import type { CoapMethod } from '../../../protocols/coap/coap-request.js';
import type { CoapMessage } from '../../../protocols/coap/coap-types.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';
import { type Answer, confirmable } from './confirmable.js';
import type { Link } from './link.js';
import { codeText, requestText } from './text.js';

export type NonFinal = 'continue' | 'non-atomic';

/**
 * Judge the answer to a block with M=1 that the server took (a 2.xx): 'continue' for a 2.31
 * echoing the block, 'non-atomic' for a per-block success (§2.3); throws on a broken rule.
 */
export function judgeNonFinal(request: CoapMessage, response: CoapMessage, num: number, szx: number): NonFinal {
  const what = `${requestText(request)}, block ${num} with M=1`;
  const opt = block1Of(response);
  if (opt?.kind === 'malformed') throw new RuleViolation('RFC 7959 §2.2', `the answer to ${what} has a bad Block1 value (${opt.rule})`);
  const b = opt?.kind === 'ok' ? opt.value : undefined;
  if (response.code !== CoapCode.CONTINUE) {
    if (b?.more) {
      throw new RuleViolation('RFC 7959 §2.3', `${what} was answered ${codeText(response.code)} with Block1 M=1 (the server collects further blocks): a non-final block of an atomic upload is answered 2.31 Continue`);
    }
    return 'non-atomic';
  }
  if (!b) throw new RuleViolation('RFC 7959 §2.3', `the 2.31 Continue answering ${what} carries no Block1 option`);
  if (b.num !== num) throw new RuleViolation('RFC 7959 §2.3', `the 2.31 Continue answering ${what} acknowledges block ${b.num}`);
  if (b.szx > szx) throw new RuleViolation('RFC 7959 §2.5', `the 2.31 Continue answering ${what} asks for ${blockSize(b.szx)}-byte blocks, larger than the ${blockSize(szx)} in use`);
  return 'continue';
}

export type Upload =
  | { kind: 'done'; final: Answer; blocks: number; nonAtomic: number[] }
  /** the server ended the upload with an error before the last block */
  | { kind: 'refused'; at: number; answer: Answer };

export async function block1Upload(l: Link, spec: { method: CoapMethod; path: string; contentFormat?: number }, body: Uint8Array, startSzx: number): Promise<Upload> {
  let szx = startSzx;
  let offset = 0;
  let num = 0;
  let blocks = 0;
  const nonAtomic: number[] = [];
  for (;;) {
    const chunk = body.subarray(offset, offset + blockSize(szx));
    const more = offset + chunk.length < body.length;
    const options: { number: number; value: OptionValueInput }[] = [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx }) }];
    // §4: Size1 on the first block tells the server the whole size
    if (num === 0) options.push({ number: CoapOptionNumber.SIZE1, value: body.length });
    const a = await confirmable(l, { ...spec, payload: chunk, options });
    blocks++;
    if (!isSuccess(a.response.code)) return { kind: 'refused', at: num, answer: a };
    if (!more) {
      if (a.response.code === CoapCode.CONTINUE) {
        throw new RuleViolation('RFC 7959 §2.3', `the last block of ${requestText(a.request)} (block ${num}, M=0) was answered 2.31 Continue: the server wants blocks the body does not have`);
      }
      return { kind: 'done', final: a, blocks, nonAtomic };
    }
    if (judgeNonFinal(a.request, a.response, num, szx) === 'non-atomic') nonAtomic.push(num);
    const echo = block1Of(a.response);
    offset += chunk.length;
    // late negotiation (§2.5): go on at the same offset in the block size the server asked for
    if (echo?.kind === 'ok' && echo.value.szx < szx) szx = echo.value.szx;
    num = offset / blockSize(szx);
  }
}

