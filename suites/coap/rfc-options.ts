// RFC 7252 §5.4.1: an unrecognized critical option (an odd number) in a CON request earns 4.02
// Bad Option, piggybacked; in a NON request the message is rejected (§4.3: an RST, or silence).
// The option is 65001, from the experimental range (§12.2): critical, and no board knows it.
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import { check, coapTest } from '../../rig/runner/suite-api.js';
import { confirmable } from './rfc-lib/confirmable.js';
import { ackWindowMs, openLink } from './rfc-lib/link.js';
import { aliveAfter, aliveBefore } from './rfc-lib/liveness.js';
import { nonConfirmable } from './rfc-lib/non-confirmable.js';
import { codeText, messageText, midText, requestText } from './rfc-lib/text.js';

const SUITE = 'coap';
const UNKNOWN_CRITICAL = 65001;
const RULE = 'RFC 7252 §5.4.1';
const spec = { method: 'GET' as const, path: '/.well-known/core', options: [{ number: UNKNOWN_CRITICAL, value: 'hilrig' }] };

describe('RFC 7252: unrecognized critical options', () => {
  coapTest(
    SUITE,
    {
      id: 'RFC7252_5.4.1_UNKNOWN_CRITICAL_CON',
      title: 'A CON request with an unrecognized critical option is answered 4.02 Bad Option, piggybacked',
      refs: ['RFC 7252 §5.4.1', 'RFC 7252 §5.9.2.3', 'RFC 7252 §5.2.1'],
    },
    async (t) => {
      const l = await openLink(t);
      const a = await confirmable(l, spec);
      const extra = a.response.code === CoapCode.NOT_FOUND ? ' (a board checks the options whatever the resource)' : '';
      check(a.response.code === CoapCode.BAD_OPTION, RULE, `${requestText(a.request)} with critical option ${UNKNOWN_CRITICAL} was answered ${codeText(a.response.code)}, not 4.02 Bad Option${extra}`);
      if (!a.piggybacked) t.note(`4.02 came as a separate response (${messageText(a.response)})`);
    },
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_5.4.1_UNKNOWN_CRITICAL_NON',
      title: 'A NON request with an unrecognized critical option is rejected: an RST or silence, never a response',
      refs: ['RFC 7252 §5.4.1', 'RFC 7252 §4.3'],
    },
    async (t) => {
      const l = await openLink(t);
      await aliveBefore(l, 'a NON with an unrecognized critical option');
      const o = await nonConfirmable(l, spec, ackWindowMs(l));
      const req = requestText(o.request);
      if (o.kind === 'response') {
        check(false, RULE, `${req} with critical option ${UNKNOWN_CRITICAL} was answered by ${messageText(o.response)}; a NON with an unrecognized critical option is rejected (an RST or nothing, §4.3)`);
      }
      if (o.kind === 'reset') {
        check(o.reset.mid === o.request.mid, 'RFC 7252 §4.3', `the RST rejecting ${req} carries MID ${midText(o.reset.mid)}, not ${midText(o.request.mid)}`);
        t.note(`rejected with ${messageText(o.reset)}`);
      } else {
        t.note(`ignored silently for ${o.waitedMs} ms`);
      }
      await aliveAfter(l, RULE, req);
    },
  );
});
