// One observation for a TD_COAP_OBS test: the protocol's observe() with an ObserveRecorder, the
// notifications queued so a test can await them one by one on the run's clock, and the checks
// every description repeats (registration answered with Observe, notifications of the same
// Content-Format with fresh, increasing Observe values).
import { type CoapResponse, tokenKey } from '../../../protocols/coap/client-requests.js';
import { CoapCode, describeCode, isResponse } from '../../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../../protocols/coap/coap-describe.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { contentFormat, observeValue } from '../../../protocols/coap/coap-options.js';
import { describeContentFormat } from '../../../protocols/coap/content-formats.js';
import { type NotificationInfo, observe, type ObserveEndReason, type ObserveHandle, ObserveRecorder } from '../../../protocols/coap/observe/index.js';
import { check, inconclusive, RuleViolation } from '../../../rig/runner/verdicts.js';
import { type EtsiContext, runParams } from './etsi-test.js';
import { expectCode } from './expect-response.js';
import type { Answer, Link } from './link.js';
import { listedLink, needs } from './needs.js';
import { checkAnswerTransport, typeName } from './transport-checks.js';

export interface Notification {
  res: CoapResponse;
  info: NotificationInfo;
}

export class Observation {
  readonly recorder = new ObserveRecorder();
  readonly handle: ObserveHandle;
  readonly all: Notification[] = [];
  ended?: { reason: ObserveEndReason; res?: CoapResponse };
  /** index in `all` of the first notification not yet taken */
  private pos = 0;
  private wake?: () => void;

  constructor(
    readonly link: Link,
    readonly path: string,
    confirmable: boolean,
    private readonly t: EtsiContext,
  ) {
    this.handle = observe(
      link.ep,
      { path, confirmable },
      this.recorder.attach({
        onNotification: (res, info) => {
          this.all.push({ res, info });
          this.wake?.();
        },
        onEnd: (reason, res) => {
          this.ended = res ? { reason, res } : { reason };
          this.wake?.();
        },
      }),
    );
  }

  /** The answer to the registration, checked for its transport; the resource must be observable. */
  async registered(): Promise<Answer> {
    const a = checkAnswerTransport(this.link.client.log, await this.link.guard(this.handle.registered));
    const target = `GET ${this.path} with Observe=0`;
    expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7641 §4.1', target);
    if (observeValue(a.msg) === undefined) {
      const listed = (await listedLink(this.t, this.path))?.attrs.has('obs') === true;
      if (!listed) inconclusive(`${target} was answered without an Observe option and the board does not list ${this.path} as observable`);
      throw new RuleViolation('RFC 7641 §4.1', `${target} was answered ${describeCode(a.msg.code)} without an Observe option although /.well-known/core lists ${this.path} with "obs": the client was not added as an observer`);
    }
    return a;
  }

  /** How long to wait for the next notification: the registration's Max-Age plus retransmission slack, capped. */
  waitMs(): number {
    const maxAgeS = this.all[0]?.info.maxAgeS ?? 60;
    return Math.min(maxAgeS * 1000 + 2 * runParams(this.t).ackTimeoutMs + 500, 20_000);
  }

  /**
   * The next notification not yet taken that matches `pred` (by default: not the answer to a
   * registration), or undefined after `ms`; the ones passed over are taken too.
   */
  async next(ms = this.waitMs(), pred: (n: Notification) => boolean = (n) => !n.info.registration): Promise<Notification | undefined> {
    const deadline = this.t.rig.clock.now() + ms;
    for (;;) {
      while (this.pos < this.all.length) {
        const n = this.all[this.pos++]!;
        if (pred(n)) return n;
      }
      const left = deadline - this.t.rig.clock.now();
      if (this.ended || left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const h = this.t.rig.clock.schedule(left, () => resolve());
        this.wake = () => (h.cancel(), resolve());
      });
      this.wake = undefined;
      this.link.throwIfViolated();
    }
  }

  /**
   * Take `count` notifications and check each as the descriptions do: `type` (CON for /obs,
   * NON for /obs-non), 2.05, the registration's Content-Format; then their Observe values.
   * A resource that stays silent (or ends the observation) leaves nothing to judge.
   */
  async expectNotifications(count: number, id: string, want: { cf: number | undefined }): Promise<Notification[]> {
    const got: Notification[] = [];
    for (let i = 0; i < count; i++) {
      const n = await this.next();
      if (!n) {
        const why = this.ended ? `the observation ended (${this.ended.reason}${this.ended.res ? `, ${describeCode(this.ended.res.msg.code)}` : ''})` : `no notification came within ${this.waitMs()} ms`;
        inconclusive(`${why} after ${got.length} notifications of ${this.path}: the test needs a resource that changes every few seconds`);
      }
      const msg = n.res.msg;
      check(msg.code === CoapCode.CONTENT, `RFC 7641 §3.2 (${id})`, `notification #${n.info.index} of ${this.path} is ${describeCode(msg.code)} with Observe ${n.info.seq}, expected 2.05 Content`);
      const cf = contentFormat(msg);
      const cfText = (v: number | undefined): string => (v === undefined ? '(none)' : describeContentFormat(v));
      check(cf === want.cf, `RFC 7641 §4.2 (${id})`, `notification #${n.info.index} (${typeName(msg)}) of ${this.path} has Content-Format ${cfText(cf)}, the registration's answer had ${cfText(want.cf)}`);
      got.push(n);
    }
    this.checkSequence();
    return got;
  }

  /**
   * Observe values fresh and increasing (RFC 7641 §3.4, §4.4): over everything recorded, or over
   * the notifications from index `from` of `all` on (after a re-registration, whose answer may
   * start a new sequence).
   */
  checkSequence(from = 0): void {
    let rec = this.recorder;
    if (from > 0) {
      rec = new ObserveRecorder();
      for (const n of this.all.slice(from)) rec.record(n.res, n.info);
    }
    const c = rec.checkFreshAndIncreasing();
    if (!c.ok) {
      const v = c.violations[0]!;
      throw new RuleViolation(v.rule, `${v.detail} (Observe values in order: ${rec.seqs.join(', ')})`);
    }
  }

  /**
   * The time between the last two notifications taken, to size a window in which a silent board
   * would have notified: one and a half intervals (at least a second, at most fifteen).
   */
  quietWindowMs(): number {
    const taken = this.all.slice(0, this.pos).filter((n) => !n.info.registration);
    const gap = taken.length >= 2 ? taken[taken.length - 1]!.info.arrivedAt - taken[taken.length - 2]!.info.arrivedAt : this.waitMs();
    return Math.min(Math.max(1.5 * gap + 500, 1000), 15_000);
  }

  /** Every MID that reached us with the observation's token so far. */
  midsSeen(): Set<number> {
    const token = tokenKey(this.handle.token);
    return new Set(this.link.client.received().filter((m) => tokenKey(m.token) === token).map((m) => m.mid));
  }

  /** No notification with our token during the quiet window (retransmissions of `known` MIDs aside). */
  async expectSilence(known: Set<number>, rule: string, after: string): Promise<void> {
    const ms = this.quietWindowMs();
    const token = tokenKey(this.handle.token);
    const late = await this.link.client.waitFor((m) => tokenKey(m.token) === token && isResponse(m.code) && m.type !== CoapType.ACK && !known.has(m.mid), ms);
    if (late) throw new RuleViolation(rule, `${describeMessage(late)} arrived within ${ms} ms ${after}: the board kept notifying a client whose observation had ended`);
  }

  /** End the observation (Observe=1), waiting at most a moment: cleanup, never a verdict. */
  async stop(): Promise<void> {
    if (!this.handle.active) return;
    if (this.link.violated) {
      // the board broke a rule on this link: forget the token (the next notification gets RST)
      await this.handle.cancel({ how: 'rst' });
      return;
    }
    let timer: { cancel(): void } | undefined;
    const cancelled = this.handle.cancel({ how: 'get' }).catch(() => undefined);
    await Promise.race([cancelled, new Promise<void>((r) => (timer = this.t.rig.clock.schedule(2 * runParams(this.t).ackTimeoutMs, r)))]);
    timer?.cancel();
  }
}

/** Register on `path`, run `body`, and end the observation whatever happened. */
export async function observing(t: EtsiContext, path: string, confirmable: boolean, body: (o: Observation, cf: number | undefined) => Promise<void>): Promise<void> {
  await needs(t, path);
  const link = await t.link();
  const o = new Observation(link, path, confirmable, t);
  try {
    const reg = await o.registered();
    if (reg.mode === 'separate') t.note(`the registration was answered separately; the TD expects the answer in the ACK`);
    await body(o, contentFormat(reg.msg));
  } finally {
    await o.stop();
  }
}

