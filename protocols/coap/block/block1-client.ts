// Block1 uploads (RFC 7959 §2.3, §2.5) on CoapEndpoint.request(): the body goes in order, one
// block per request, Size1 on the first; every non-final block must be answered 2.31 Continue
// echoing its Block1; a server may ask for smaller blocks (late negotiation) and the upload goes
// on at the same offset. A large answer to the last block is fetched with Block2 (§3.3).
import { block1 as block1Of, block2 as block2Of, blockSize, encodeBlock } from '../block-option.js';
import type { CoapResponse } from '../client-requests.js';
import { CoapCode, describeCode, isSuccess } from '../coap-codes.js';
import type { CoapEndpoint } from '../coap-endpoint.js';
import { CoapOptionNumber, size1, type OptionValueInput } from '../coap-options.js';
import type { CoapMethod } from '../coap-request.js';
import { CoapBlockError } from './block-error.js';
import { checkSzx, type BlockStats, type ProgressFn } from './block-progress.js';
import { type Block2Options, type BlockRequestSpec, continueBlock2, refuseBlockOptions } from './block2-client.js';

export interface Block1Options {
  /** block size exponent to start with (default 6, 1024 bytes) */
  szx?: number;
  /** PUT (default), POST, or another payload-bearing method; overrides spec.method */
  method?: CoapMethod;
  onProgress?: ProgressFn;
  /** send Size1 with the body's length on the first block (default true, RFC 7959 §4) */
  size1?: boolean;
  /** for a large answer to the last block (RFC 7959 §3.3) */
  block2?: Block2Options;
}

export interface Block1Result {
  /** the final code: that of the answer to the last block, or of an earlier answer that ended the upload */
  code: number;
  /** the answer's body (the whole Block2 body when it came in blocks) */
  body: Uint8Array;
  /** the response to the last request of the upload */
  response: CoapResponse;
  stats: BlockStats;
}

/** Upload `body` block by block; resolves with the final answer, rejects with CoapBlockError. */
export async function block1Put(ep: CoapEndpoint, spec: BlockRequestSpec, body: Uint8Array, opts: Block1Options = {}): Promise<Block1Result> {
  checkSzx(opts.szx);
  refuseBlockOptions(spec);
  const method = opts.method ?? spec.method ?? 'PUT';
  const started = ep.io.now();
  let szx = opts.szx ?? 6;
  let offset = 0;
  let num = 0;
  const st = { requests: 0, transmissions: 0, blocks: 0 };
  const stats = (): BlockStats => ({ blocks: st.blocks, bytes: offset, requests: st.requests, transmissions: st.transmissions, roundTrips: st.requests, szx, elapsedMs: ep.io.now() - started });
  // the caller's options, then Block1 (and Size1 on the first block): buildRequest sorts them
  const base = spec.options ?? [];
  const withSize1 = opts.size1 !== false;
  const req = { ...spec, method, payload: body.subarray(0, 0), options: base };
  let size = 0;
  let more = false;
  // an error's text names the block; built only when there is an error to report
  const what = (): string => blockText(num, body.length, size, more);
  for (;;) {
    size = blockSize(szx);
    const chunk = body.subarray(offset, offset + size);
    more = offset + chunk.length < body.length;
    const options: { number: number; value: OptionValueInput }[] = base.slice();
    options.push({ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx }) });
    if (num === 0 && withSize1) options.push({ number: CoapOptionNumber.SIZE1, value: body.length });
    // one spec object, refilled per block (request() reads it before it returns)
    req.payload = chunk;
    req.options = options;
    const res = await ep.request(req);
    st.requests++;
    st.transmissions += res.transmissions;
    const code = res.msg.code;
    if (code >= CoapCode.BAD_REQUEST) refuseErrors(res, what(), body.length);
    if (!isSuccess(code)) return { code, body: res.msg.payload, response: res, stats: stats() };
    const echo = block1Of(res.msg);
    if (echo?.kind === 'malformed') throw new CoapBlockError('RFC 7959 §2.2', `the answer to ${what()} has a bad Block1 value (${echo.rule})`, res.msg);
    const b = echo?.kind === 'ok' ? echo.value : undefined;
    if (b && b.num !== num) throw new CoapBlockError('RFC 7959 §2.3', `the answer to ${what()} acknowledges block ${b.num}`, res.msg);
    if (more) {
      if (code !== CoapCode.CONTINUE) throw new CoapBlockError('RFC 7959 §2.3', `${what()} was answered ${describeCode(code)}, not 2.31 Continue: the server ended the upload before the last block`, res.msg);
      if (!b) throw new CoapBlockError('RFC 7959 §2.3', `the 2.31 Continue for ${what()} carries no Block1 option`, res.msg);
      if (b.szx > szx) throw new CoapBlockError('RFC 7959 §2.5', `the 2.31 for ${what()} asks for ${blockSize(b.szx)}-byte blocks, larger than the ${size} in use`, res.msg);
      offset += chunk.length;
      st.blocks++;
      // late negotiation: the same offset in the smaller blocks the server asked for
      szx = b.szx;
      num = offset / blockSize(szx);
      opts.onProgress?.({ direction: 'upload', bytesDone: offset, bytesTotal: body.length, blocks: st.blocks, transmissions: st.transmissions, elapsedMs: ep.io.now() - started });
      continue;
    }
    if (code === CoapCode.CONTINUE) throw new CoapBlockError('RFC 7959 §2.3', `the last block (${what()}) was answered 2.31 Continue; the server wants blocks the body does not have`, res.msg);
    offset += chunk.length;
    st.blocks++;
    opts.onProgress?.({ direction: 'upload', bytesDone: offset, bytesTotal: body.length, blocks: st.blocks, transmissions: st.transmissions, elapsedMs: ep.io.now() - started });
    const b2 = block2Of(res.msg);
    if (b2?.kind === 'ok' && b2.value.more) {
      // §3.3: the answer is large; fetch its other blocks with the same method, without payload
      const down = await continueBlock2(ep, { ...spec, method }, res, undefined, opts.block2);
      const s = stats();
      return {
        code,
        body: down.body,
        response: down.last,
        stats: { ...s, requests: s.requests + down.stats.requests - 1, transmissions: s.transmissions + down.stats.transmissions - res.transmissions, roundTrips: s.roundTrips + down.stats.roundTrips - 1, elapsedMs: ep.io.now() - started },
      };
    }
    return { code, body: res.msg.payload, response: res, stats: stats() };
  }
}

function blockText(num: number, bodyLength: number, size: number, more: boolean): string {
  return `block ${num} of ${Math.max(1, Math.ceil(bodyLength / size))} (M=${more ? 1 : 0})`;
}

/** 4.13 and 4.08 end an upload with an error that says what the server said (RFC 7959 §2.9). */
export function refuseErrors(res: CoapResponse, what: string, bodyLength: number): void {
  const code = res.msg.code;
  if (code === CoapCode.REQUEST_ENTITY_TOO_LARGE) {
    const limit = size1(res.msg);
    const says = limit === undefined ? 'it gives no limit (no Size1)' : `it accepts at most ${limit} bytes (Size1)`;
    throw new CoapBlockError('RFC 7959 §2.9.3', `${what} was answered 4.13 Request Entity Too Large: the body has ${bodyLength} bytes and ${says}`, res.msg);
  }
  if (code === CoapCode.REQUEST_ENTITY_INCOMPLETE) {
    throw new CoapBlockError('RFC 7959 §2.9.2', `${what} was answered 4.08 Request Entity Incomplete: the server lacks earlier blocks of the body (lost, out of order, or discarded)`, res.msg);
  }
}
