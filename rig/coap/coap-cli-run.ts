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
  try {
    await link.c.ready;
    return await perform(req, link.ep, target, out);
  } catch (e) {
    out.info(`hilrig coap: ${linkError || describeError(e)}`);
    return Exit.RIG_ERROR;
  } finally {
    await mgr.shutdown();
  }
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
  const res = await ep.request(spec);
  return finish(res, out);
}

function finish(res: CoapResponse, out: CoapCliOutput): number {
  out.body(res.msg.payload);
  const rt = res.transmissions > 1 ? `, ${res.transmissions} transmissions` : '';
  out.info(`${describeCode(res.msg.code)} (${res.msg.payload.length} B, ${res.rttMs.toFixed(1)} ms${rt})`);
  return codeClass(res.msg.code) === 2 ? Exit.OK : Exit.TEST_FAILED;
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
