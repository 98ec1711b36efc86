// The option API over a message: the registry and value checks (re-exported), getters that read
// the common options, and builders that add options while keeping them in wire order.

import type { CoapMessage } from './coap-types.js';
import { CoapOptionNumber, decodeUint, encodeUint } from './option-registry.js';

export * from './option-registry.js';
export * from './option-check.js';

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Occurrences of an option in the message, in wire order. */
export function getOptions(msg: CoapMessage, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const o of msg.options) if (o.number === n) out.push(o.value);
  return out;
}

/** The first occurrence of an option, or undefined. */
export function getOption(msg: CoapMessage, n: number): Uint8Array | undefined {
  for (const o of msg.options) if (o.number === n) return o.value;
  return undefined;
}

export const hasOption = (msg: CoapMessage, n: number): boolean => msg.options.some((o) => o.number === n);

const strings = (msg: CoapMessage, n: number): string[] => getOptions(msg, n).map((v) => utf8.decode(v));
const uint = (msg: CoapMessage, n: number): number | undefined => {
  const v = getOption(msg, n);
  return v === undefined ? undefined : decodeUint(v);
};

/** Uri-Path segments, e.g. ['sensors', 'temp'] (decoded as UTF-8, invalid bytes become U+FFFD). */
export const uriPath = (msg: CoapMessage): string[] => strings(msg, CoapOptionNumber.URI_PATH);
export const uriQuery = (msg: CoapMessage): string[] => strings(msg, CoapOptionNumber.URI_QUERY);
export const locationPath = (msg: CoapMessage): string[] => strings(msg, CoapOptionNumber.LOCATION_PATH);
export const locationQuery = (msg: CoapMessage): string[] => strings(msg, CoapOptionNumber.LOCATION_QUERY);
export const uriHost = (msg: CoapMessage): string | undefined => strings(msg, CoapOptionNumber.URI_HOST)[0];
export const uriPort = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.URI_PORT);
export const contentFormat = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.CONTENT_FORMAT);
export const accept = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.ACCEPT);
/** Max-Age as sent; when absent the RFC's default applies (DEFAULT_MAX_AGE, §5.10.5). */
export const maxAge = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.MAX_AGE);
export const DEFAULT_MAX_AGE = 60;
/** Observe: 0 register / 1 deregister in a request, a 24-bit sequence number in a notification. */
export const observeValue = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.OBSERVE);
export const size1 = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.SIZE1);
export const size2 = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.SIZE2);
export const etags = (msg: CoapMessage): Uint8Array[] => getOptions(msg, CoapOptionNumber.ETAG);
export const noResponse = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.NO_RESPONSE);
export const hopLimit = (msg: CoapMessage): number | undefined => uint(msg, CoapOptionNumber.HOP_LIMIT);

/** What withOption accepts: raw bytes, a string (UTF-8), or a number (minimal uint). */
export type OptionValueInput = Uint8Array | string | number;

export function optionValue(v: OptionValueInput): Uint8Array {
  if (typeof v === 'string') return utf8Encoder.encode(v);
  if (typeof v === 'number') return encodeUint(v);
  return v;
}

/**
 * A copy of the message with one more option, placed after every option with a number <= n, so
 * the list stays sorted and a repeated option's occurrences stay in the order they were added.
 */
export function withOption(msg: CoapMessage, n: number, value: OptionValueInput): CoapMessage {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`option number must be an integer in 0..65535, got ${n}`);
  const options = msg.options.slice();
  let at = options.length;
  while (at > 0 && options[at - 1]!.number > n) at--;
  options.splice(at, 0, { number: n, value: optionValue(value) });
  return { ...msg, options };
}

/** A copy of the message without any occurrence of option n. */
export const withoutOption = (msg: CoapMessage, n: number): CoapMessage => ({ ...msg, options: msg.options.filter((o) => o.number !== n) });

/** A copy with option n replaced by the given values (one occurrence each), in order. */
export function withOptionValues(msg: CoapMessage, n: number, values: readonly OptionValueInput[]): CoapMessage {
  let out = withoutOption(msg, n);
  for (const v of values) out = withOption(out, n, v);
  return out;
}
