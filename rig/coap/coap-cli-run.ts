// What `hilrig coap` does once its arguments are checked: open the link, send the request(s),
// print the answer, choose the exit code. Imports stay minimal: the command must start lean.
import type { Driver } from '../engine/driver.js';
import { Manager } from '../engine/manager.js';
import { Ev } from '../engine/events.js';
import { describeError } from '../engine/errors.js';
import { codeClass, describeCode } from '../../protocols/coap/coap-codes.js';
import { CoapEv } from '../../protocols/coap/coap-events.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import { CoapOptionNumber } from '../../protocols/coap/coap-options.js';
import type { CoapRequestSpec } from '../../protocols/coap/coap-request.js';
import type { CoapResponse } from '../../protocols/coap/client-requests.js';
import type { CoapEndpoint } from '../../protocols/coap/coap-endpoint.js';
import { connectCoap, type CoapLinkEvents } from './connect-coap.js';
import { parseCoapUri } from './coap-uri.js';
import type { Handler } from '../engine/events.js';
import { Exit } from '../cli/exit-codes.js';

export interface CoapCliRequest {
  verb: 'get' | 'put' | 'post' | 'delete' | 'observe' | 'discover' | 'ping';
  uri: string;
  payload?: Uint8Array;
  contentFormat?: number;
  accept?: number;
  blockSize?: number;
  confirmable: boolean;
  observeCount: number;
  options: { number: number; value: Uint8Array | string | number }[];
  token?: Uint8Array;
  timeoutMs?: number;
  verbose: boolean;
  /** upload with Q-Block1 (RFC 9177), falling back to Block1 when the server lacks it */
  qblock?: boolean;
  /** set by runCoap: the manager clock, for Q-Block1's pauses */
  clock?: Manager['clock'];
}

export interface CoapCliOutput {
  /** response payload bytes */
  body(bytes: Uint8Array): void;
  /** status and diagnostics, one line each */
  info(line: string): void;
}

const METHOD = { get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', observe: 'GET', discover: 'GET', ping: 'GET' } as const;

async function driverFor(link: string): Promise<Record<string, Driver>> {
  if (link.startsWith('coap+serial:')) return { serial: (await import('../../drivers/serial/serial-driver.js')).serialDriver };
  return { udp: (await import('../../drivers/udp/udp-driver.js')).udpDriver };
}

export async function runCoap(req: CoapCliRequest, out: CoapCliOutput): Promise<number> {
  let target;
  try {
    target = parseCoapUri(req.verb === 'discover' ? withPath(req.uri, '/.well-known/core') : req.uri);
  } catch (e) {
    out.info(`hilrig coap: ${describeError(e)}`);
    return Exit.USAGE;
  }
  const mgr = new Manager({ drivers: await driverFor(target.link), pollMs: 0 });
  let linkError = '';
  const handler: Handler<CoapLinkEvents> = (_c, ev, data) => {
    if (ev === Ev.Error) linkError = data.message;
    if (!req.verbose) return;
    if (ev === CoapEv.Sent) out.info(`→ ${describeMessage(data.msg)}${data.retransmission > 0 ? `  [retransmission ${data.retransmission}]` : ''}`);
    else if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) out.info(`← ${describeMessage(data)}`);
    else if (ev === CoapEv.Malformed) out.info(`← malformed (${data.bytes.length} B): ${data.rule} at byte ${data.offset}`);
  };
  const link = connectCoap(mgr, target.link, handler, { random: Math.random });
  // load the transfer code while the socket opens (perform() imports it again, from the cache)
  prefetchTransfer(req);
  try {
    await link.c.ready;
    return await perform({ ...req, clock: mgr.clock }, link.ep, target, out);
  } catch (e) {
    out.info(`hilrig coap: ${linkError || describeError(e)}`);
    return Exit.RIG_ERROR;
  } finally {
    await mgr.shutdown();
  }
}

// the transfer code each verb needs, not the block/ barrel (its server-side receivers and
// Q-Block1 are code a one-shot command would load and compile for nothing); literal paths, so
// that the bundler sees them
const block2Client = () => import('../../protocols/coap/block/block2-client.js');
const block1Client = () => import('../../protocols/coap/block/block1-client.js');
const qblock1Client = () => import('../../protocols/coap/block/qblock1-client.js');

function prefetchTransfer(req: CoapCliRequest): void {
  const load = req.verb === 'get' || req.verb === 'discover' ? block2Client : req.qblock ? qblock1Client : req.verb === 'put' || req.verb === 'post' ? block1Client : undefined;
  // a failure shows when perform() imports the module itself
  load?.().catch(() => undefined);
}

async function perform(req: CoapCliRequest, ep: CoapEndpoint, target: { path: string; query: string[] }, out: CoapCliOutput): Promise<number> {
  if (req.verb === 'ping') {
    const t0 = performance.now();
    await ep.ping();
    out.info(`pong (RST) in ${(performance.now() - t0).toFixed(1)} ms`);
    return Exit.OK;
  }
  const spec: CoapRequestSpec = {
    method: METHOD[req.verb],
    path: target.path,
    query: target.query,
    payload: req.payload,
    contentFormat: req.contentFormat,
    accept: req.accept ?? (req.verb === 'discover' ? 40 : undefined),
    options: req.options,
    confirmable: req.confirmable,
    token: req.token,
    timeoutMs: req.timeoutMs,
  };
  if (req.verb === 'observe') return observe(req, ep, spec, out);
  const szx = req.blockSize === undefined ? undefined : Math.log2(req.blockSize) - 4;
  if (req.verb === 'get' || req.verb === 'discover') {
    const { block2Get } = await block2Client();
    // block-wise whenever the server answers in blocks (late negotiation), or from the start with --block
    const r = await block2Get(ep, { ...spec, method: 'GET' }, { szx });
    out.body(r.body);
    return finish(r.code, r.body.length, r.stats, r.last, out);
  }
  const body = req.payload ?? new Uint8Array(0);
  const method = spec.method as 'PUT' | 'POST' | 'DELETE';
  if (method !== 'DELETE' && (req.qblock || body.length > (req.blockSize ?? 1024) || req.blockSize !== undefined)) {
    const { payload: _drop, ...rest } = { ...spec, method };
    const r = req.qblock
      ? await (await qblock1Client()).qblock1Put(ep, rest, body, { szx: szx ?? 6, method, clock: req.clock! })
      : await (await block1Client()).block1Put(ep, rest, body, { szx: szx ?? 6, method });
    out.body(r.body);
    return finish(r.code, body.length, r.stats, r.response, out);
  }
  const res = await ep.request(spec);
  out.body(res.msg.payload);
  return finish(res.msg.code, res.msg.payload.length, undefined, res, out);
}

interface TransferStats {
  blocks: number;
  roundTrips: number;
  transmissions: number;
  elapsedMs: number;
}

function finish(code: number, bytes: number, stats: TransferStats | undefined, last: CoapResponse, out: CoapCliOutput): number {
  if (stats && stats.blocks > 1) {
    const mbps = stats.elapsedMs > 0 ? (bytes / 1e6 / (stats.elapsedMs / 1000)).toFixed(2) : '∞';
    out.info(`${describeCode(code)} (${bytes} B in ${stats.blocks} blocks, ${stats.roundTrips} round trips, ${stats.transmissions} datagrams, ${stats.elapsedMs.toFixed(0)} ms, ${mbps} MB/s)`);
  } else {
    const rt = last.transmissions > 1 ? `, ${last.transmissions} transmissions` : '';
    out.info(`${describeCode(code)} (${bytes} B, ${last.rttMs.toFixed(1)} ms${rt})`);
  }
  return codeClass(code) === 2 ? Exit.OK : Exit.TEST_FAILED;
}

function observe(req: CoapCliRequest, ep: CoapEndpoint, spec: CoapRequestSpec, out: CoapCliOutput): Promise<number> {
  return new Promise((resolve) => {
    let n = 0;
    const msg = ep.requestStream(
      { ...spec, options: [...(spec.options ?? []), { number: CoapOptionNumber.OBSERVE, value: 0 }] },
      (res) => {
        n++;
        out.body(res.msg.payload);
        if (res.msg.payload.length > 0) out.body(new TextEncoder().encode('\n'));
        const registered = res.msg.options.some((o) => o.number === CoapOptionNumber.OBSERVE);
        out.info(`${describeCode(res.msg.code)} notification ${n}${registered ? '' : ' (not observable: the server sent no Observe option)'}`);
        if (!registered || codeClass(res.msg.code) !== 2) {
          resolve(codeClass(res.msg.code) === 2 ? Exit.OK : Exit.TEST_FAILED);
          return false;
        }
        if (req.observeCount > 0 && n >= req.observeCount) {
          // forget the token: the next notification is answered with RST, which ends the observation (RFC 7641 §3.6)
          queueMicrotask(() => ep.cancel(msg.token));
          resolve(Exit.OK);
          return false;
        }
        return true;
      },
      (err) => {
        if (err.reason === 'cancelled') return;
        out.info(`hilrig coap: ${err.message}`);
        resolve(Exit.RIG_ERROR);
      },
    );
  });
}

function withPath(uri: string, path: string): string {
  const q = uri.indexOf('?');
  const base = (q >= 0 ? uri.slice(0, q) : uri).replace(/\/+$/, '');
  const hasPath = /^coap(\+udp)?:\/\/[^/]+\/./i.test(base);
  return hasPath ? uri : `${base}${path}${q >= 0 ? uri.slice(q) : ''}`;
}
