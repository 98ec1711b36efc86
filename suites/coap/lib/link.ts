// A test's CoAP link with a watch on what the board sends: the CoapClient does the exchanges and
// logs every message; the Link listens to the same events and turns a message that breaks a rule
// on its own (bytes that are not CoAP, an ACK naming no Message ID we used, a response with a
// token we never sent) into a RuleViolation at once, instead of a request that hangs until the
// endpoint gives up. The violation is sticky: the next awaited exchange (or the end of the test)
// reports it. Duplicates of messages we know (a second ACK for a retransmitted CON) are no fault.
import { CoapBlockError } from '../../../protocols/coap/block/block-error.js';
import { type CoapResponse, CoapRequestError, tokenKey } from '../../../protocols/coap/client-requests.js';
import { isResponse } from '../../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../../protocols/coap/coap-describe.js';
import { CoapEv, type CoapMalformedInfo, type CoapUnmatchedInfo } from '../../../protocols/coap/coap-events.js';
import type { CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import type { CoapClient } from '../../../rig/runner/coap-client.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';
import { checkAnswerTransport } from './transport-checks.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') || '(empty)';
const RULE_PREFIX = /^(RFC \d+ §[\d.]+(?:\/§?[\d.]+)?)[:,]?\s*/;

/** 'RFC 7959 §2.2: block 3 ...' → the rule and the rest; text without a rule gets `fallback`. */
export function splitRule(text: string, fallback: string): { rule: string; detail: string } {
  const m = RULE_PREFIX.exec(text);
  return m ? { rule: m[1]!, detail: text.slice(m[0].length) } : { rule: fallback, detail: text };
}

/** A request and the response the board gave it, with how it travelled. */
export interface Answer {
  /** the request as it went out (its Message ID and token filled in) */
  req: CoapMessage;
  msg: CoapMessage;
  res: CoapResponse;
  /** 'piggybacked' (in the ACK), 'separate' (a CON/NON after an empty ACK or none), 'non' (to a NON request) */
  mode: 'piggybacked' | 'separate' | 'non';
  /** the empty ACK of a separate response, when one came */
  emptyAck?: CoapMessage;
}

export class Link {
  private violation?: RuleViolation;
  private readonly waiting = new Set<(e: RuleViolation) => void>();

  constructor(readonly client: CoapClient) {
    const inner = client.c.handler;
    client.c.handler = (c, ev, data) => {
      inner(c, ev, data);
      if (ev === CoapEv.Malformed) this.onMalformed(data as CoapMalformedInfo);
      else if (ev === CoapEv.Unmatched) this.onUnmatched(data as CoapUnmatchedInfo);
    };
  }

  get ep() {
    return this.client.ep;
  }

  /** Send a request; resolves with the answer after the transport checks (MID, type, token). */
  async request(spec: CoapRequestSpec): Promise<Answer> {
    const res = await this.guard(this.client.ep.request(spec));
    const answer = checkAnswerTransport(this.client.log, res);
    this.throwIfViolated();
    return answer;
  }

  /**
   * Await `p` unless the board breaks a rule first; errors that are a board's fault become
   * RuleViolations naming the rule (token mismatch, block-wise rules, an RST to a request).
   */
  guard<T>(p: Promise<T>): Promise<T> {
    // whatever wins, a later rejection of `p` (the link closing under it) is nobody's business
    p.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      if (this.violation) return reject(this.violation);
      const onViolation = (e: RuleViolation): void => reject(e);
      this.waiting.add(onViolation);
      p.then(
        (v) => (this.waiting.delete(onViolation), this.violation ? reject(this.violation) : resolve(v)),
        (e: unknown) => (this.waiting.delete(onViolation), reject(this.violation ?? boardFault(e))),
      );
    });
  }

  /** The board broke a rule on this link already. */
  get violated(): boolean {
    return this.violation !== undefined;
  }

  /** The violation seen so far, thrown (the end of every test calls this). */
  throwIfViolated(): void {
    if (this.violation) throw this.violation;
  }

  /** Every token and CON Message ID we sent on this link. */
  private sent(): { tokens: Set<string>; conMids: Set<number>; lastCon?: CoapMessage } {
    const tokens = new Set<string>();
    const conMids = new Set<number>();
    let lastCon: CoapMessage | undefined;
    for (const e of this.client.log) {
      if (e.dir !== 'out' || !e.msg) continue;
      if (e.msg.code !== 0) tokens.add(tokenKey(e.msg.token));
      if (e.msg.type === CoapType.CON) {
        conMids.add(e.msg.mid);
        lastCon = e.msg;
      }
    }
    return { tokens, conMids, lastCon };
  }

  private onMalformed(m: CoapMalformedInfo): void {
    const { rule, detail } = splitRule(m.rule, 'RFC 7252 §3');
    this.fail(new RuleViolation(rule, `the board sent ${m.bytes.length} bytes that are not a well-formed CoAP message (${detail} at byte ${m.offset}): ${hex(m.bytes)}`));
  }

  private onUnmatched(u: CoapUnmatchedInfo): void {
    const msg = u.msg;
    const { tokens, conMids, lastCon } = this.sent();
    if (msg.type === CoapType.ACK && !conMids.has(msg.mid)) {
      const ours = lastCon ? `; our last CON had MID 0x${mid4(lastCon.mid)}` : '';
      this.fail(new RuleViolation('RFC 7252 §4.2', `the board sent an ACK with MID 0x${mid4(msg.mid)}, a Message ID of no CON we sent${ours}: an ACK carries the Message ID of the CON it acknowledges (${describeMessage(msg)})`));
      return;
    }
    if ((msg.type === CoapType.CON || msg.type === CoapType.NON) && isResponse(msg.code) && !tokens.has(tokenKey(msg.token))) {
      const ours = [...tokens].map((t) => t || '(empty)').join(', ') || '(none)';
      this.fail(new RuleViolation('RFC 7252 §5.3.2', `the board sent a response with token ${hex(msg.token)}, a token none of our requests carried (ours: ${ours}): a response echoes its request's token (${describeMessage(msg)})`));
    }
  }

  private fail(e: RuleViolation): void {
    this.violation ??= e;
    for (const w of [...this.waiting]) w(this.violation);
    this.waiting.clear();
  }
}

const mid4 = (n: number): string => n.toString(16).padStart(4, '0');

/** The verdict-worthy form of what a request or a block-wise transfer failed with. */
export function boardFault(e: unknown): unknown {
  if (e instanceof CoapBlockError) {
    const { detail } = splitRule(e.message, e.rule);
    return new RuleViolation(e.rule, detail);
  }
  if (e instanceof CoapRequestError && e.reason === 'token-mismatch') {
    const { rule, detail } = splitRule(e.message, 'RFC 7252 §5.3.2');
    return new RuleViolation(rule, detail);
  }
  if (e instanceof CoapRequestError && e.reason === 'reset') {
    return new RuleViolation('RFC 7252 §4.2', `${e.message}: a well-formed request the board understands is answered, not rejected`);
  }
  return e;
}
