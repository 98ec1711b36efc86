// Messages the RFC forbids, as bytes, and the two ways a board must treat them: a CON with a
// message format error whose header is readable is rejected with an RST carrying its Message ID
// (RFC 7252 §3, §4.2), and a message with an unknown version is silently ignored (§3). Both
// end with a ping: the board must still be alive after the message (it did not crash or wedge).
import { serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { CoapOptionNumber } from '../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';
import { malformedAnswer } from './first-answer.js';
import { ackWindowMs, type Link, nextArrival } from './link.js';
import { aliveAfter, aliveBefore } from './liveness.js';
import { bytesText, messageText, midText, sameBytes } from './text.js';

const utf8 = new TextEncoder();

/** The 4-byte header: Ver, T, TKL, Code, Message ID (any field value, forbidden ones included). */
export function header(o: { version?: number; type?: number; tkl: number; code: number; mid: number }): number[] {
  return [((o.version ?? 1) << 6) | ((o.type ?? CoapType.CON) << 4) | o.tkl, o.code, o.mid >> 8, o.mid & 0xff];
}

/** A well-formed CON with any code and version: GET /.well-known/core by default. */
export function conBytes(o: { mid: number; code?: number; version?: number; token?: Uint8Array; path?: string[] }): Uint8Array {
  const path = o.path ?? ['.well-known', 'core'];
  return serializeCoap({
    version: o.version ?? 1,
    type: CoapType.CON,
    code: o.code ?? 0x01,
    mid: o.mid,
    token: o.token ?? new Uint8Array(0),
    options: path.map((s) => ({ number: CoapOptionNumber.URI_PATH, value: utf8.encode(s) })),
    payload: new Uint8Array(0),
  }).slice();
}

export const bytes = (...parts: (number | number[] | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? [...utf8.encode(p)] : p)));

export interface RawCase {
  /** what the message is, for verdicts: 'a CON with token length 9' */
  what: string;
  bytes: Uint8Array;
  mid: number;
}

/**
 * Send each case (a CON whose header is readable) and require an RST with its Message ID within
 * the ACK window; a ping before the first and after the last shows the board alive (a board
 * wedged by one case stays silent to the next, which then fails with the ping after it).
 * `rule` names what makes the messages malformed.
 */
export async function expectReset(l: Link, cases: RawCase | readonly RawCase[], rule: string): Promise<void> {
  const all = Array.isArray(cases) ? cases : [cases as RawCase];
  const label = (m: RawCase): string => `${m.what} (MID ${midText(m.mid)}, bytes ${bytesText(m.bytes)})`;
  await aliveBefore(l, label(all[0]!));
  for (const m of all) {
    const what = label(m);
    const arrival = nextArrival(l, () => true, ackWindowMs(l));
    l.c.sendRaw(m.bytes);
    const e = await arrival;
    if (!e) {
      await aliveAfter(l, rule, what);
      throw new RuleViolation(
        rule,
        `${what} was not rejected: no RST within ${ackWindowMs(l)} ms (a CON the recipient cannot process, for a message format error or a reserved code class, is rejected with an RST carrying its Message ID, RFC 7252 §4.2)`,
      );
    }
    if (!e.msg) throw malformedAnswer(e, what);
    const r = e.msg;
    if (r.type !== CoapType.RST) {
      throw new RuleViolation(rule, `${what} was answered by ${messageText(r)} instead of an RST: such a CON is rejected and otherwise ignored (RFC 7252 §4.2)`);
    }
    if (r.mid !== m.mid) throw new RuleViolation('RFC 7252 §4.2', `the RST rejecting ${what} carries MID ${midText(r.mid)}, not the rejected message's ${midText(m.mid)}`);
  }
  await aliveAfter(l, rule, all.length === 1 ? label(all[0]!) : `${all.length} such messages`);
}

/** Send `m` and require silence for the ACK window (§3: unknown versions are silently ignored). */
export async function expectSilence(l: Link, m: RawCase, rule: string): Promise<void> {
  const what = `${m.what} (MID ${midText(m.mid)}, bytes ${bytesText(m.bytes)})`;
  await aliveBefore(l, what);
  // the virtual board shares its port with a UDP echo service, which returns datagrams that are
  // not CoAP as they came: an identical copy is not an answer of the CoAP node
  const echo = (b: Uint8Array): boolean => sameBytes(b, m.bytes);
  const arrival = nextArrival(l, (e) => e.msg !== undefined || !echo(e.bytes), ackWindowMs(l));
  const from = l.c.log.length;
  l.c.sendRaw(m.bytes);
  const e = await arrival;
  if (e) {
    const shown = e.msg ? messageText(e.msg) : `a datagram that is not CoAP (${e.text}; bytes ${bytesText(e.bytes)})`;
    throw new RuleViolation(rule, `${what} must be silently ignored, but the board answered with ${shown}`);
  }
  if (l.c.log.slice(from).some((x) => x.dir === 'in' && !x.msg && echo(x.bytes))) {
    l.t.note(`an identical copy of ${m.what} came back (a UDP echo service on the CoAP port, not a CoAP answer)`);
  }
  await aliveAfter(l, rule, what);
}
