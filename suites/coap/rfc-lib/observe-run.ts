// Observe a resource until `want` notifications arrived (the registration's answer counts as the
// first, RFC 7641 §3.1), recorded by ObserveRecorder for its ordering check (§3.4, §4.4). The
// registration's first answer gets the message-layer checks like every CON of the suite. The wait
// is bounded by Max-Age per notification (a value the resource keeps longer says nothing new),
// and by OBSERVE_BUDGET_MS in all, so that a resource that changes slowly ends the test
// inconclusive instead of running into the runner's per-test timeout.
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { DEFAULT_MAX_AGE, maxAge, observeValue } from '../../../protocols/coap/coap-options.js';
import { observe, ObserveRecorder } from '../../../protocols/coap/observe/index.js';
import { inconclusive } from '../../../rig/runner/verdicts.js';
import { judgeFirst, relatedTo } from './first-answer.js';
import { ackWindowMs, type Link, nextArrival, sentEntry, transmitWaitMs } from './link.js';
import { unanswered } from './liveness.js';
import { requireResource } from './resources.js';
import { codeText, freshToken, requestText } from './text.js';

/** The longest the test waits for its notifications, in the run's clock (the plugtest's /obs changes every 5 s). */
export const OBSERVE_BUDGET_MS = 20_000;

export type ObserveRun = { kind: 'not-found' } | { kind: 'recorded'; rec: ObserveRecorder; waitedMs: number };

export async function observeRun(l: Link, path: string, want: number): Promise<ObserveRun> {
  const token = freshToken();
  const rec = new ObserveRecorder();
  let wake = (): void => undefined;
  const firstP = nextArrival(l, relatedTo(token), transmitWaitMs(l));
  const h = observe(l.c.ep, { path, token }, rec.attach({ onNotification: () => wake(), onEnd: () => wake(), onError: () => wake() }));
  try {
    const sent = sentEntry(l, { token })?.msg;
    if (!sent) throw new Error(`the rig did not send the registration for ${path}`);
    const first = await firstP;
    if (!first) return await unanswered(l, 'RFC 7252 §4.2', `the registration ${requestText(sent)} got neither an ACK nor a response within ${transmitWaitMs(l)} ms`);
    judgeFirst(sent, first);
    const reg = await h.registered;
    if (reg.msg.code === CoapCode.NOT_FOUND) return { kind: 'not-found' };
    requireResource(reg.msg, 'GET', path, 'nothing to observe');
    if (observeValue(reg.msg) === undefined) inconclusive(`GET ${path} with Observe 0 was answered ${codeText(reg.msg.code)} without an Observe option: the board did not add an observer (RFC 7641 §3.1)`);
    const maxAgeS = maxAge(reg.msg) ?? DEFAULT_MAX_AGE;
    const waitMs = Math.min(want * maxAgeS * 1000, OBSERVE_BUDGET_MS) + ackWindowMs(l);
    let timedOut = false;
    const timer = l.t.rig.clock.schedule(waitMs, () => {
      timedOut = true;
      wake();
    });
    while (rec.entries.length < want && h.active && !timedOut) await new Promise<void>((r) => (wake = r));
    timer.cancel();
    return { kind: 'recorded', rec, waitedMs: waitMs };
  } finally {
    // deregister (§3.6) so the board stops notifying a link that is about to close
    if (h.active) h.cancel({ how: 'get' }).catch(() => undefined);
  }
}
