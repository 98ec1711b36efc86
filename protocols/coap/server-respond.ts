// How a server's answer goes out (RFC 7252 §5.2): piggybacked on the ACK of a CON not yet
// acknowledged; as a separate CON (or NON) with a new MID after an empty ACK; as a NON to a
// NON. The token always echoes the request's (§5.3.2).
import { CoapOptionNumber } from './coap-options.js';
import { type CoapMessage, CoapType, COAP_VERSION } from './coap-types.js';
import type { CoapEndpoint } from './coap-endpoint.js';
import { type CoapExchange, type ResponseSpec, specOptions } from './server-exchange.js';

/** Critical options this stack processes; any other critical option in a request gets 4.02. */
export const RECOGNIZED_OPTIONS: ReadonlySet<number> = new Set<number>([
  CoapOptionNumber.IF_MATCH,
  CoapOptionNumber.URI_HOST,
  CoapOptionNumber.IF_NONE_MATCH,
  CoapOptionNumber.URI_PORT,
  CoapOptionNumber.URI_PATH,
  CoapOptionNumber.URI_QUERY,
  CoapOptionNumber.ACCEPT,
  CoapOptionNumber.BLOCK2,
  CoapOptionNumber.BLOCK1,
  CoapOptionNumber.PROXY_URI,
  CoapOptionNumber.PROXY_SCHEME,
]);

const utf8 = new TextEncoder();

export function respondTo(ep: CoapEndpoint, x: CoapExchange, spec: ResponseSpec): void {
  const req = x.request;
  const payload = typeof spec.payload === 'string' ? utf8.encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const base: CoapMessage = {
    version: COAP_VERSION,
    type: CoapType.ACK,
    code: spec.code,
    mid: req.mid,
    token: req.token,
    options: specOptions(spec, CoapOptionNumber.CONTENT_FORMAT),
    payload,
  };
  if (req.type === CoapType.CON && !x.acknowledged) {
    x.acknowledged = true;
    const bytes = ep.send(base, 'piggybacked');
    const memo = ep.memo.get(x);
    if (memo) memo.reply = bytes;
    return;
  }
  const mid = ep.ml.nextMid();
  if (req.type === CoapType.NON || spec.confirmable === false) {
    ep.send({ ...base, type: CoapType.NON, mid }, req.type === CoapType.NON ? 'non-response' : 'separate');
    return;
  }
  const msg: CoapMessage = { ...base, type: CoapType.CON, mid };
  ep.ml.sendCon(msg, ep.encode(msg, 'separate'), () => undefined);
}
