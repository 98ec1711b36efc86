// The client side of Observe (RFC 7641 §3): register with GET + Observe=0, take every response
// with the registration's token as a notification, judge its freshness (§3.4) on the manager
// clock, follow Max-Age (§3.3.1), notice the end of the observation (§3.2) and cancel it (§3.6).
// Built on the endpoint's requestStream: the endpoint matches notifications by token, ACKs CON
// ones, and answers a notification whose token it no longer knows with RST, which is how the
// passive cancellation of §3.6 reaches the server.
import type { Clock, ClockHandle } from '../../../rig/engine/index.js';
import { codeClass } from '../coap-codes.js';
import type { CoapEndpoint } from '../coap-endpoint.js';
import { CoapOptionNumber, DEFAULT_MAX_AGE, maxAge, observeValue } from '../coap-options.js';
import type { CoapRequestSpec } from '../coap-request.js';
import { type CoapMessage, CoapType } from '../coap-types.js';
import { type CoapResponse, CoapRequestError } from '../client-requests.js';
import { FreshnessTracker, OBSERVE_DEREGISTER, OBSERVE_REGISTER, type SeqStamp } from './freshness.js';

/** What the client knows about one notification when it hands it over. */
export interface NotificationInfo {
  /** the Observe value (§4.4) */
  seq: number;
  /** fresher than every notification before it (§3.4); a stale one is reported, never current */
  fresh: boolean;
  /** the freshest notification before this one, as the rule compared it */
  previous?: SeqStamp;
  /** manager clock, ms */
  arrivedAt: number;
  /** 0, 1, 2... over all notifications of this observation, stale ones included */
  index: number;
  /** the response to a (re-)registration request rather than a later notification */
  registration: boolean;
  /** Max-Age of the notification in seconds (60 when absent, RFC 7252 §5.10.5) */
  maxAgeS: number;
  /** arrivedAt + Max-Age: after this the representation is no longer fresh (§3.3.1) */
  expiresAt: number;
}

/**
 * Why an observation ended: the server did not add us (§3.1: a response without Observe), the
 * server ended it (§3.2: a notification without Observe, e.g. an error), we cancelled it, or the
 * request failed (timeout, RST, connection closed).
 */
export type ObserveEndReason = 'not-accepted' | 'server-ended' | 'cancelled' | 'error';

export interface ObserveOptions {
  onNotification(res: CoapResponse, info: NotificationInfo): void;
  onError?(err: CoapRequestError): void;
  /** once, whatever ended the observation; `res` is the final response when there is one */
  onEnd?(reason: ObserveEndReason, res?: CoapResponse): void;
  /** re-register when the freshest notification's Max-Age has run out (§3.3.1); needs `clock` */
  reregister?: boolean;
  /** the manager's clock, to schedule re-registration */
  clock?: Pick<Clock, 'schedule'>;
  /** wait after Max-Age before re-registering; default random 5-15 s as §3.3.1 suggests */
  reregisterDelayMs?: number | (() => number);
  random?: () => number;
}

/** A GET (or FETCH) to observe; method defaults to GET, the Observe option is ours to set. */
export type ObserveSpec = Omit<CoapRequestSpec, 'method'> & { method?: 'GET' | 'FETCH' };

export interface CancelOptions {
  /**
   * 'rst' (default): forget the token, so the endpoint rejects the next notification with RST
   * (§3.6, passive). 'get': send the registration request again with Observe=1 (§3.6, proactive).
   */
  how?: 'rst' | 'get';
}

export interface ObserveHandle {
  readonly token: Uint8Array;
  /** the response to the registration; rejects when the registration request failed */
  readonly registered: Promise<CoapResponse>;
  /** still observing */
  readonly active: boolean;
  readonly reregistrations: number;
  /** Resolves with the response to the deregistration GET ('get'), or undefined ('rst'). */
  cancel(opts?: CancelOptions): Promise<CoapResponse | undefined>;
  /** Re-register now with the same token (§3.3.1); the server replaces its entry (§4.1). */
  reregister(): void;
}

/** Notifications that may still arrive, in flight, before the answer to a deregistration. */
const MAX_RACING_NOTIFICATIONS = 4;

/** Start observing a resource. Throws TypeError for a bad option or a token already in use. */
export function observe(ep: CoapEndpoint, spec: ObserveSpec, opts: ObserveOptions): ObserveHandle {
  return new Observation(ep, spec, opts);
}

class Observation implements ObserveHandle {
  readonly token: Uint8Array;
  readonly registered: Promise<CoapResponse>;
  reregistrations = 0;
  private settleRegistered?: { resolve: (r: CoapResponse) => void; reject: (e: CoapRequestError) => void };
  private readonly tracker = new FreshnessTracker();
  /** which request is ours now: callbacks of a replaced request are ignored */
  private gen = 0;
  private ended = false;
  private index = 0;
  private timer?: ClockHandle;
  private lastRequest: CoapMessage;

  constructor(
    private readonly ep: CoapEndpoint,
    private readonly spec: ObserveSpec,
    private readonly opts: ObserveOptions,
  ) {
    if (opts.reregister && !opts.clock) throw new TypeError('observe: option `reregister` needs option `clock` (the manager clock) to schedule re-registration');
    this.registered = new Promise((resolve, reject) => (this.settleRegistered = { resolve, reject }));
    // nobody is obliged to await `registered`; a failure is also reported through onError
    this.registered.catch(() => undefined);
    this.lastRequest = this.register(spec.token);
    this.token = this.lastRequest.token.slice();
  }

  get active(): boolean {
    return !this.ended;
  }

  reregister(): void {
    if (this.ended) return;
    this.reregistrations++;
    this.retire();
    this.lastRequest = this.register(this.token);
  }

  cancel(opts: CancelOptions = {}): Promise<CoapResponse | undefined> {
    if (this.ended) return Promise.resolve(undefined);
    this.retire();
    this.finish('cancelled');
    if ((opts.how ?? 'rst') === 'rst') return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      let racing = 0;
      const onResponse = (res: CoapResponse): boolean => {
        // a notification sent before the server saw the deregistration is not its answer
        const notification = res.msg.type !== CoapType.ACK && observeValue(res.msg) !== undefined;
        if (notification && ++racing <= MAX_RACING_NOTIFICATIONS) return true;
        resolve(res);
        return false;
      };
      this.request(OBSERVE_DEREGISTER, this.token, onResponse, reject);
    });
  }

  /** The endpoint forgets the current request; its 'cancelled' failure is not an error of ours. */
  private retire(): void {
    this.gen++;
    this.timer?.cancel();
    this.timer = undefined;
    this.ep.cancel(this.token);
  }

  private register(token: Uint8Array | undefined): CoapMessage {
    const gen = ++this.gen;
    let answered = false;
    const onResponse = (res: CoapResponse): boolean => {
      if (gen !== this.gen || this.ended) return true;
      const first = !answered;
      answered = true;
      return this.onResponse(res, first);
    };
    const onError = (err: CoapRequestError): void => {
      if (gen === this.gen && !this.ended) this.fail(err);
    };
    return this.request(OBSERVE_REGISTER, token, onResponse, onError);
  }

  private request(observeOpt: number, token: Uint8Array | undefined, onResponse: (r: CoapResponse) => boolean, onError: (e: CoapRequestError) => void): CoapMessage {
    const options = (this.spec.options ?? []).filter((o) => o.number !== CoapOptionNumber.OBSERVE);
    options.push({ number: CoapOptionNumber.OBSERVE, value: observeOpt });
    const spec: CoapRequestSpec = { ...this.spec, method: this.spec.method ?? 'GET', options, token };
    return this.ep.requestStream(spec, onResponse, onError);
  }

  /** Returns whether the endpoint keeps the request open for more notifications. */
  private onResponse(res: CoapResponse, first: boolean): boolean {
    const seq = observeValue(res.msg);
    if (seq === undefined || codeClass(res.msg.code) !== 2) {
      // §3.1: no Observe in the answer to a registration: not added; §3.2: a response without
      // Observe (an error, for one) afterwards: the server has removed us
      this.resolveRegistered(res);
      this.finish(first ? 'not-accepted' : 'server-ended', res);
      return false;
    }
    const at = this.ep.io.now();
    const { fresh, previous } = this.tracker.judge(seq, at);
    const maxAgeS = maxAge(res.msg) ?? DEFAULT_MAX_AGE;
    const info: NotificationInfo = { seq, fresh, arrivedAt: at, index: this.index++, registration: first, maxAgeS, expiresAt: at + maxAgeS * 1000 };
    if (previous) info.previous = previous;
    if (first) this.resolveRegistered(res);
    if (fresh) this.armReregister(maxAgeS * 1000);
    this.opts.onNotification(res, info);
    // true even when the handler cancelled: the endpoint has then forgotten this request already
    return true;
  }

  private resolveRegistered(res: CoapResponse): void {
    this.settleRegistered?.resolve(res);
    this.settleRegistered = undefined;
  }

  private armReregister(maxAgeMs: number): void {
    if (!this.opts.reregister || this.ended) return;
    this.timer?.cancel();
    const d = this.opts.reregisterDelayMs;
    const random = this.opts.random ?? Math.random;
    const delay = typeof d === 'function' ? d() : (d ?? 5000 + random() * 10_000);
    this.timer = this.opts.clock!.schedule(maxAgeMs + delay, () => {
      this.timer = undefined;
      this.reregister();
    });
  }

  private fail(err: CoapRequestError): void {
    this.settleRegistered?.reject(err);
    this.settleRegistered = undefined;
    this.opts.onError?.(err);
    this.finish('error');
  }

  private finish(reason: ObserveEndReason, res?: CoapResponse): void {
    if (this.ended) return;
    this.ended = true;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.settleRegistered) {
      const why = reason === 'cancelled' ? 'cancelled before the registration was answered' : `ended (${reason})`;
      this.settleRegistered.reject(new CoapRequestError('cancelled', `RFC 7641 §3.1: observation ${why}`, this.lastRequest));
      this.settleRegistered = undefined;
    }
    this.opts.onEnd?.(reason, res);
  }
}
