// The server side of Observe (RFC 7641 §4) for one resource, for the virtual board and test
// servers: answer GET, register on Observe=0 (§4.1), deregister on Observe=1 (§3.6), and on
// notify() send every observer the new state with an increasing 24-bit sequence number (§4.4),
// as CON or NON. An observer goes when it answers a notification with RST or leaves a CON
// notification unacknowledged (§4.5). Notifications are responses outside any exchange: a new
// MID, the observer's token, sent through the endpoint's message layer.
import { CoapEv } from '../coap-events.js';
import { CoapCode, codeClass } from '../coap-codes.js';
import type { CoapEndpoint } from '../coap-endpoint.js';
import { CoapOptionNumber, observeValue } from '../coap-options.js';
import { type CoapMessage, CoapType, COAP_VERSION } from '../coap-types.js';
import type { Settlement } from '../message-layer.js';
import { type CoapExchange, type ResponseSpec, specOptions } from '../server-exchange.js';
import { nextSeq, OBSERVE_DEREGISTER, OBSERVE_REGISTER } from './freshness.js';
import { type Observer, ObserverRegistry } from './observer-registry.js';

export interface ObservableOptions<S> {
  initial: S;
  /** the representation of a state; a non-2.xx code makes notify() end every observation (§3.2) */
  render(state: S): ResponseSpec;
  /** notifications as CON (default; a dead client is then noticed, §4.5) or NON */
  confirmable?: boolean;
  /** with NON notifications: every n-th one to an observer goes as CON (§4.5); 0 = never */
  conEvery?: number;
  /** a Max-Age (s) for the registration response and every notification (§3.3.1) */
  maxAgeS?: number;
  /** the sequence number before the first one sent (default 0) */
  initialSeq?: number;
  /** how the sequence advances (default +1 modulo 2^24); a bug mode may break it */
  nextSeq?: (seq: number) => number;
  /** share a registry (e.g. to watch it from a test); by default one of its own */
  registry?: ObserverRegistry;
}

const utf8 = new TextEncoder();

export class ObservableResource<S> {
  readonly observers: ObserverRegistry;
  state: S;
  private seqValue: number;
  private readonly advanceSeq: (seq: number) => number;

  constructor(private readonly opts: ObservableOptions<S>) {
    if (opts.conEvery !== undefined && !(Number.isInteger(opts.conEvery) && opts.conEvery >= 0)) {
      throw new TypeError(`ObservableResource option conEvery must be an integer >= 0, got ${opts.conEvery}`);
    }
    if (opts.maxAgeS !== undefined && !(Number.isInteger(opts.maxAgeS) && opts.maxAgeS >= 0 && opts.maxAgeS <= 0xffffffff)) {
      throw new TypeError(`ObservableResource option maxAgeS must be an integer 0..2^32-1 (RFC 7252 §5.10.5), got ${opts.maxAgeS}`);
    }
    this.observers = opts.registry ?? new ObserverRegistry();
    this.state = opts.initial;
    this.seqValue = opts.initialSeq ?? 0;
    this.advanceSeq = opts.nextSeq ?? nextSeq;
  }

  /** The last sequence number used. */
  get seq(): number {
    return this.seqValue;
  }

  /**
   * Answer a request for this resource arriving on `ep` (the endpoint of the client's
   * connection). GET and FETCH are served; other methods get 4.05.
   */
  handle(x: CoapExchange, ep: CoapEndpoint): void {
    const req = x.request;
    if (req.code !== CoapCode.GET && req.code !== CoapCode.FETCH) {
      x.respond({ code: CoapCode.METHOD_NOT_ALLOWED });
      return;
    }
    const spec = this.opts.render(this.state);
    const obs = observeValue(req);
    if (obs === OBSERVE_REGISTER) {
      if (codeClass(spec.code) === 2) {
        this.observers.add(x.peer, req.token, ep, req, ep.io.now());
        // a value of its own: a re-registration's answer must be fresher than what came before
        x.respond(this.withObserve(spec, this.advance()));
        return;
      }
      // §4.1: a non-2.xx answer carries no Observe and leaves the client off the list
      this.observers.removeKey(x.peer, req.token, 'refused');
    } else if (obs === OBSERVE_DEREGISTER) {
      this.observers.removeKey(x.peer, req.token, 'deregistered');
    }
    x.respond(this.withObserve(spec, undefined));
  }

  /**
   * Set a new state and notify every observer. All get the same, new sequence number; an
   * observer whose CON notification is still in flight gets the then-newest state once it is
   * acknowledged. A non-2.xx representation ends every observation (see end()). Returns how many
   * notifications left now.
   */
  notify(state: S): number {
    this.state = state;
    const spec = this.opts.render(state);
    if (codeClass(spec.code) !== 2) return this.end(spec);
    const seq = this.advance();
    let sent = 0;
    for (const o of this.observers.all()) if (this.sendTo(o, spec, seq)) sent++;
    return sent;
  }

  /**
   * End every observation with a final response that has no Observe option (§3.2, §4.2), e.g.
   * 4.04 when the resource is gone, and empty the list. Returns how many were sent.
   */
  end(spec: ResponseSpec): number {
    const all = this.observers.all();
    for (const o of all) {
      this.observers.remove(o, 'ended');
      const msg = this.message(o, this.withObserve(spec, undefined), this.opts.confirmable !== false);
      if (msg.type === CoapType.CON) o.ep.ml.sendCon(msg, o.ep.encode(msg, 'notification'), () => undefined);
      else o.ep.send(msg, 'notification');
    }
    return all.length;
  }

  private advance(): number {
    this.seqValue = this.advanceSeq(this.seqValue);
    return this.seqValue;
  }

  private sendTo(o: Observer, spec: ResponseSpec, seq: number): boolean {
    if (o.inFlightMid !== undefined) {
      o.pending = true;
      return false;
    }
    const conEvery = this.opts.conEvery ?? 0;
    const con = this.opts.confirmable !== false || (conEvery > 0 && o.sinceCon + 1 >= conEvery);
    const msg = this.message(o, this.withObserve(spec, seq), con);
    o.notifications++;
    o.sinceCon = con ? 0 : o.sinceCon + 1;
    if (con) {
      o.inFlightMid = msg.mid;
      o.ep.ml.sendCon(msg, o.ep.encode(msg, 'notification'), (s) => this.settled(o, msg, s));
    } else {
      // an RST naming this NON's MID means the client does not want it (§3.6, §4.5)
      o.ep.send(msg, 'notification', () => this.observers.remove(o, 'rst'));
    }
    return true;
  }

  private settled(o: Observer, msg: CoapMessage, s: Settlement): void {
    o.inFlightMid = undefined;
    switch (s.kind) {
      case 'ack':
        if (o.pending && this.observers.holds(o)) {
          o.pending = false;
          const spec = this.opts.render(this.state);
          if (codeClass(spec.code) === 2) this.sendTo(o, spec, this.advance());
        }
        return;
      case 'rst':
        this.observers.remove(o, 'rst');
        return;
      case 'gave-up':
        // §4.5: a CON notification that is never acknowledged: the client is gone
        if (this.observers.remove(o, 'gave-up')) o.ep.io.emit(CoapEv.GaveUp, { msg, transmissions: s.transmissions });
        return;
      case 'cancelled':
        this.observers.remove(o, 'closed');
        return;
    }
  }

  private message(o: Observer, spec: ResponseSpec, con: boolean): CoapMessage {
    const payload = typeof spec.payload === 'string' ? utf8.encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
    return {
      version: COAP_VERSION,
      type: con ? CoapType.CON : CoapType.NON,
      code: spec.code,
      mid: o.ep.ml.nextMid(),
      token: o.token,
      options: specOptions(spec, CoapOptionNumber.CONTENT_FORMAT),
      payload,
    };
  }

  /** The spec with Observe set to `seq` (or removed) and our Max-Age when the render has none. */
  private withObserve(spec: ResponseSpec, seq: number | undefined): ResponseSpec {
    const options = (spec.options ?? []).filter((o) => o.number !== CoapOptionNumber.OBSERVE);
    if (seq !== undefined) options.push({ number: CoapOptionNumber.OBSERVE, value: seq });
    if (this.opts.maxAgeS !== undefined && !options.some((o) => o.number === CoapOptionNumber.MAX_AGE)) {
      options.push({ number: CoapOptionNumber.MAX_AGE, value: this.opts.maxAgeS });
    }
    return { ...spec, options };
  }
}
