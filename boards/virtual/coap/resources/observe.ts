// /obs and /obs-non (TD_COAP_OBS_*): observable resources whose state changes every period of
// board time (5 s in the plugtest; shorter for tests), notifying every observer: /obs with CON
// notifications, /obs-non with NON ones. The Observe machinery is the shared server side
// (protocols/coap/observe): registration, deregistration, RST, sequence numbers.
//
// Another client may change them (TD_COAP_OBS_07-09): a PUT in the current format stores the
// value and notifies it (2.04); a PUT in the other format (text/plain <-> XML) ends every
// observation with 4.06, since the observers can no longer get the format they were served
// (RFC 7641 §4.2), and the resource is in the new format from then on; a DELETE ends every
// observation with 4.04 (§3.2, §4.2) and the resource answers 4.04 until a PUT creates it again
// (2.01) or the board's next periodic change does. That change makes a new value anyway; keeping
// /obs gone for the rest of the boot would leave every later Observe test of a run on this board
// without its resource, as a board that restores it does not.
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { accept, observeValue } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat, describeContentFormat } from '../../../../protocols/coap/content-formats.js';
import { OBSERVE_DEREGISTER, ObservableResource, OBSERVE_SEQ_MODULUS } from '../../../../protocols/coap/observe/index.js';
import { CoapBug } from '../../services/coap-bugs.js';
import type { BoardResource, LinkAttrs } from '../resource.js';
import { initialObsState, type ObsState, putValue, renderObs } from './observe-state.js';

export interface ObserveResourceOptions {
  path: string;
  title: string;
  confirmable: boolean;
  periodMs: number;
  bug(name: string): boolean;
}

/** The bug: each value one below the last (mod 2^24), which §3.4 reads as older, never newer. */
const backwards = (seq: number): number => (seq + OBSERVE_SEQ_MODULUS - 1) % OBSERVE_SEQ_MODULUS;

export function observeResource(o: ObserveResourceOptions): BoardResource {
  const obs = new ObservableResource<ObsState>({
    initial: initialObsState(),
    // a state that renders non-2.xx (deleted) makes notify() end every observation with it
    render: (s) => renderObs(o.path, s),
    confirmable: o.confirmable,
    // a client may use the value for as long as the resource keeps it (§3.3.1)
    maxAgeS: Math.max(1, Math.ceil(o.periodMs / 1000)),
    nextSeq: o.bug(CoapBug.ObserveSeqNotIncreasing) ? backwards : undefined,
  });
  let nextAt = o.periodMs;
  return {
    path: o.path,
    // a deleted resource is not listed (RFC 6690 §4); ct follows a PUT that changed the format
    get link(): LinkAttrs | undefined {
      return obs.state.exists ? { title: o.title, obs: true, rt: 'observe', ct: obs.state.cf } : undefined;
    },
    handlers: {
      GET: (x, rc) => {
        const want = accept(x.request);
        if (want === undefined || !obs.state.exists || want === obs.state.cf) return obs.handle(x, rc.ep);
        // RFC 7252 §5.10.4; a non-2.xx answer to Observe leaves the client off the list (RFC 7641 §4.1)
        const reg = observeValue(x.request);
        if (reg !== undefined) obs.observers.removeKey(x.peer, x.request.token, reg === OBSERVE_DEREGISTER ? 'deregistered' : 'refused');
        x.respond({ code: CoapCode.NOT_ACCEPTABLE, payload: `${o.path} is ${describeContentFormat(obs.state.cf)}` });
      },
      PUT: (x, rc) => {
        const put = putValue(x.request);
        if (!put.ok) return x.respond(put.answer);
        const s = obs.state;
        // RFC 7252 §5.8.3: 2.01 when the PUT creates the resource, 2.04 when it changes it
        x.respond({ code: s.exists ? CoapCode.CHANGED : CoapCode.CREATED });
        if (s.exists && put.cf !== s.cf) obs.end({ code: CoapCode.NOT_ACCEPTABLE, payload: `${o.path} is now ${describeContentFormat(put.cf)}` });
        obs.notify({ exists: true, changes: s.changes + 1, at: rc.now, cf: put.cf, value: put.value });
      },
      DELETE: (x) => {
        // RFC 7252 §5.8.4: 2.02 also when it was already gone
        x.respond({ code: CoapCode.DELETED });
        if (obs.state.exists) obs.notify({ ...obs.state, exists: false, value: undefined });
      },
    },
    poll(now) {
      if (now < nextAt) return;
      // one change per period; a board that stalled catches up with one change, not a burst
      nextAt += o.periodMs;
      if (nextAt <= now) nextAt = now + o.periodMs;
      const s = obs.state;
      // a deleted resource comes back in the board's own format, with no observer (all ended)
      const cf = s.exists ? s.cf : ContentFormat.TEXT_PLAIN;
      obs.notify({ exists: true, changes: s.changes + 1, at: now, cf, value: undefined });
    },
    busy: (ep) => obs.observers.all().some((x) => x.ep === ep),
    forget(ep) {
      obs.observers.removeEndpoint(ep);
    },
  };
}
