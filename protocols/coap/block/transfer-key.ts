// Which block-wise transfer a request belongs to: the peer, the resource (Uri-Path and
// Uri-Query), and the Request-Tag (RFC 9175 §3), which tells concurrent bodies to one resource
// apart. Server-side state is kept per key.
import { CoapOptionNumber, getOptions, uriPath, uriQuery } from '../coap-options.js';
import type { CoapExchange } from '../server-exchange.js';

export function transferKey(x: CoapExchange): string {
  const tags = getOptions(x.request, CoapOptionNumber.REQUEST_TAG).map((t) => Buffer.from(t).toString('hex'));
  return `${x.peer} /${uriPath(x.request).join('/')}?${uriQuery(x.request).join('&')} tag=${tags.join(',') || '-'}`;
}

/** The resource part alone ('/fw/image?slot=1'), for messages. */
export function resourceOf(x: CoapExchange): string {
  const q = uriQuery(x.request);
  return `/${uriPath(x.request).join('/')}${q.length ? `?${q.join('&')}` : ''}`;
}
