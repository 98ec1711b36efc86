// CoAP over UDP, the message layer of RFC 7252 §3: bytes ↔ CoapMessage. Pure and synchronous.
//
// parseCoap is strict where §3 and §4.1 say "message format error", and nowhere else: option
// values are not judged here (see checkOptionFormats), codes are not judged here (a reserved
// class is the handler's business), so that a conformance suite sees every message a board
// sends. A datagram is complete by definition, so parse answers ok or malformed, never
// incomplete; every malformed result carries the byte offset and the rule with its section. The
// offset is the byte that declares what is wrong: 0 for the version and token length fields, the
// option's first byte for any option error, the payload marker, byte 4 for an Empty message with
// bytes after its header, and the length itself for a datagram shorter than the header.
//
// The parsed message VIEWS THE INPUT: token, option values and payload are Uint8Array views of
// the memory of `bytes` (plain Uint8Arrays even when `bytes` is a Buffer; zero-length fields
// share one empty array). Copy what must outlive the receive buffer. This is what keeps parse
// fast: one object per option and nothing else.
//
// serializeCoap writes exactly what it is given (a test may need to send a message the RFC
// forbids, such as a token length of 9, an Empty message with a payload, a non-minimal uint);
// it throws a RangeError only for a field the wire format cannot hold. Its result is a view
// into a shared slab (byte-slab.ts): .slice() it before transferring its ArrayBuffer.

import { type Decoded, malformed, ok } from '../../rig/engine/codec.js';
import { takeBytes } from './byte-slab.js';
import { type CoapMessage, type CoapOption, type CoapType, CoapType as T, emptyMessage } from './coap-types.js';

// Other protocols may use CoAP only through this file (lint: protocols/X imports protocols/Y's
// codec files only), and slipmux, for one, carries CoAP messages: give them the types too.
export { type CoapMessage, type CoapOption, CoapType, COAP_TYPE_NAMES, emptyMessage } from './coap-types.js';

const EMPTY: Uint8Array = new Uint8Array(0);
const MARKER = 0xff;
/** The largest option delta or value length the 4-bit field plus 16-bit extension can hold. */
const MAX_EXTENDED = 0xffff + 269;

/** The fixed 4-byte header, readable even when the rest of the message is malformed. */
export interface CoapHeader {
  version: number;
  type: CoapType;
  tokenLength: number;
  code: number;
  mid: number;
}

/**
 * The header fields, or undefined when there are fewer than 4 bytes. A malformed CON must be
 * rejected with a Reset echoing its MID (RFC 7252 §4.2), and this is where the MID comes from.
 * It reports any version: a message with a version other than 1 is silently ignored (§3).
 */
export function peekHeader(bytes: Uint8Array): CoapHeader | undefined {
  if (bytes.length < 4) return undefined;
  const b0 = bytes[0]!;
  return { version: b0 >> 6, type: ((b0 >> 4) & 3) as CoapType, tokenLength: b0 & 15, code: bytes[1]!, mid: (bytes[2]! << 8) | bytes[3]! };
}

/**
 * The Reset that rejects a message parse found malformed (RFC 7252 §4.2: MUST for a CON; §4.3:
 * MAY for a NON, the caller decides), or undefined when there is nobody to answer: no readable
 * header, an unknown version (silently ignored, §3), or an ACK or RST (rejected by ignoring it).
 */
export function resetFor(bytes: Uint8Array): CoapMessage | undefined {
  const h = peekHeader(bytes);
  if (!h || h.version !== 1 || h.type === T.ACK || h.type === T.RST) return undefined;
  return emptyMessage(T.RST, h.mid);
}

/** Parse one datagram. On ok, `consumed` is always bytes.length. */
export function parseCoap(bytes: Uint8Array): Decoded<CoapMessage> {
  const len = bytes.length;
  if (len < 4) return malformed(len, `RFC 7252 §3: a message starts with a 4-byte header; got ${len} bytes`);
  const b0 = bytes[0]!;
  const version = b0 >> 6;
  if (version !== 1) return malformed(0, `RFC 7252 §3: unknown version ${version}; must be silently ignored`);
  const tkl = b0 & 15;
  if (tkl > 8) return malformed(0, `RFC 7252 §3: token length ${tkl} is reserved (9-15); message format error`);
  const code = bytes[1]!;
  if (code === 0) {
    if (tkl !== 0) return malformed(0, `RFC 7252 §4.1: an Empty message (0.00) must have token length 0, got ${tkl}; message format error`);
    if (len > 4) return malformed(4, `RFC 7252 §4.1: an Empty message (0.00) must have no bytes after the Message ID, got ${len - 4}; message format error`);
  }
  let pos = 4 + tkl;
  if (pos > len) return malformed(0, `RFC 7252 §3: token length ${tkl} runs past the end of the ${len}-byte message`);
  // views made with the constructor: subarray() looks up Symbol.species (a Buffer makes a
  // Buffer) and costs two to three times as much, once per option
  const ab = bytes.buffer;
  const base = bytes.byteOffset;
  const token = tkl === 0 ? EMPTY : new Uint8Array(ab, base + 4, tkl);
  const options: CoapOption[] = [];
  let payload = EMPTY;
  let number = 0;
  while (pos < len) {
    // every option error points at the option's first byte, the one that declares the rest
    const start = pos;
    const b = bytes[pos++]!;
    if (b === MARKER) {
      if (pos === len) return malformed(start, 'RFC 7252 §3: payload marker followed by a zero-length payload; message format error');
      payload = new Uint8Array(ab, base + pos, len - pos);
      break;
    }
    let delta = b >> 4;
    let size = b & 15;
    if (delta >= 13) {
      if (delta === 13) {
        if (pos >= len) return malformed(start, 'RFC 7252 §3.1: option delta 13 needs 1 extended byte, the message ends first');
        delta = bytes[pos++]! + 13;
      } else if (delta === 14) {
        if (pos + 1 >= len) return malformed(start, 'RFC 7252 §3.1: option delta 14 needs 2 extended bytes, the message ends first');
        delta = ((bytes[pos]! << 8) | bytes[pos + 1]!) + 269;
        pos += 2;
      } else {
        return malformed(start, `RFC 7252 §3.1: option delta 15 is reserved for the payload marker, and byte 0x${b.toString(16)} is not 0xff; message format error`);
      }
    }
    if (size >= 13) {
      if (size === 13) {
        if (pos >= len) return malformed(start, 'RFC 7252 §3.1: option length 13 needs 1 extended byte, the message ends first');
        size = bytes[pos++]! + 13;
      } else if (size === 14) {
        if (pos + 1 >= len) return malformed(start, 'RFC 7252 §3.1: option length 14 needs 2 extended bytes, the message ends first');
        size = ((bytes[pos]! << 8) | bytes[pos + 1]!) + 269;
        pos += 2;
      } else {
        return malformed(start, 'RFC 7252 §3.1: option length 15 is reserved; message format error');
      }
    }
    number += delta;
    if (number > 0xffff) return malformed(start, `RFC 7252 §3.1: option number ${number} exceeds 65535, the largest option number (§12.2)`);
    const end = pos + size;
    if (end > len) return malformed(start, `RFC 7252 §3.1: option ${number} value of ${size} bytes runs past the end of the message by ${end - len}`);
    options.push({ number, value: size === 0 ? EMPTY : new Uint8Array(ab, base + pos, size) });
    pos = end;
  }
  return ok({ version, type: ((b0 >> 4) & 3) as CoapType, code, mid: (bytes[2]! << 8) | bytes[3]!, token, options, payload }, len);
}

const extBytes = (n: number): number => (n < 13 ? 0 : n < 269 ? 1 : 2);

function field(name: string, v: number, max: number): void {
  if (!(v >= 0 && v <= max && Number.isInteger(v))) throw new RangeError(`CoAP ${name} must be an integer in 0..${max}, got ${v}`);
}

function sortedOptions(options: CoapOption[]): CoapOption[] {
  for (let i = 1; i < options.length; i++) {
    // Array.prototype.sort is stable, so repeated options keep their relative order
    if (options[i]!.number < options[i - 1]!.number) return options.slice().sort((a, b) => a.number - b.number);
  }
  return options;
}

/**
 * The datagram for a message: the exact inverse of parseCoap for every message parse accepts.
 * Options are written in a stable sort by number; values, token and payload are written as given
 * (uint minimal encoding is the caller's business). No payload marker when the payload is empty.
 * The bytes are a view that shares its ArrayBuffer with other results (see byte-slab.ts).
 */
export function serializeCoap(msg: CoapMessage): Uint8Array {
  const { token, payload } = msg;
  field('version', msg.version, 3);
  field('type', msg.type, 3);
  field('token length', token.length, 15);
  field('code', msg.code, 0xff);
  field('message ID', msg.mid, 0xffff);
  const options = sortedOptions(msg.options);
  let size = 4 + token.length;
  let prev = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    const n = o.number;
    const l = o.value.length;
    if (!(n >= 0 && n <= 0xffff && Number.isInteger(n))) throw new RangeError(`CoAP option number must be an integer in 0..65535, got ${n}`);
    if (l > MAX_EXTENDED) throw new RangeError(`CoAP option ${n} value of ${l} bytes exceeds ${MAX_EXTENDED}`);
    size += 1 + extBytes(n - prev) + extBytes(l) + l;
    prev = n;
  }
  if (payload.length > 0) size += 1 + payload.length;

  const out = takeBytes(size);
  out[0] = (msg.version << 6) | (msg.type << 4) | token.length;
  out[1] = msg.code;
  out[2] = msg.mid >> 8;
  out[3] = msg.mid & 0xff;
  let pos = 4;
  pos = copy(out, pos, token);
  prev = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    const delta = o.number - prev;
    const l = o.value.length;
    prev = o.number;
    const head = pos++;
    let d: number;
    if (delta < 13) d = delta;
    else if (delta < 269) {
      d = 13;
      out[pos++] = delta - 13;
    } else {
      d = 14;
      out[pos++] = (delta - 269) >> 8;
      out[pos++] = (delta - 269) & 0xff;
    }
    let s: number;
    if (l < 13) s = l;
    else if (l < 269) {
      s = 13;
      out[pos++] = l - 13;
    } else {
      s = 14;
      out[pos++] = (l - 269) >> 8;
      out[pos++] = (l - 269) & 0xff;
    }
    out[head] = (d << 4) | s;
    pos = copy(out, pos, o.value);
  }
  if (payload.length > 0) {
    out[pos++] = MARKER;
    out.set(payload, pos);
  }
  return out;
}

/** Short fields (tokens, most option values) copy faster by hand than through set(). */
function copy(out: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 16) out.set(src, pos);
  else for (let i = 0; i < n; i++) out[pos + i] = src[i]!;
  return pos + n;
}
