// The URIs `hilrig coap` takes: `coap://HOST[:PORT]/path?query` (RFC 7252 §6.1) and
// `coap+serial:///dev/ttyACM0/path?baud=115200&query`: the device is the longest leading part of
// the path that exists, serial settings (baud, dataBits, parity, stopBits, flow, mode) go to the
// line and every other query item is a Uri-Query of the request.
import { statSync } from 'node:fs';

export interface CoapTarget {
  /** what connectCoap opens: `coap://host:port` or `coap+serial:///dev/ttyX?baud=N` */
  link: string;
  path: string;
  query: string[];
}

const SERIAL_KEYS = new Set(['baud', 'dataBits', 'parity', 'stopBits', 'flow', 'mode']);

export function parseCoapUri(uri: string, exists: (p: string) => boolean = defaultExists): CoapTarget {
  const m = /^(coap|coap\+udp|coap\+serial):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/i.exec(uri);
  if (!m) throw new TypeError(`"${uri}" is not a CoAP URI: expected coap://HOST[:PORT]/PATH[?QUERY] or coap+serial:///dev/ttyX/PATH?baud=N`);
  const [, scheme, authority, rawPath, rawQuery] = m;
  const items = (rawQuery ?? '').split('&').filter((q) => q !== '');
  if (scheme!.toLowerCase() !== 'coap+serial') {
    if (authority === '') throw new TypeError(`"${uri}": the host is missing (coap://HOST[:PORT]/PATH)`);
    return { link: `coap://${authority}`, path: rawPath || '/', query: items.map(decodeURIComponent) };
  }
  if (authority !== '') throw new TypeError(`"${uri}": a serial URI has no host: coap+serial:///dev/ttyX/PATH (three slashes)`);
  const segments = rawPath!.split('/');
  for (let n = segments.length; n > 1; n--) {
    const device = segments.slice(0, n).join('/');
    if (!exists(device)) continue;
    const line = items.filter((q) => SERIAL_KEYS.has(q.split('=')[0]!));
    const query = items.filter((q) => !SERIAL_KEYS.has(q.split('=')[0]!)).map(decodeURIComponent);
    const path = `/${segments.slice(n).join('/')}`;
    return { link: `coap+serial://${device}${line.length > 0 ? `?${line.join('&')}` : ''}`, path, query };
  }
  throw new TypeError(`"${uri}": no serial device found along ${rawPath}; is the board plugged in? (hilrig ports lists ports)`);
}

function defaultExists(p: string): boolean {
  try {
    const st = statSync(p);
    return st.isCharacterDevice() || st.isFile();
  } catch {
    return false;
  }
}
