// Block2 downloads (RFC 7959 §2.4) on CoapEndpoint.request(): early negotiation (the first
// request asks for a block size) or late negotiation (the first request asks for nothing and
// the client follows the server's blocks), for GET and FETCH, CON and NON. Every response goes
// through Block2Assembler, which fails the transfer with the rule a server broke.
import { encodeBlock } from '../block-option.js';
import type { CoapResponse } from '../client-requests.js';
import type { CoapEndpoint } from '../coap-endpoint.js';
import { CoapOptionNumber, contentFormat, type OptionValueInput } from '../coap-options.js';
import type { CoapMethod, CoapRequestSpec } from '../coap-request.js';
import { CoapBlockError } from './block-error.js';
import { checkSzx, type BlockStats, type ProgressFn } from './block-progress.js';
import { Block2Assembler, type Block2Step } from './block2-assembler.js';

export interface Block2Options {
  /** early negotiation: ask for blocks of 2^(szx+4) bytes from the first request; absent: late negotiation */
  szx?: number;
  /** each block as it arrives (already checked) */
  onBlock?: (block: { num: number; szx: number; offset: number; payload: Uint8Array; more: boolean }) => void;
  onProgress?: ProgressFn;
  /** RFC 7959 §2.4: when the ETag changes mid-transfer, start again from block 0 (default) or fail */
  onEtagChange?: 'restart' | 'fail';
  /** how often to start again before failing (default 2) */
  maxRestarts?: number;
  /** refuse a body beyond this many bytes (default 64 MiB) */
  maxBytes?: number;
}

export interface Block2Result {
  /** the response code of the representation (2.05 ...), or of a first answer that was no success (4.04 ...) */
  code: number;
  body: Uint8Array;
  etag: Uint8Array | undefined;
  contentFormat: number | undefined;
  /** the response that carried the last block */
  last: CoapResponse;
  /** how often the transfer started again because the ETag changed */
  restarts: number;
  stats: BlockStats;
}

/** A request spec for a block-wise transfer: method optional, payload supplied by the transfer. */
export type BlockRequestSpec = Omit<CoapRequestSpec, 'method'> & { method?: CoapMethod };

/** Download a representation block by block; resolves with the whole body. */
export async function block2Get(ep: CoapEndpoint, spec: BlockRequestSpec, opts: Block2Options = {}): Promise<Block2Result> {
  checkSzx(opts.szx);
  refuseBlockOptions(spec);
  const method = spec.method ?? 'GET';
  const first = await ep.request({ ...spec, method, options: withBlock2(spec, opts.szx === undefined ? undefined : { num: 0, szx: opts.szx }) });
  return continueBlock2(ep, { ...spec, method }, first, opts.szx === undefined ? undefined : { num: 0, szx: opts.szx }, opts);
}

/**
 * Go on from a first response (that of block2Get's first request, or the final response of a
 * Block1 upload whose answer is large, RFC 7959 §3.3): request the following blocks with the
 * same method and options until the last one.
 */
export async function continueBlock2(
  ep: CoapEndpoint,
  spec: CoapRequestSpec,
  first: CoapResponse,
  firstAsked: { num: number; szx: number } | undefined,
  opts: Block2Options = {},
): Promise<Block2Result> {
  const started = ep.io.now() - first.rttMs;
  const stats = { requests: 1, transmissions: first.transmissions };
  const maxRestarts = opts.maxRestarts ?? 2;
  let restarts = 0;
  let res = first;
  let asked = firstAsked;
  let asm = new Block2Assembler(firstAsked?.szx ?? opts.szx, opts.maxBytes);
  // one spec object, its options refilled per block (request() reads it before it returns)
  const req = { ...spec, options: spec.options ?? [] };
  for (;;) {
    const before = asm.length;
    const step: Block2Step = asm.accept(res.msg, asked);
    if (step.kind === 'etag-changed') {
      if (opts.onEtagChange === 'fail' || restarts >= maxRestarts) {
        throw new CoapBlockError('RFC 7959 §2.4', `${step.rule}${restarts > 0 ? ` (after ${restarts} restarts)` : ''}`, res.msg);
      }
      restarts++;
      asm = new Block2Assembler(opts.szx, opts.maxBytes);
      asked = opts.szx === undefined ? undefined : { num: 0, szx: opts.szx };
    } else {
      if (asm.szx !== undefined && asm.length > before) {
        const num = before / 2 ** (asm.szx + 4);
        opts.onBlock?.({ num, szx: asm.szx, offset: before, payload: res.msg.payload, more: step.kind === 'next' });
      }
      opts.onProgress?.({ direction: 'download', bytesDone: asm.length, bytesTotal: asm.announced, blocks: asm.blocks, transmissions: stats.transmissions, elapsedMs: ep.io.now() - started });
      if (step.kind === 'done') break;
      asked = { num: step.num, szx: step.szx };
    }
    // a fresh request (and token) per block; FETCH repeats its payload, as RFC 8132 §2.3.2 wants
    req.options = withBlock2(spec, asked);
    res = await ep.request(req);
    stats.requests++;
    stats.transmissions += res.transmissions;
  }
  const body = asm.body();
  return {
    code: asm.code ?? res.msg.code,
    body,
    etag: asm.etag,
    contentFormat: contentFormat(res.msg),
    last: res,
    restarts,
    stats: {
      blocks: asm.blocks,
      bytes: body.length,
      requests: stats.requests,
      transmissions: stats.transmissions,
      roundTrips: stats.requests,
      szx: asm.szx ?? opts.szx ?? 6,
      elapsedMs: ep.io.now() - started,
    },
  };
}

function withBlock2(spec: CoapRequestSpec | BlockRequestSpec, b: { num: number; szx: number } | undefined): { number: number; value: OptionValueInput }[] {
  const out = spec.options ? spec.options.slice() : [];
  if (b) out.push({ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num: b.num, more: false, szx: b.szx }) });
  return out;
}

/** The transfer owns the block options; a caller's own would be sent twice. */
export function refuseBlockOptions(spec: BlockRequestSpec): void {
  const own = [CoapOptionNumber.BLOCK1, CoapOptionNumber.BLOCK2, CoapOptionNumber.Q_BLOCK1, CoapOptionNumber.Q_BLOCK2];
  const bad = spec.options?.find((o) => (own as readonly number[]).includes(o.number));
  if (bad) throw new TypeError(`request option ${bad.number} is set by the block-wise transfer itself; leave it out of spec.options`);
}
