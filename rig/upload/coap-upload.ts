// `hilrig upload --protocol coap`: a file PUT to a CoAP resource block by block (RFC 7959
// Block1, or RFC 9177 Q-Block1 with --qblock, falling back to Block1 when the server lacks it),
// over UDP or slipmux on a serial line, then read back with GET (Block2) and compared.
//
// Unlike the SMP and XMODEM strategies, this one holds the file in memory: protocols/coap's
// block1Put and qblock1Put take the body as one byte array. Resources on constrained boards are
// small (the virtual board's /large-update takes 64 KiB), so the file is capped at
// COAP_MAX_BYTES and refused beyond with a message saying so.
import { createHash } from 'node:crypto';
import type { Driver } from '../engine/driver.js';
import { describeError, HilrigError } from '../engine/errors.js';
import { Ev, type Handler } from '../engine/events.js';
import { Manager } from '../engine/manager.js';
import { defaultDrivers } from '../../drivers/index.js';
import { block1Put, block2Get, CoapBlockError, qblock1Put } from '../../protocols/coap/block/index.js';
import { CoapRequestError } from '../../protocols/coap/client-requests.js';
import { describeCode, isSuccess } from '../../protocols/coap/coap-codes.js';
import { connectCoap, type CoapLinkEvents } from '../coap/connect-coap.js';
import { parseCoapUri } from '../coap/coap-uri.js';
import type { FileReader } from './file-reader.js';
import type { ProgressSink } from './progress.js';
import { boardError, linkError, usageError } from './upload-errors.js';
import type { UploadVerdict } from './upload-result.js';

/** the largest file this strategy uploads (it is held in memory twice: sent and read back) */
export const COAP_MAX_BYTES = 16 * 1024 * 1024;

export interface CoapUploadOptions {
  /** coap://HOST[:PORT]/PATH or coap+serial:///dev/ttyX/PATH?baud=N */
  target: string;
  /** the resource path, when the target URL has none (or to override it) */
  resource?: string;
  reader: FileReader;
  /** block size: 16 ... 1024 (default 1024) */
  chunk?: number;
  qblock?: boolean;
  /** how long to wait for each answer after the request was acknowledged (CoAP's own default when absent) */
  timeoutMs?: number;
  progress: ProgressSink;
  drivers?: Record<string, Driver>;
}

export interface CoapUploadResult {
  code: number;
  seconds: number;
  blocks: number;
  roundTrips: number;
  transmissions: number;
  usedQBlock: boolean;
  verdict: UploadVerdict;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function szxOf(chunk: number | undefined): number {
  if (chunk === undefined) return 6;
  const szx = Math.log2(chunk) - 4;
  if (!(Number.isInteger(szx) && szx >= 0 && szx <= 6)) throw usageError(`--chunk ${chunk}: a CoAP block is a power of two from 16 to 1024 bytes`);
  return szx;
}

/** The target with --resource applied: coap://host/path. */
export function coapUploadUri(target: string, resource: string | undefined): string {
  if (resource === undefined) return target;
  const q = target.indexOf('?');
  const [base, query] = q >= 0 ? [target.slice(0, q), target.slice(q)] : [target, ''];
  if (/^coap\+serial:/i.test(base)) return `${base.replace(/\/+$/, '')}${resource.startsWith('/') ? '' : '/'}${resource}${query}`;
  const m = /^(coap(?:\+udp)?:\/\/[^/?#]*)/i.exec(base);
  if (!m) return target;
  return `${m[1]}${resource.startsWith('/') ? '' : '/'}${resource}${query}`;
}

export async function coapUpload(o: CoapUploadOptions): Promise<CoapUploadResult> {
  const szx = szxOf(o.chunk);
  let target;
  try {
    target = parseCoapUri(coapUploadUri(o.target, o.resource));
  } catch (e) {
    throw usageError(`--target ${o.target}: ${describeError(e)}`);
  }
  if (target.path === '/' || target.path === '') throw usageError(`--target ${o.target}: which resource? Give a path (coap://HOST/large-update) or --resource PATH`);
  if (o.reader.size > COAP_MAX_BYTES) throw usageError(`${o.reader.path} is ${o.reader.size} bytes; a CoAP upload holds the file in memory and takes at most ${COAP_MAX_BYTES} bytes (use --protocol smp for large images)`);
  const mgr = new Manager({ drivers: o.drivers ?? defaultDrivers });
  let lastError = '';
  const handler: Handler<CoapLinkEvents> = (_c, ev, data) => {
    if (ev === Ev.Error) lastError = data.message;
  };
  try {
    const link = connectCoap(mgr, target.link, handler, { random: Math.random });
    try {
      await link.c.ready;
    } catch (e) {
      throw linkError(`cannot open ${target.link}: ${lastError || describeError(e)}`, e);
    }
    const body = await o.reader.readCopy(0, o.reader.size);
    const spec = { path: target.path, query: target.query, timeoutMs: o.timeoutMs };
    const onProgress = (p: { bytesDone: number }): void => o.progress.update(p.bytesDone);
    o.progress.start(body.length, 0);
    const t0 = performance.now();
    let r;
    try {
      r = o.qblock
        ? await qblock1Put(link.ep, spec, body, { szx, method: 'PUT', clock: mgr.clock, onProgress })
        : { ...(await block1Put(link.ep, spec, body, { szx, method: 'PUT', onProgress })), usedQBlock: false };
    } catch (e) {
      throw failure(e, lastError);
    }
    const seconds = (performance.now() - t0) / 1000;
    o.progress.update(body.length);
    o.progress.end();
    if (!isSuccess(r.code)) throw boardError(`the board answered the upload with ${describeCode(r.code)}`);
    if (o.qblock && !r.usedQBlock) o.progress.note('coap: the server has no Q-Block1 (it answered 4.02); the file went with Block1');
    let verdict: UploadVerdict;
    try {
      const back = await block2Get(link.ep, { ...spec, method: 'GET' }, { maxBytes: body.length + 1 });
      if (!isSuccess(back.code)) verdict = { ok: true, checked: false, detail: `not verified: GET ${target.path} answers ${describeCode(back.code)}` };
      else if (sha(back.body) === sha(body)) verdict = { ok: true, checked: true, detail: `GET ${target.path} returns the ${body.length} bytes uploaded (sha256 ${sha(body)})` };
      else verdict = { ok: false, checked: true, detail: `GET ${target.path} returns ${back.body.length} bytes with sha256 ${sha(back.body)}; the file has ${body.length} bytes with sha256 ${sha(body)}` };
    } catch (e) {
      if (e instanceof CoapBlockError) verdict = { ok: false, checked: true, detail: `reading ${target.path} back failed: ${e.message}` };
      else throw failure(e, lastError);
    }
    return { code: r.code, seconds, blocks: r.stats.blocks, roundTrips: r.stats.roundTrips, transmissions: r.stats.transmissions, usedQBlock: r.usedQBlock, verdict };
  } finally {
    await mgr.shutdown();
  }
}

/** A block-wise rule broken is the board's fault; no answer is the link's. */
function failure(e: unknown, lastError: string): unknown {
  if (e instanceof CoapBlockError) return boardError(e.message, e);
  if (e instanceof CoapRequestError) return e.reason === 'reset' || e.reason === 'token-mismatch' ? boardError(e.message, e) : linkError(`${e.message}${lastError ? ` (${lastError})` : ''}`, e, e.code);
  if (e instanceof HilrigError) return linkError(e.message, e, e.code);
  return e;
}
