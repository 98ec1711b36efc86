// RFC 7252 §4.5: a duplicate CON (same Message ID, within EXCHANGE_LIFETIME) SHOULD be answered
// with the same ACK and its request processed only once. The request is a POST /test sent as raw
// bytes, twice; the plugtest board's POST /test answers "POST n processed", so a second
// processing shows as a higher count, in the answer to the duplicate or in that to a fresh POST
// afterwards (a board that answers the duplicate from its cache yet runs the request again).
// Without such a counter only the answers can be compared, and a byte-identical pair cannot
// tell whether the board processed the copy: inconclusive.
import { serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { CoapCode, isSuccess } from '../../../protocols/coap/coap-codes.js';
import { buildRequest } from '../../../protocols/coap/coap-request.js';
import type { CoapMessage } from '../../../protocols/coap/coap-types.js';
import { inconclusive, RuleViolation } from '../../../rig/runner/verdicts.js';
import { confirmable } from './confirmable.js';
import { judgeFirst, relatedTo } from './first-answer.js';
import { ackWindowMs, type Link, nextArrival } from './link.js';
import { unanswered } from './liveness.js';
import { bytesText, codeText, freshToken, hexBytes, messageText, requestText } from './text.js';

const RULE = 'RFC 7252 §4.5';
const text = (m: CoapMessage): string => new TextDecoder().decode(m.payload);
const count = (m: CoapMessage): number | undefined => {
  const n = /POST (\d+) processed/.exec(text(m))?.[1];
  return n === undefined ? undefined : Number(n);
};
/** A received message as it was on the wire (the codec is the exact inverse of parse). */
const wire = (m: CoapMessage): Uint8Array => serializeCoap(m).slice();

/** Send `bytes` once and return the board's piggybacked answer to it. */
async function once(l: Link, request: CoapMessage, bytes: Uint8Array, what: string): Promise<CoapMessage> {
  const arrival = nextArrival(l, relatedTo(request.token), ackWindowMs(l));
  l.c.sendRaw(bytes);
  const e = await arrival;
  if (!e) return unanswered(l, what === 'the request' ? 'RFC 7252 §4.2' : RULE, `${what}, ${requestText(request)}, got no answer within ${ackWindowMs(l)} ms`);
  const f = judgeFirst(request, e);
  if (f.kind !== 'piggybacked') {
    inconclusive(`the board answered ${what} (${requestText(request)}) with ${messageText(f.msg)}, not a piggybacked response; this test compares piggybacked answers`);
  }
  return f.msg;
}

export async function duplicateCon(l: Link): Promise<void> {
  const request = buildRequest({ method: 'POST', path: '/test', payload: 'hilrig duplicate check', contentFormat: 0 }, l.c.ep.ml.nextMid(), freshToken());
  const bytes = serializeCoap(request).slice();
  const req = requestText(request);
  const a = await once(l, request, bytes, 'the request');
  const b = await once(l, request, bytes, 'its duplicate');
  const same = Buffer.compare(Buffer.from(wire(a)), Buffer.from(wire(b))) === 0;
  const shown = `first ${messageText(a)} "${text(a)}" (${bytesText(wire(a))}), then ${messageText(b)} "${text(b)}" (${bytesText(wire(b))})`;
  const n1 = isSuccess(a.code) ? count(a) : undefined;
  const n2 = count(b);
  if (n1 !== undefined && n2 !== undefined && n2 !== n1) throw new RuleViolation(RULE, `the duplicate of ${req} was processed a second time: ${shown}`);
  if (!same) throw new RuleViolation(RULE, `the duplicate of ${req} was not answered with the same ACK: ${shown}`);
  if (a.code === CoapCode.NOT_FOUND || a.code === CoapCode.METHOD_NOT_ALLOWED) {
    inconclusive(`the board has no POST /test (answered ${codeText(a.code)}); the duplicate got the same ACK (${hexBytes(wire(a))}), but whether it was processed twice cannot be told`);
  }
  if (n1 === undefined) {
    inconclusive(`the duplicate of ${req} got the same ACK, but the answer ("${text(a)}") shows no processing count, so whether it was processed twice cannot be told`);
  }
  // answered from a cache is not enough: the request must not have run again either
  const fresh = await confirmable(l, { method: 'POST', path: '/test', payload: 'hilrig duplicate check, fresh', contentFormat: 0 });
  const n3 = count(fresh.response);
  if (n3 !== undefined && n3 > n1 + 1) {
    throw new RuleViolation(RULE, `the duplicate of ${req} was answered from the cache ("${text(a)}") but processed again: the next POST reports "${text(fresh.response)}", not POST ${n1 + 1}`);
  }
}
