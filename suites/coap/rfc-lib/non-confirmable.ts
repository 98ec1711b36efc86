// A NON request through the link's endpoint and the first answer to it (RFC 7252 §4.3, §5.2.3):
// a response (whose token must echo the request's, §5.3.2), a rejection (RST with the request's
// Message ID), or nothing within the window. What is right depends on the test; what is never
// right (an ACK of a NON, a malformed answer, a foreign token) fails here.
import { isResponse } from '../../../protocols/coap/coap-codes.js';
import type { CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';
import { malformedAnswer } from './first-answer.js';
import { type Link, nextArrival, sentEntry } from './link.js';
import { freshToken, messageText, requestText, sameBytes, tokenText } from './text.js';

export type NonOutcome =
  | { kind: 'response'; request: CoapMessage; response: CoapMessage }
  | { kind: 'reset'; request: CoapMessage; reset: CoapMessage }
  | { kind: 'silence'; request: CoapMessage; waitedMs: number };

export async function nonConfirmable(l: Link, spec: CoapRequestSpec, windowMs: number): Promise<NonOutcome> {
  const { c } = l;
  const token = spec.token ?? freshToken();
  let mid = -1;
  const firstP = nextArrival(l, (e) => !e.msg || ((e.msg.type === CoapType.ACK || e.msg.type === CoapType.RST) && e.msg.mid === mid) || isResponse(e.msg.code), windowMs);
  const done = c.ep.request({ ...spec, token, confirmable: false, timeoutMs: windowMs });
  done.catch(() => undefined);
  const sent = sentEntry(l, { token })?.msg;
  if (!sent) throw new Error(`the rig did not send the request for token ${tokenText(token)}`);
  mid = sent.mid;
  const req = requestText(sent);
  const e = await firstP;
  if (!e) {
    c.ep.cancel(token);
    return { kind: 'silence', request: sent, waitedMs: windowMs };
  }
  if (!e.msg) throw malformedAnswer(e, req);
  const m = e.msg;
  if (m.type === CoapType.ACK) throw new RuleViolation('RFC 7252 §4.3', `the board acknowledged ${req} with ${messageText(m)}: a NON is never acknowledged`);
  if (m.type === CoapType.RST) {
    c.ep.cancel(token);
    return { kind: 'reset', request: sent, reset: m };
  }
  if (!sameBytes(m.token, token)) {
    throw new RuleViolation('RFC 7252 §5.3.2', `the response ${messageText(m)} to ${req} carries token ${tokenText(m.token)}, not the request's ${tokenText(token)}`);
  }
  await done.catch(() => undefined);
  return { kind: 'response', request: sent, response: m };
}
