// RFC 7252 exchanges the plugtests take for granted: the piggybacked response (§4.2, §5.2.1,
// §5.3.2), 4.04 for a missing resource, the type of the response to a NON (§5.2.3), a duplicate
// CON answered the same way and processed once (§4.5), the separate response after an empty ACK
// (§5.2.2), and no payload marker without a payload in a response (§3).
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { check, coapTest } from '../../rig/runner/suite-api.js';
import { inconclusive } from '../../rig/runner/verdicts.js';
import { confirmable } from './rfc-lib/confirmable.js';
import { duplicateCon } from './rfc-lib/duplicate.js';
import { exchangeLifetimeMs, openLink, transmitWaitMs } from './rfc-lib/link.js';
import { unanswered } from './rfc-lib/liveness.js';
import { nonConfirmable } from './rfc-lib/non-confirmable.js';
import { requireResource } from './rfc-lib/resources.js';
import { codeText, messageText, midText, requestText } from './rfc-lib/text.js';

const SUITE = 'coap';
/** a path no board serves: a fresh name each run */
const missingPath = (): string => `/hilrig-no-such-resource-${Math.floor(Math.random() * 1e9).toString(36)}`;

describe('RFC 7252: exchanges', () => {
  coapTest(
    SUITE,
    {
      id: 'RFC7252_5.2.1_PIGGYBACKED_RESPONSE',
      title: 'A CON request answered at once gets its response in the ACK: same Message ID, token echoed',
      refs: ['RFC 7252 §4.2', 'RFC 7252 §5.2.1', 'RFC 7252 §5.3.2'],
    },
    async (t) => {
      const l = await openLink(t);
      // any resource and any response code will do: the rules are about the message layer
      const a = await confirmable(l, { method: 'GET', path: '/.well-known/core' });
      if (!a.piggybacked) t.note(`the board answered ${requestText(a.request)} with a separate response (${messageText(a.response)}), as §5.2.2 allows`);
    },
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_5.9.2.5_NOT_FOUND',
      title: 'A CON to a resource that does not exist is answered 4.04 Not Found, piggybacked, token echoed',
      refs: ['RFC 7252 §5.9.2.5', 'RFC 7252 §5.2.1', 'RFC 7252 §4.2', 'RFC 7252 §5.3.2'],
    },
    async (t) => {
      const l = await openLink(t);
      const a = await confirmable(l, { method: 'GET', path: missingPath() });
      check(a.response.code === CoapCode.NOT_FOUND, 'RFC 7252 §5.9.2.5', `${requestText(a.request)} for a resource that does not exist was answered ${codeText(a.response.code)}, not 4.04 Not Found`);
      if (!a.piggybacked) t.note(`4.04 came as a separate response (${messageText(a.response)}), which §5.2.2 allows`);
    },
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_5.2.3_NON_RESPONSE_TYPE',
      title: 'The response to a NON request is a NON, never a CON with the request\'s Message ID',
      refs: ['RFC 7252 §5.2.3', 'RFC 7252 §4.3', 'RFC 7252 §5.3.2'],
    },
    async (t) => {
      const l = await openLink(t);
      const o = await nonConfirmable(l, { method: 'GET', path: '/.well-known/core' }, transmitWaitMs(l));
      const req = requestText(o.request);
      if (o.kind === 'silence') return unanswered(l, 'RFC 7252 §5.2.3', `${req} got no response within ${o.waitedMs} ms`);
      check(o.kind === 'response', 'RFC 7252 §5.2.3', `the board rejected the well-formed ${req} with ${o.kind === 'reset' ? messageText(o.reset) : ''}`);
      const r = o.response;
      if (r.type === CoapType.CON && r.mid === o.request.mid) {
        check(false, 'RFC 7252 §5.2.3', `${req} was answered by ${messageText(r)}: a CON reusing the request's Message ID ${midText(o.request.mid)}; the response to a NON is a NON`);
      }
      check(r.type === CoapType.NON, 'RFC 7252 §5.2.3', `${req} was answered by ${messageText(r)}; a request in a NON SHOULD be answered with a NON`);
    },
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_4.5_DUPLICATE_CON',
      title: 'A duplicate CON is answered with the same response and not processed twice',
      refs: ['RFC 7252 §4.5'],
      needs: ['POST /test answering "POST n processed" (to show processing)'],
    },
    async (t) => duplicateCon(await openLink(t)),
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_5.2.2_SEPARATE_RESPONSE',
      title: 'After an empty ACK the separate response is sent, echoing the token, within EXCHANGE_LIFETIME',
      refs: ['RFC 7252 §5.2.2', 'RFC 7252 §4.2', 'RFC 7252 §5.3.2'],
      needs: ['/separate'],
    },
    async (t) => {
      const l = await openLink(t);
      const a = await confirmable(l, { method: 'GET', path: '/separate' }, { separateWithinMs: exchangeLifetimeMs(l) });
      requireResource(a.response, 'GET', '/separate', 'no resource to provoke a separate response');
      if (a.piggybacked) inconclusive(`the board answered ${requestText(a.request)} piggybacked (${messageText(a.response)}): no separate response to judge`);
      t.note(`separate response: ${messageText(a.response)}`);
    },
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_3_RESPONSE_EMPTY_PAYLOAD_MARKER',
      title: 'A response without payload carries no payload marker (a marker with nothing after it is a format error)',
      refs: ['RFC 7252 §3'],
    },
    async (t) => {
      const l = await openLink(t);
      // confirmable() and nonConfirmable() fail under §3 on a malformed answer; this test makes
      // the board answer without a payload, CON and NON, and says when it could not
      const con = await confirmable(l, { method: 'GET', path: missingPath() });
      const non = await nonConfirmable(l, { method: 'GET', path: missingPath() }, transmitWaitMs(l));
      const empty = [con.response, ...(non.kind === 'response' ? [non.response] : [])].filter((m) => m.payload.length === 0);
      if (empty.length === 0) inconclusive('every response provoked (4.04 for a missing resource, CON and NON) carried a payload: no response without one to judge');
      t.note(`${empty.length} response(s) without payload, none with a payload marker: ${empty.map(messageText).join('; ')}`);
    },
  );
});
