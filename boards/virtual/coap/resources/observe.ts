// /obs and /obs-non (TD_COAP_OBS_*): observable resources whose state changes every period of
// board time (5 s in the plugtest; shorter for tests), notifying every observer: /obs with CON
// notifications, /obs-non with NON ones. The Observe machinery is the shared server side
// (protocols/coap/observe): registration, deregistration, RST, sequence numbers.
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import { ObservableResource, OBSERVE_SEQ_MODULUS } from '../../../../protocols/coap/observe/index.js';
import { CoapBug } from '../../services/coap-bugs.js';
import type { BoardResource } from '../resource.js';

interface ObsState {
  changes: number;
  at: number;
}

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
    initial: { changes: 0, at: 0 },
    render: (s) => ({ code: CoapCode.CONTENT, contentFormat: ContentFormat.TEXT_PLAIN, payload: `${o.path} change ${s.changes} at ${(s.at / 1000).toFixed(1)} s` }),
    confirmable: o.confirmable,
    // a client may use the value for as long as the resource keeps it (§3.3.1)
    maxAgeS: Math.max(1, Math.ceil(o.periodMs / 1000)),
    nextSeq: o.bug(CoapBug.ObserveSeqNotIncreasing) ? backwards : undefined,
  });
  let nextAt = o.periodMs;
  return {
    path: o.path,
    link: { title: o.title, obs: true, rt: 'observe', ct: 0 },
    handlers: { GET: (x, rc) => obs.handle(x, rc.ep) },
    poll(now) {
      if (now < nextAt) return;
      // one change per period; a board that stalled catches up with one change, not a burst
      nextAt += o.periodMs;
      if (nextAt <= now) nextAt = now + o.periodMs;
      obs.notify({ changes: obs.state.changes + 1, at: now });
    },
    busy: (ep) => obs.observers.all().some((x) => x.ep === ep),
    forget(ep) {
      obs.observers.removeEndpoint(ep);
    },
  };
}
