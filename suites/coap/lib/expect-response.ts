// The checks the test descriptions repeat on a response: its code (a 4.04 or 4.05 on the resource
// under test means the board lacks it: inconclusive, never fail), a Content-Format when there is
// a payload, a non-empty payload where the resource is specified to have content.
import { CoapCode, describeCode } from '../../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../../protocols/coap/coap-describe.js';
import { contentFormat } from '../../../protocols/coap/coap-options.js';
import { describeContentFormat } from '../../../protocols/coap/content-formats.js';
import type { CoapMessage } from '../../../protocols/coap/coap-types.js';
import { check, inconclusive } from '../../../rig/runner/verdicts.js';

const utf8 = new TextDecoder();
export const text = (b: Uint8Array): string => utf8.decode(b);
export const hex = (b: Uint8Array | undefined): string => (b && b.length > 0 ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') : '(empty)');

/** What the request was, for messages: 'PUT /test'. */
export type Target = string;

/**
 * The response code must be one of `codes`; 4.04 Not Found and 4.05 Method Not Allowed on
 * `target` make the test inconclusive (the board does not offer what the test needs).
 */
export function expectCode(msg: CoapMessage, codes: readonly number[], rule: string, target: Target): void {
  if (!codes.includes(msg.code) && (msg.code === CoapCode.NOT_FOUND || msg.code === CoapCode.METHOD_NOT_ALLOWED)) {
    inconclusive(`the board answered ${target} with ${describeCode(msg.code)}: it does not offer what this test needs`);
  }
  const want = codes.map(describeCode).join(' or ');
  check(codes.includes(msg.code), rule, `${target} was answered ${describeCode(msg.code)}, expected ${want} (${describeMessage(msg)})`);
}

/** A non-empty payload carries a Content-Format option (the plugtest's "Content-format option"). */
export function expectContentFormatIfPayload(msg: CoapMessage, rule: string, target: Target): void {
  if (msg.payload.length === 0) return;
  check(contentFormat(msg) !== undefined, rule, `the ${describeCode(msg.code)} to ${target} carries a ${msg.payload.length}-byte payload but no Content-Format option`);
}

/**
 * A payload, with its Content-Format. The test descriptions presume the resource has content;
 * one that has none leaves nothing to judge (inconclusive), its missing Content-Format fails.
 */
export function expectContent(msg: CoapMessage, rule: string, target: Target): void {
  if (msg.payload.length === 0) inconclusive(`the ${describeCode(msg.code)} to ${target} has no payload; the test description needs a resource with content`);
  expectContentFormatIfPayload(msg, rule, target);
}

/** The Content-Format must be `want` (undefined: no Content-Format option). */
export function expectContentFormat(msg: CoapMessage, want: number | undefined, rule: string, target: Target): void {
  const cf = contentFormat(msg);
  const show = (v: number | undefined): string => (v === undefined ? '(none)' : describeContentFormat(v));
  check(cf === want, rule, `the ${describeCode(msg.code)} to ${target} has Content-Format ${show(cf)}, expected ${show(want)}`);
}

export function expectEmptyPayload(msg: CoapMessage, rule: string, target: Target): void {
  check(msg.payload.length === 0, rule, `the ${describeCode(msg.code)} to ${target} carries a ${msg.payload.length}-byte payload ("${text(msg.payload).slice(0, 40)}"), expected none`);
}

/** A fresh payload text for an update, different from anything the board held before. */
export function freshText(what: string): string {
  return `${what} ${Math.random().toString(36).slice(2, 10)}`;
}
