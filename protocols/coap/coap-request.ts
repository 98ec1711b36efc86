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
const EMPTY: Uint8Array = new Uint8Array(0);

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

/**
 * Uri-Path (or Uri-Query) options of the last path (query) string seen. A block-wise transfer
 * sends a thousand requests to one resource; splitting, percent-decoding and encoding its path
 * once instead of per block is a measurable part of the per-block cost. The option objects are
 * shared by the messages built from the same string, which is safe because no code writes into
 * a message's options (they are rebuilt, e.g. by withOption, never changed in place).
 */
class LastOptions {
  private key: string | undefined;
  private options: readonly CoapOption[] = [];
  constructor(
    private readonly number: number,
    private readonly split: (s: string) => string[],
  ) {}
  get(s: string): readonly CoapOption[] {
    if (s !== this.key) {
      // split first: a bad percent-encoding throws and leaves the cache as it was
      this.options = this.split(s).map((seg) => ({ number: this.number, value: utf8.encode(seg) }));
      this.key = s;
    }
    return this.options;
  }
}

const lastPath = new LastOptions(CoapOptionNumber.URI_PATH, pathSegments);
const lastQuery = new LastOptions(CoapOptionNumber.URI_QUERY, (q) => querySegments(q));

/** Build the request message (MID and token are filled in by the endpoint). */
export function buildRequest(spec: CoapRequestSpec, mid: number, token: Uint8Array): CoapMessage {
  const code = typeof spec.method === 'number' ? spec.method : METHOD_CODES[spec.method];
  if (code === undefined) throw new TypeError(`unknown CoAP method "${String(spec.method)}"; expected one of ${Object.keys(METHOD_CODES).join(', ')}`);
  const options: CoapOption[] = [];
  for (const o of lastPath.get(spec.path ?? '')) options.push(o);
  const query = spec.query;
  if (typeof query === 'string') {
    for (const o of lastQuery.get(query)) options.push(o);
  } else if (query !== undefined) {
    for (const q of querySegments(query)) options.push({ number: CoapOptionNumber.URI_QUERY, value: utf8.encode(q) });
  }
  if (spec.contentFormat !== undefined) options.push({ number: CoapOptionNumber.CONTENT_FORMAT, value: optionValue(spec.contentFormat) });
  if (spec.accept !== undefined) options.push({ number: CoapOptionNumber.ACCEPT, value: optionValue(spec.accept) });
  const extra = spec.options;
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) options.push({ number: extra[i]!.number, value: optionValue(extra[i]!.value) });
  // stable: Uri-Path segments keep their order among themselves (and a list already in order,
  // the usual case, is left as it is without the cost of a sort call)
  if (!inOrder(options)) options.sort((a, b) => a.number - b.number);
  const payload = typeof spec.payload === 'string' ? utf8.encode(spec.payload) : (spec.payload ?? EMPTY);
  return { version: COAP_VERSION, type: spec.confirmable === false ? CoapType.NON : CoapType.CON, code, mid, token, options, payload };
}

function inOrder(options: readonly CoapOption[]): boolean {
  for (let i = 1; i < options.length; i++) if (options[i]!.number < options[i - 1]!.number) return false;
  return true;
}
