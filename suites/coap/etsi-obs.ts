// ETSI CoAP plugtest, TD_COAP_OBS_01, 02, 04 and 10 (RFC 7641): observing /obs (CON
// notifications) and /obs-non (NON notifications), a re-registration under the same token, and a
// plain GET that must leave the observation alone. Cancellation (OBS_06, 12) is in
// etsi-obs-cancel.ts, changes made to /obs by a client (OBS_07-09) in etsi-obs-update.ts.
// Not here: OBS_05 (a client that stays silent for MAX_TRANSMIT_WAIT, 93 s at the RFC's
// parameters) and OBS_11 (a lossy gateway).
import { tokenKey } from '../../protocols/coap/client-requests.js';
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import { observeValue } from '../../protocols/coap/coap-options.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { check, inconclusive } from '../../rig/runner/verdicts.js';
import { etsiTest } from './lib/etsi-test.js';
import { expectCode, expectContentFormat } from './lib/expect-response.js';
import { type Notification, observing } from './lib/observation.js';
import { mid4 } from './lib/transport-checks.js';

const PLUGTEST = 'ETSI CoAP plugtest';
const OBS_REFS = ['RFC 7641 §1.2', 'RFC 7641 §3', 'RFC 7641 §4'];

/** /obs is specified to notify in CON messages; a board whose /obs notifies in NON offers another resource. */
function expectConNotifications(ns: Notification[]): void {
  const non = ns.filter((n) => n.res.msg.type !== CoapType.CON);
  if (non.length > 0) inconclusive(`/obs sent ${describeMessage(non[0]!.res.msg)}: the test needs a resource whose notifications are confirmable`);
}

const maxAges = (ns: Notification[]): string => ns.map((n) => `${n.info.maxAgeS} s`).join(', ');

describe('ETSI CoAP plugtest: TD_COAP_OBS, observing', () => {
  etsiTest(
    { id: 'TD_COAP_OBS_01', title: 'Handle resource observation with CON messages', refs: [`${PLUGTEST} TD_COAP_OBS_01`, ...OBS_REFS, 'RFC 7641 §3.3.1', 'RFC 7641 §4.4'], needs: ['/obs'] },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        const ns = await o.expectNotifications(2, 'TD_COAP_OBS_01 step 4', { cf });
        expectConNotifications(ns);
        t.note(`/obs: Observe ${o.recorder.seqs.join(', ')}; Max-Age ${maxAges(o.all)}`);
      }),
  );

  etsiTest(
    { id: 'TD_COAP_OBS_02', title: 'Handle resource observation with NON messages', refs: [`${PLUGTEST} TD_COAP_OBS_02`, ...OBS_REFS, 'RFC 7641 §4.5', 'RFC 7252 §5.2.3'], needs: ['/obs-non'] },
    (t) =>
      observing(t, '/obs-non', false, async (o, cf) => {
        const ns = await o.expectNotifications(2, 'TD_COAP_OBS_02 step 3', { cf });
        // §4.5 lets a server send a CON now and then; a stream of nothing but CONs is no NON resource
        check(ns.some((n) => n.res.msg.type === CoapType.NON), 'ETSI TD_COAP_OBS_02 step 3', `every notification of /obs-non came as a CON (${ns.map((n) => describeMessage(n.res.msg)).join('; ')}): /obs-non notifies in NON messages`);
        t.note(`/obs-non: Observe ${o.recorder.seqs.join(', ')}; Max-Age ${maxAges(o.all)}`);
      }),
  );

  etsiTest(
    {
      id: 'TD_COAP_OBS_04',
      title: 'Client detection of deregistration (Max-Age)',
      refs: [`${PLUGTEST} TD_COAP_OBS_04`, 'RFC 7641 §3.3.1', 'RFC 7641 §4.1', 'RFC 7641 §4.4'],
      needs: ['/obs'],
    },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(1, 'TD_COAP_OBS_04 step 4', { cf });
        // the description reboots the server so that it forgets us; the suite cannot, so the
        // client's side of the step is played at once: register again with the same token t
        t.note('the server-reboot step of TD_COAP_OBS_04 is not performed (the suite cannot reboot the board); the client re-registers with the same token right away');
        const mark = o.all.length;
        o.handle.reregister();
        const again = await o.next(o.waitMs(), (n) => n.info.registration);
        if (!again) inconclusive(`the re-registration of /obs ${o.ended ? `ended the observation (${o.ended.reason})` : 'got no answer with an Observe option'}: the board did not take it`);
        expectCode(again.res.msg, [CoapCode.CONTENT], 'RFC 7641 §4.1', 'GET /obs with Observe=0 (re-registration, same token)');
        check(observeValue(again.res.msg) !== undefined, 'RFC 7641 §4.1', `the answer to the re-registration has no Observe option: ${describeMessage(again.res.msg)}`);
        expectContentFormat(again.res.msg, cf, 'RFC 7641 §4.2 (TD_COAP_OBS_04 step 12)', 'the re-registration');
        await o.expectNotifications(2, 'TD_COAP_OBS_04 step 13', { cf });
        // one entry per token (§4.1): two entries would notify each change twice, new MIDs, same Observe
        const after = o.all.slice(mark).filter((n) => !n.info.registration);
        const bySeq = new Map<number, number>();
        for (const n of after) {
          const mid = bySeq.get(n.info.seq);
          check(mid === undefined || mid === n.res.msg.mid, 'RFC 7641 §4.1', `after the re-registration Observe ${n.info.seq} came twice (MIDs ${mid4(mid ?? 0)} and ${mid4(n.res.msg.mid)}): a re-registration with the same token replaces the entry, it does not add one`);
          bySeq.set(n.info.seq, n.res.msg.mid);
        }
        o.checkSequence(o.all.indexOf(again));
      }),
  );

  etsiTest(
    { id: 'TD_COAP_OBS_10', title: 'GET does not cancel resource observation', refs: [`${PLUGTEST} TD_COAP_OBS_10`, ...OBS_REFS], needs: ['/obs'] },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(1, 'TD_COAP_OBS_10 step 4', { cf });
        const plain = await o.link.request({ method: 'GET', path: '/obs' });
        expectCode(plain.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', 'GET /obs without Observe');
        expectContentFormat(plain.msg, cf, 'RFC 7252 §5.10.3 (TD_COAP_OBS_10 step 9)', 'GET /obs without Observe');
        check(tokenKey(plain.msg.token) !== tokenKey(o.handle.token), 'RFC 7252 §5.3.2', 'the plain GET was answered with the observation\'s token');
        check(observeValue(plain.msg) === undefined, 'RFC 7641 §2 (TD_COAP_OBS_10 step 9)', `the answer to a GET without Observe carries Observe ${observeValue(plain.msg)}: only a registration is answered with a notification`);
        // the observation goes on: more notifications with token t, still increasing
        await o.expectNotifications(2, 'TD_COAP_OBS_10 step 10', { cf });
      }),
  );
});
