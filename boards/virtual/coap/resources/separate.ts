// /separate (TD_COAP_CORE_09, 15-17): the answer takes longer than the endpoint waits before it
// acknowledges a CON with an empty ACK, so a CON request gets an empty ACK and then the answer
// as a separate CON response (RFC 7252 §5.2.2); a NON request gets a NON answer after the delay.
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import { CoapBug } from '../../services/coap-bugs.js';
import type { BoardResource } from '../resource.js';
import { describeRequest } from './describe.js';

export function separateResource(delayMs: number): BoardResource {
  const pending: { x: CoapExchange; dueAt: number }[] = [];
  return {
    path: '/separate',
    link: { title: 'Resource which cannot be served immediately and which cannot be acknowledged in a piggy-backed way' },
    handlers: {
      GET: (x, rc) => {
        // the bug: the endpoint's empty ACK still goes out, the answer never does
        if (rc.bug(CoapBug.SeparateNeverSent)) return;
        pending.push({ x, dueAt: rc.now + delayMs });
      },
    },
    poll(now) {
      for (let i = 0; i < pending.length; ) {
        const p = pending[i]!;
        if (p.dueAt > now) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        if (!p.x.responded) p.x.respond({ code: CoapCode.CONTENT, contentFormat: ContentFormat.TEXT_PLAIN, payload: describeRequest(p.x.request) });
      }
    },
    busy: (ep) => pending.some((p) => p.x.peer === ep.io.peer()),
    forget(ep) {
      // the exchanges of an endpoint that went away have nobody to answer to
      for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.x.peer === ep.io.peer()) pending.splice(i, 1);
    },
  };
}
