// Small helpers shared by the CoAP codec tests: bytes from hex text, and message builders.
import assert from 'node:assert/strict';
import type { Decoded, Malformed } from '../../../rig/engine/codec.js';
import type { CoapMessage, CoapOption, CoapType } from '../../../protocols/coap/coap-types.js';

/** Bytes from hex text with optional spaces: hex('42 01 12 34'). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  assert.equal(clean.length % 2, 0, `odd hex length: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

export function message(m: Partial<CoapMessage> & { type: CoapType; code: number }): CoapMessage {
  return { version: 1, mid: 0, token: new Uint8Array(0), options: [], payload: new Uint8Array(0), ...m };
}

export const opt = (number: number, value: Uint8Array | string): CoapOption => ({ number, value: typeof value === 'string' ? ascii(value) : value });

/** Assert a malformed result with exactly this offset and rule. */
export function assertMalformed<T>(r: Decoded<T>, offset: number, rule: string | RegExp): Malformed {
  assert.equal(r.kind, 'malformed', `expected malformed, got ${JSON.stringify(r.kind)}`);
  const m = r as Malformed;
  if (typeof rule === 'string') assert.equal(m.rule, rule);
  else assert.match(m.rule, rule);
  assert.equal(m.offset, offset, `offset for: ${m.rule}`);
  return m;
}

export function assertOk<T>(r: Decoded<T>): { value: T; consumed: number } {
  if (r.kind !== 'ok') assert.fail(`expected ok, got ${JSON.stringify(r)}`);
  return r;
}

/** Field-by-field equality of two messages, bytes compared by content. */
export function sameMessage(a: CoapMessage, b: CoapMessage): boolean {
  if (a.version !== b.version || a.type !== b.type || a.code !== b.code || a.mid !== b.mid) return false;
  if (!sameBytes(a.token, b.token) || !sameBytes(a.payload, b.payload) || a.options.length !== b.options.length) return false;
  for (let i = 0; i < a.options.length; i++) {
    if (a.options[i]!.number !== b.options[i]!.number || !sameBytes(a.options[i]!.value, b.options[i]!.value)) return false;
  }
  return true;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
