// What a caller asks for, turned into a CoAP request message: method, path and query split into
// Uri-Path and Uri-Query options (RFC 7252 §6.4), payload and content format, extra options.
import { CoapCode } from './coap-codes.js';
import { CoapOptionNumber, optionValue, type OptionValueInput } from './coap-options.js';
import { type CoapMessage, type CoapOption, CoapType, COAP_VERSION } from './coap-types.js';

export type CoapMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'PATCH' | 'iPATCH';

const METHOD_CODES: Record<CoapMethod, number> = {
  GET: CoapCode.GET,
  POST: CoapCode.POST,
  PUT: CoapCode.PUT,
  DELETE: CoapCode.DELETE,
  FETCH: CoapCode.FETCH,
  PATCH: CoapCode.PATCH,
  iPATCH: CoapCode.IPATCH,
};

export interface CoapRequestSpec {
  /** a method name, or a raw code (negative tests send unknown methods) */
  method: CoapMethod | number;
  /** '/seg1/seg2' (percent-encoded segments are decoded); '' or '/' is the root */
  path?: string;
  /** 'a=1&b=2' or ['a=1', 'b=2'] */
  query?: string | readonly string[];
  payload?: Uint8Array | string;
  contentFormat?: number;
  accept?: number;
  /** further options, in any order */
  options?: readonly { number: number; value: OptionValueInput }[];
  /** CON (default) or NON */
  confirmable?: boolean;
  /** a token of our choosing (0-8 bytes); by default a fresh random one */
  token?: Uint8Array;
  /** how long to wait for the response after the request was acknowledged or sent as NON */
  timeoutMs?: number;
}

const utf8 = new TextEncoder();

export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

export function querySegments(query: string | readonly string[] | undefined): string[] {
  if (query === undefined) return [];
  if (typeof query !== 'string') return [...query];
  return query
    .replace(/^\?/, '')
    .split('&')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

/** Build the request message (MID and token are filled in by the endpoint). */
export function buildRequest(spec: CoapRequestSpec, mid: number, token: Uint8Array): CoapMessage {
  const code = typeof spec.method === 'number' ? spec.method : METHOD_CODES[spec.method];
  if (code === undefined) throw new TypeError(`unknown CoAP method "${String(spec.method)}"; expected one of ${Object.keys(METHOD_CODES).join(', ')}`);
  const options: CoapOption[] = [];
  for (const seg of pathSegments(spec.path ?? '')) options.push({ number: CoapOptionNumber.URI_PATH, value: utf8.encode(seg) });
  for (const q of querySegments(spec.query)) options.push({ number: CoapOptionNumber.URI_QUERY, value: utf8.encode(q) });
  if (spec.contentFormat !== undefined) options.push({ number: CoapOptionNumber.CONTENT_FORMAT, value: optionValue(spec.contentFormat) });
  if (spec.accept !== undefined) options.push({ number: CoapOptionNumber.ACCEPT, value: optionValue(spec.accept) });
  for (const o of spec.options ?? []) options.push({ number: o.number, value: optionValue(o.value) });
  // stable: Uri-Path segments keep their order among themselves
  options.sort((a, b) => a.number - b.number);
  const payload = typeof spec.payload === 'string' ? utf8.encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  return { version: COAP_VERSION, type: spec.confirmable === false ? CoapType.NON : CoapType.CON, code, mid, token, options, payload };
}
