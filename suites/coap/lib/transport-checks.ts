// How a response travelled, checked against the request it answers (RFC 7252 §4.2, §5.2, §5.3.2):
// the answer to a CON comes piggybacked in the ACK (same Message ID) or separately after an empty
// ACK; the answer to a NON comes in a NON; every answer echoes the request's token. Used on each
// answer a test awaits and, after a block-wise transfer, on every request/answer pair in the log.
import { tokenKey, type CoapResponse } from '../../../protocols/coap/client-requests.js';
import { codeKind } from '../../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../../protocols/coap/coap-describe.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import type { ExchangeEntry } from '../../../rig/runner/coap-client.js';
import { check } from '../../../rig/runner/verdicts.js';
import type { Answer } from './link.js';

const tok = (t: Uint8Array): string => tokenKey(t) || '(empty)';
export const mid4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** The empty ACK the board sent for our CON `req`, if it did. */
export function emptyAckFor(log: readonly ExchangeEntry[], req: CoapMessage): CoapMessage | undefined {
  return log.find((e) => e.dir === 'in' && e.msg?.type === CoapType.ACK && e.msg.code === 0 && e.msg.mid === req.mid)?.msg;
}

/** Check one request/answer pair; returns how the answer travelled. */
export function checkPair(log: readonly ExchangeEntry[], req: CoapMessage, msg: CoapMessage): Pick<Answer, 'mode' | 'emptyAck'> {
  const what = `the ${describeMessage(msg)} answering ${describeMessage(req)}`;
  check(tokenKey(msg.token) === tokenKey(req.token), 'RFC 7252 §5.3.2', `${what} carries token ${tok(msg.token)}, not the request's ${tok(req.token)}`);
  if (req.type === CoapType.NON) {
    check(msg.type !== CoapType.ACK, 'RFC 7252 §4.3', `${what} came in an ACK: a NON request is never acknowledged, its answer comes in a NON`);
    // RFC 7252 §5.2.3 says SHOULD; the plugtest's NON test descriptions require the NON
    check(msg.type === CoapType.NON, 'RFC 7252 §5.2.3', `${what} came as a ${typeName(msg)}: a request in a NON is answered with a NON`);
    return { mode: 'non' };
  }
  if (msg.type === CoapType.ACK) {
    check(msg.mid === req.mid, 'RFC 7252 §4.2', `${what} is an ACK with MID ${mid4(msg.mid)}, not the request's ${mid4(req.mid)}`);
    return { mode: 'piggybacked' };
  }
  const emptyAck = emptyAckFor(log, req);
  check(
    emptyAck !== undefined || msg.type !== CoapType.CON || msg.mid !== req.mid,
    'RFC 7252 §5.2.1',
    `${what} came as a CON reusing the request's MID ${mid4(req.mid)}, and no ACK came: a piggybacked response travels in the ACK of the request`,
  );
  return emptyAck ? { mode: 'separate', emptyAck } : { mode: 'separate' };
}

export function checkAnswerTransport(log: readonly ExchangeEntry[], res: CoapResponse): Answer {
  return { req: res.request, msg: res.msg, res, ...checkPair(log, res.request, res.msg) };
}

/**
 * Our requests sent from log entry `from` on (first transmissions), each with the first response
 * carrying its token after it. A request without an answer yet has `msg` undefined.
 */
export function requestPairs(log: readonly ExchangeEntry[], from = 0): { req: CoapMessage; msg?: CoapMessage }[] {
  const out: { req: CoapMessage; msg?: CoapMessage }[] = [];
  for (let i = from; i < log.length; i++) {
    const e = log[i]!;
    if (e.dir !== 'out' || e.retransmission > 0 || !e.msg || codeKind(e.msg.code) !== 'request') continue;
    const key = tokenKey(e.msg.token);
    const answer = log.slice(i + 1).find((a) => a.dir === 'in' && a.msg && codeKind(a.msg.code) === 'response' && tokenKey(a.msg.token) === key);
    out.push(answer?.msg ? { req: e.msg, msg: answer.msg } : { req: e.msg });
  }
  return out;
}

/** Check the transport of every answered request since log entry `from`. */
export function auditPairs(log: readonly ExchangeEntry[], from = 0): void {
  for (const p of requestPairs(log, from)) if (p.msg) checkPair(log, p.req, p.msg);
}

export const typeName = (m: CoapMessage): string => ['CON', 'NON', 'ACK', 'RST'][m.type] ?? `type ${m.type}`;
