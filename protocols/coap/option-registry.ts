// The option registry: every registered option (RFC 7252 §5.10 and the RFCs that extend it) with
// its format and length bounds, and the uint value codec. Unknown numbers are legal on the wire:
// what a receiver must do with one follows from the number's bits alone (RFC 7252 §5.4.6), so
// isCritical/isUnsafe/isNoCacheKey need no table.

/** Value formats of RFC 7252 §3.2. */
export type OptionFormat = 'empty' | 'opaque' | 'uint' | 'string';

export interface OptionDef {
  number: number;
  name: string;
  format: OptionFormat;
  /** value length bounds in bytes, inclusive */
  minLength: number;
  maxLength: number;
  repeatable: boolean;
  /** where the option is defined, for verdicts */
  source: string;
}

/** Registered option numbers by a constant name. */
export const CoapOptionNumber = {
  IF_MATCH: 1,
  URI_HOST: 3,
  ETAG: 4,
  IF_NONE_MATCH: 5,
  OBSERVE: 6,
  URI_PORT: 7,
  LOCATION_PATH: 8,
  OSCORE: 9,
  URI_PATH: 11,
  CONTENT_FORMAT: 12,
  MAX_AGE: 14,
  URI_QUERY: 15,
  HOP_LIMIT: 16,
  ACCEPT: 17,
  Q_BLOCK1: 19,
  LOCATION_QUERY: 20,
  BLOCK2: 23,
  BLOCK1: 27,
  SIZE2: 28,
  Q_BLOCK2: 31,
  PROXY_URI: 35,
  PROXY_SCHEME: 39,
  SIZE1: 60,
  ECHO: 252,
  NO_RESPONSE: 258,
  REQUEST_TAG: 292,
} as const;

const def = (number: number, name: string, format: OptionFormat, minLength: number, maxLength: number, repeatable: boolean, source: string): OptionDef => ({
  number,
  name,
  format,
  minLength,
  maxLength,
  repeatable,
  source,
});

const R = true;
const N = false;

/** The registry: number → definition. */
export const OPTION_DEFS: ReadonlyMap<number, OptionDef> = new Map(
  [
    def(1, 'If-Match', 'opaque', 0, 8, R, 'RFC 7252 §5.10.8.1'),
    def(3, 'Uri-Host', 'string', 1, 255, N, 'RFC 7252 §5.10.1'),
    def(4, 'ETag', 'opaque', 1, 8, R, 'RFC 7252 §5.10.6'),
    def(5, 'If-None-Match', 'empty', 0, 0, N, 'RFC 7252 §5.10.8.2'),
    def(6, 'Observe', 'uint', 0, 3, N, 'RFC 7641 §2'),
    def(7, 'Uri-Port', 'uint', 0, 2, N, 'RFC 7252 §5.10.1'),
    def(8, 'Location-Path', 'string', 0, 255, R, 'RFC 7252 §5.10.7'),
    def(9, 'OSCORE', 'opaque', 0, 255, N, 'RFC 8613 §2'),
    def(11, 'Uri-Path', 'string', 0, 255, R, 'RFC 7252 §5.10.1'),
    def(12, 'Content-Format', 'uint', 0, 2, N, 'RFC 7252 §5.10.3'),
    def(14, 'Max-Age', 'uint', 0, 4, N, 'RFC 7252 §5.10.5'),
    def(15, 'Uri-Query', 'string', 0, 255, R, 'RFC 7252 §5.10.1'),
    def(16, 'Hop-Limit', 'uint', 1, 1, N, 'RFC 8768 §3'),
    def(17, 'Accept', 'uint', 0, 2, N, 'RFC 7252 §5.10.4'),
    def(19, 'Q-Block1', 'uint', 0, 3, N, 'RFC 9177 §4'),
    def(20, 'Location-Query', 'string', 0, 255, R, 'RFC 7252 §5.10.7'),
    def(23, 'Block2', 'uint', 0, 3, N, 'RFC 7959 §2.1'),
    def(27, 'Block1', 'uint', 0, 3, N, 'RFC 7959 §2.1'),
    def(28, 'Size2', 'uint', 0, 4, N, 'RFC 7959 §4'),
    def(31, 'Q-Block2', 'uint', 0, 3, R, 'RFC 9177 §4'),
    def(35, 'Proxy-Uri', 'string', 1, 1034, N, 'RFC 7252 §5.10.2'),
    def(39, 'Proxy-Scheme', 'string', 1, 255, N, 'RFC 7252 §5.10.2'),
    def(60, 'Size1', 'uint', 0, 4, N, 'RFC 7252 §5.10.9'),
    def(252, 'Echo', 'opaque', 1, 40, N, 'RFC 9175 §2.2.1'),
    def(258, 'No-Response', 'uint', 0, 1, N, 'RFC 7967 §2'),
    def(292, 'Request-Tag', 'opaque', 0, 8, R, 'RFC 9175 §3.2.1'),
  ].map((d) => [d.number, d]),
);

export const optionDef = (n: number): OptionDef | undefined => OPTION_DEFS.get(n);
/** 'Uri-Path' for 11; 'Option-65000' for an unregistered number. */
export const optionName = (n: number): string => OPTION_DEFS.get(n)?.name ?? `Option-${n}`;

// RFC 7252 §5.4.6: the option number's low bits say how an endpoint that does not know the
// option must treat it.
/** Odd numbers are critical: an unrecognized critical option makes a request fail with 4.02. */
export const isCritical = (n: number): boolean => (n & 1) === 1;
export const isElective = (n: number): boolean => (n & 1) === 0;
/** Bit 1 set: a proxy that does not know the option must not forward it. */
export const isUnsafe = (n: number): boolean => (n & 2) === 2;
/** Safe-to-forward options whose bits 2-4 are all 1 are not part of the cache key. */
export const isNoCacheKey = (n: number): boolean => (n & 0x1e) === 0x1c;

/** Minimal big-endian bytes of a uint (RFC 7252 §3.2): 0 is zero bytes, at most 4 bytes. */
export function encodeUint(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`uint option value must be an integer in 0..2^32-1, got ${n}`);
  if (n === 0) return new Uint8Array(0);
  if (n < 0x100) return Uint8Array.of(n);
  if (n < 0x10000) return Uint8Array.of(n >>> 8, n & 0xff);
  if (n < 0x1000000) return Uint8Array.of(n >>> 16, (n >>> 8) & 0xff, n & 0xff);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/**
 * A uint from its bytes. Leading zero bytes are accepted, as a recipient must (RFC 7252 §3.2).
 * Exact up to 6 bytes (2^48); longer values are beyond any registered uint option.
 */
export function decodeUint(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n = n * 256 + bytes[i]!;
  return n;
}
