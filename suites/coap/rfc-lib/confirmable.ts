// A CON request through the link's endpoint (which retransmits it and acknowledges a separate
// response), with the message-layer rules checked on whatever comes back first (first-answer.ts)
// and on the separate response that follows an empty ACK (§5.2.2, §5.3.2). Every CON request of
// the RFC suite goes through here, so every exchange gets these checks.
import type { CoapResponse } from '../../../protocols/coap/client-requests.js';
import { isResponse } from '../../../protocols/coap/coap-codes.js';
import type { CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';
import { judgeFirst, malformedAnswer, relatedTo } from './first-answer.js';
import { ackWindowMs, after, type Link, nextArrival, sentEntry, transmitWaitMs } from './link.js';
import { unanswered } from './liveness.js';
import { freshToken, messageText, midText, requestText, sameBytes, tokenText } from './text.js';

export { malformedAnswer } from './first-answer.js';

export interface Answer {
  /** the request as first transmitted */
  request: CoapMessage;
  response: CoapMessage;
  /** the response came in the ACK of the request */
  piggybacked: boolean;
  /** the endpoint's view (for the block-wise helpers that go on from here) */
  res: CoapResponse;
}

export interface ConOptions {
  /** how long a separate response may take after the empty ACK (default MAX_TRANSMIT_WAIT) */
  separateWithinMs?: number;
}

/** Send a CON request and return its response once the message-layer rules hold. */
export async function confirmable(l: Link, spec: CoapRequestSpec, o: ConOptions = {}): Promise<Answer> {
  const { c } = l;
  const token = spec.token ?? freshToken();
  const firstP = nextArrival(l, relatedTo(token), transmitWaitMs(l));
  const within = o.separateWithinMs ?? spec.timeoutMs ?? transmitWaitMs(l);
  const done = c.ep.request({ ...spec, token, confirmable: true, timeoutMs: within });
  done.catch(() => undefined);
  const sent = sentEntry(l, { token })?.msg;
  if (!sent) throw new Error(`the rig did not send the request for token ${tokenText(token)} (another request still outstanding?)`);
  const req = requestText(sent);

  const first = await firstP;
  if (!first) {
    c.ep.cancel(token);
    return unanswered(l, 'RFC 7252 §4.2', `${req} got neither an ACK nor a response within MAX_TRANSMIT_WAIT (${transmitWaitMs(l)} ms)`);
  }
  const f = judgeFirst(sent, first);
  if (f.kind === 'piggybacked') return { request: sent, response: f.msg, piggybacked: true, res: await done };
  if (f.kind === 'empty-ack') return separate(l, sent, after(l, first), within, done);
  // a CON or NON response with a new Message ID before any ACK: the ACK must still come
  const ack = await nextArrival(l, (e) => e.msg?.type === CoapType.ACK && e.msg.mid === sent.mid, ackWindowMs(l), after(l, first));
  if (!ack) {
    throw new RuleViolation(
      'RFC 7252 §4.2',
      `${req} was answered by ${messageText(f.msg)} but never acknowledged (no ACK with MID ${midText(sent.mid)} within ${ackWindowMs(l)} ms); a response ready at once is piggybacked in the ACK (§5.2.1)`,
    );
  }
  return { request: sent, response: f.msg, piggybacked: false, res: await done };
}

/** After an empty ACK (§5.2.2): the separate response must come, echoing the token. */
async function separate(l: Link, sent: CoapMessage, from: number, within: number, done: Promise<CoapResponse>): Promise<Answer> {
  const req = requestText(sent);
  const e = await nextArrival(l, (x) => !x.msg || (x.msg.type !== CoapType.ACK && isResponse(x.msg.code)), within, from);
  if (!e) {
    l.c.ep.cancel(sent.token);
    return unanswered(l, 'RFC 7252 §5.2.2', `the board acknowledged ${req} with an empty ACK but sent no separate response within ${within} ms`);
  }
  if (!e.msg) throw malformedAnswer(e, req);
  if (!sameBytes(e.msg.token, sent.token)) {
    throw new RuleViolation('RFC 7252 §5.3.2', `the separate response ${messageText(e.msg)} to ${req} carries token ${tokenText(e.msg.token)}, not the request's ${tokenText(sent.token)}`);
  }
  return { request: sent, response: e.msg, piggybacked: false, res: await done };
}
