// What every codec returns. Codecs are pure functions over bytes and never throw on bad input:
// they say ok (with how many bytes they used), incomplete (a stream needs more bytes; on a
// datagram transport the caller treats it as malformed), or malformed (where and which rule).

export type Decoded<T> =
  | { kind: 'ok'; value: T; consumed: number }
  | { kind: 'incomplete'; /** at least this many more bytes, when known */ needed?: number }
  | Malformed;

export interface Malformed {
  kind: 'malformed';
  /** byte offset of the offending byte in the input */
  offset: number;
  /** the rule broken, citing its source: 'RFC 7252 §3.1: option delta 15 is reserved' */
  rule: string;
  /** bytes to skip to resynchronise a stream, when the codec knows (framed protocols) */
  skip?: number;
}

export const ok = <T>(value: T, consumed: number): Decoded<T> => ({ kind: 'ok', value, consumed });
export const incomplete = (needed?: number): Decoded<never> => (needed === undefined ? { kind: 'incomplete' } : { kind: 'incomplete', needed });
export const malformed = (offset: number, rule: string, skip?: number): Malformed =>
  skip === undefined ? { kind: 'malformed', offset, rule } : { kind: 'malformed', offset, rule, skip };
