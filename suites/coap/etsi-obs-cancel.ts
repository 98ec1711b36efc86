// ETSI CoAP plugtest, TD_COAP_OBS_06 and 12 (RFC 7641 §3.6): the two ways a client ends an
// observation. OBS_06: the client forgets it (a reboot, in the description) and answers the next
// notification with RST; OBS_12: the client sends the registration's GET again with Observe=1.
// Either way the board must stop notifying: a window of 1.5 notification intervals stays silent.
import { tokenKey } from '../../protocols/coap/client-requests.js';
import { CoapCode, isResponse } from '../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import { observeValue } from '../../protocols/coap/coap-options.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { check, inconclusive } from '../../rig/runner/verdicts.js';
import { etsiTest } from './lib/etsi-test.js';
import { expectCode, expectContentFormat } from './lib/expect-response.js';
import { type Observation, observing } from './lib/observation.js';
import { checkAnswerTransport, mid4 } from './lib/transport-checks.js';

const PLUGTEST = 'ETSI CoAP plugtest';

describe('ETSI CoAP plugtest: TD_COAP_OBS, ending an observation', () => {
  etsiTest(
    { id: 'TD_COAP_OBS_06', title: 'Server detection of deregistration (explicit RST)', refs: [`${PLUGTEST} TD_COAP_OBS_06`, 'RFC 7641 §3.6', 'RFC 7641 §4.5', 'RFC 7252 §4.2'], needs: ['/obs'] },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(2, 'TD_COAP_OBS_06 step 4', { cf });
        // the client "reboots": it forgets the token, so the endpoint rejects the next notification with RST
        await o.handle.cancel({ how: 'rst' });
        const token = tokenKey(o.handle.token);
        const seen = o.midsSeen();
        const rejected = await o.link.client.waitFor((m) => tokenKey(m.token) === token && isResponse(m.code) && !seen.has(m.mid), o.waitMs());
        if (!rejected) inconclusive(`no notification came within ${o.waitMs()} ms to be rejected with RST`);
        const rst = o.link.client.log.find((e) => e.dir === 'out' && e.msg?.type === CoapType.RST && e.msg.mid === rejected.mid);
        if (!rst) throw new Error(`the rig did not reject ${describeMessage(rejected)} with an RST`);
        seen.add(rejected.mid);
        await o.expectSilence(seen, 'RFC 7641 §3.6', `after our RST to notification MID ${mid4(rejected.mid)}`);
      }),
  );

  etsiTest(
    { id: 'TD_COAP_OBS_12', title: 'GET with Observe=1 does cancel resource observation', refs: [`${PLUGTEST} TD_COAP_OBS_12`, 'RFC 7641 §3.6', 'RFC 7641 §2'], needs: ['/obs'] },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(2, 'TD_COAP_OBS_12 step 4', { cf });
        const res = await o.link.guard(o.handle.cancel({ how: 'get' }));
        if (!res) throw new Error('the deregistration GET brought no response');
        const a = checkAnswerTransport(o.link.client.log, res);
        const target = 'GET /obs with Observe=1 (same token)';
        expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7641 §3.6', target);
        expectContentFormat(a.msg, cf, 'RFC 7252 §5.10.3 (TD_COAP_OBS_12 step 9)', target);
        check(observeValue(a.msg) === undefined, 'RFC 7641 §3.6', `the answer to the deregistration carries Observe ${observeValue(a.msg)}: a GET with Observe=1 is served as a plain GET, the client is no longer an observer`);
        await o.expectSilence(o.midsSeen(), 'RFC 7641 §3.6', 'after the deregistration (GET with Observe=1)');
      }),
  );
});
