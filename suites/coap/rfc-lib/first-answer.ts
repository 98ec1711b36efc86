// The message-layer rules on the first thing a board sends back for a CON request (RFC 7252
// §4.2, §5.2.1, §5.3.2), shared by the requests sent through the endpoint and those sent as raw
// bytes: an ACK or RST carries the CON's Message ID, an RST to a well-formed request is a
// rejection it did not deserve, a piggybacked response echoes the token, and a response sent as
// a CON with the request's Message ID is a piggybacked response in the wrong message type.
import { isResponse } from '../../../protocols/coap/coap-codes.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import type { ExchangeEntry } from '../../../rig/runner/suite-api.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';
import { bytesText, messageText, midText, requestText, ruleOf, sameBytes, tokenText } from './text.js';

export type FirstAnswer =
  /** the response came in the ACK */
  | { kind: 'piggybacked'; msg: CoapMessage }
  /** an empty ACK: a separate response is to follow (§5.2.2) */
  | { kind: 'empty-ack'; msg: CoapMessage }
  /** a CON or NON response (new Message ID) before any ACK: the ACK may still come */
  | { kind: 'early-response'; msg: CoapMessage };

/** Does a received entry belong to the exchange of a CON with this token (on a link with nothing else outstanding)? */
export const relatedTo =
  (token: Uint8Array) =>
  (e: ExchangeEntry): boolean =>
    !e.msg || e.msg.type === CoapType.ACK || e.msg.type === CoapType.RST || sameBytes(e.msg.token, token);

/** A received datagram that is not CoAP: fail under the rule the parser named. */
export function malformedAnswer(e: ExchangeEntry, to: string): RuleViolation {
  return new RuleViolation(ruleOf(e.text), `the answer to ${to} is not a well-formed CoAP message (${e.text.replace(/^malformed: /, '')}); bytes ${bytesText(e.bytes)}`);
}

/** Judge the first related entry after the CON `sent`; throws RuleViolation on a broken rule. */
export function judgeFirst(sent: CoapMessage, e: ExchangeEntry): FirstAnswer {
  const req = requestText(sent);
  if (!e.msg) throw malformedAnswer(e, req);
  const m = e.msg;
  if (m.type === CoapType.ACK || m.type === CoapType.RST) {
    if (m.mid !== sent.mid) {
      throw new RuleViolation('RFC 7252 §4.2', `${req} was answered by ${messageText(m)}: an ${m.type === CoapType.ACK ? 'ACK' : 'RST'} carries the Message ID of the CON it answers, ${midText(sent.mid)}`);
    }
    if (m.type === CoapType.RST) throw new RuleViolation('RFC 7252 §4.2', `the board rejected the well-formed ${req} with ${messageText(m)}`);
    if (m.code === 0) return { kind: 'empty-ack', msg: m };
    if (!sameBytes(m.token, sent.token)) {
      throw new RuleViolation('RFC 7252 §5.3.2', `the piggybacked ${messageText(m)} answering ${req} carries token ${tokenText(m.token)}, not the request's ${tokenText(sent.token)}`);
    }
    if (!isResponse(m.code)) throw new RuleViolation('RFC 7252 §5.2.1', `the ACK of ${req} carries ${messageText(m)}, which is no response code (classes 2, 4, 5)`);
    return { kind: 'piggybacked', msg: m };
  }
  if (m.type === CoapType.CON && m.mid === sent.mid) {
    throw new RuleViolation('RFC 7252 §5.2.1', `the response to ${req} came as ${messageText(m)}, a CON with the request's Message ID, instead of piggybacked in an ACK`);
  }
  return { kind: 'early-response', msg: m };
}
