// How the RFC suite writes values into verdicts: Message IDs and tokens in hex, codes as "2.05
// Content", a request as "CON GET /test (MID 0x1a2b, token 0x0a0b0c0d)", so a failure message
// shows the exchange without the reader decoding bytes.
import { describeCode } from '../../../protocols/coap/coap-codes.js';
import { uriPath } from '../../../protocols/coap/coap-options.js';
import { COAP_TYPE_NAMES, type CoapMessage } from '../../../protocols/coap/coap-types.js';

export const hexBytes = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** 0x1a2b */
export const midText = (mid: number): string => `0x${mid.toString(16).padStart(4, '0')}`;

/** 0x0a0b0c0d, or (empty) for the zero-length token */
export const tokenText = (t: Uint8Array): string => (t.length === 0 ? '(empty)' : `0x${hexBytes(t)}`);

/** 2.05 Content; 0.00 Empty */
export const codeText = (code: number): string => (code === 0 ? '0.00 Empty' : describeCode(code));

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** CON GET /test (MID 0x1a2b, token 0x0a0b) */
export function requestText(m: CoapMessage): string {
  const path = `/${uriPath(m).join('/')}`;
  return `${COAP_TYPE_NAMES[m.type]} ${codeText(m.code)} ${path} (MID ${midText(m.mid)}, token ${tokenText(m.token)})`;
}

/** ACK 2.05 Content (MID 0x1a2b, token 0x0a0b) */
export function messageText(m: CoapMessage): string {
  const token = m.code === 0 && m.token.length === 0 ? '' : `, token ${tokenText(m.token)}`;
  return `${COAP_TYPE_NAMES[m.type]} ${codeText(m.code)} (MID ${midText(m.mid)}${token})`;
}

/** Datagram bytes for a message, shortened for a verdict line. */
export function bytesText(b: Uint8Array, max = 48): string {
  const h = hexBytes(b.length > max ? b.subarray(0, max) : b);
  return b.length > max ? `${h}... (${b.length} bytes)` : h;
}

/** "RFC 7252 §3.1" from a parser's rule text "RFC 7252 §3.1: option delta 15 ..." */
export function ruleOf(text: string, fallback = 'RFC 7252 §3'): string {
  return /RFC \d+ §[\d.]+/.exec(text)?.[0] ?? fallback;
}

/** A fresh 4-byte token for a request whose answer the test must recognise. */
export function freshToken(): Uint8Array {
  return Uint8Array.from({ length: 4 }, () => Math.floor(Math.random() * 256));
}
