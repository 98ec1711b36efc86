// ETSI CoAP plugtest, TD_COAP_OBS_07-09 (RFC 7641 §3.2, §4.2): another client changes /obs while
// we observe it. DELETE ends the observation with a 4.04 without Observe; a new representation
// in another Content-Format ends it with 4.06; a new value in the same format is notified. A
// board whose /obs takes neither DELETE nor PUT (the plugtest lets the change happen "locally"
// too, which a suite cannot cause) leaves these tests inconclusive.
import { CoapCode, describeCode } from '../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import { contentFormat, observeValue } from '../../protocols/coap/coap-options.js';
import type { CoapRequestSpec } from '../../protocols/coap/coap-request.js';
import { ContentFormat, describeContentFormat } from '../../protocols/coap/content-formats.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { check, inconclusive } from '../../rig/runner/verdicts.js';
import { type EtsiContext, etsiTest } from './lib/etsi-test.js';
import { expectCode, freshText, text } from './lib/expect-response.js';
import { type Observation, observing } from './lib/observation.js';

const PLUGTEST = 'ETSI CoAP plugtest';
/** Answers that say the board does not let a client change /obs: nothing to judge then. */
const REFUSALS: readonly number[] = [CoapCode.UNAUTHORIZED, CoapCode.FORBIDDEN, CoapCode.NOT_FOUND, CoapCode.METHOD_NOT_ALLOWED, CoapCode.UNSUPPORTED_CONTENT_FORMAT, CoapCode.NOT_IMPLEMENTED];

/** Another client changes /obs; a refusal makes the test inconclusive. */
async function change(t: EtsiContext, spec: CoapRequestSpec, codes: number[]): Promise<void> {
  const other = await t.link();
  const target = `${spec.method as string} /obs (another client)`;
  const a = await other.request(spec);
  if (REFUSALS.includes(a.msg.code)) inconclusive(`${target} was answered ${describeCode(a.msg.code)}: the board does not let a client change /obs, which the test needs`);
  expectCode(a.msg, codes, 'RFC 7252 §5.8', target);
}

/** The observation must end with a final response `code` without Observe, then stay silent. */
async function expectEnd(o: Observation, code: number, id: string, after: string): Promise<void> {
  // notifications sent before the change may still come; the end follows them
  for (let i = 0; i < 5 && !o.ended; i++) if (!(await o.next())) break;
  const fin = o.ended?.res?.msg;
  check(o.ended?.reason === 'server-ended' && fin !== undefined, 'RFC 7641 §3.2', `${after} the observation was not ended within ${o.waitMs()} ms: the board owes its observers a final response`);
  check(fin.code === code, `RFC 7641 §3.2 (${id})`, `${after} the observation ended with ${describeMessage(fin)}, expected ${describeCode(code)}`);
  check(observeValue(fin) === undefined, 'RFC 7641 §4.2', `the final ${describeCode(fin.code)} carries Observe ${observeValue(fin)}: a response that ends an observation has none`);
  check(fin.type === CoapType.CON, `ETSI ${id}`, `the final ${describeCode(fin.code)} came as a ${fin.type === CoapType.NON ? 'NON' : 'ACK'}; /obs notifies in CON messages`);
  await o.expectSilence(o.midsSeen(), 'RFC 7641 §3.2', `after the final ${describeCode(fin.code)}`);
}

describe('ETSI CoAP plugtest: TD_COAP_OBS, changes to the observed resource', () => {
  etsiTest(
    { id: 'TD_COAP_OBS_07', title: 'Server cleans the observers list on DELETE', refs: [`${PLUGTEST} TD_COAP_OBS_07`, 'RFC 7641 §3.2', 'RFC 7641 §4.2', 'RFC 7252 §5.8.4'], needs: ['/obs'] },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(1, 'TD_COAP_OBS_07 step 4', { cf });
        await change(t, { method: 'DELETE', path: '/obs' }, [CoapCode.DELETED]);
        t.note('/obs was deleted: later tests that need it may be inconclusive until the board restores it');
        await expectEnd(o, CoapCode.NOT_FOUND, 'TD_COAP_OBS_07 step 8', 'after DELETE /obs');
      }),
  );

  etsiTest(
    {
      id: 'TD_COAP_OBS_08',
      title: 'Server cleans the observers list when observed resource content-format changes',
      refs: [`${PLUGTEST} TD_COAP_OBS_08`, 'RFC 7641 §3.2', 'RFC 7641 §4.2', 'RFC 7252 §5.10.4'],
      needs: ['/obs'],
    },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(1, 'TD_COAP_OBS_08 step 4', { cf });
        const other = cf === ContentFormat.XML ? ContentFormat.TEXT_PLAIN : ContentFormat.XML;
        const payload = other === ContentFormat.XML ? '<obs>TD_COAP_OBS_08</obs>' : freshText('TD_COAP_OBS_08');
        await change(t, { method: 'PUT', path: '/obs', contentFormat: other, payload }, [CoapCode.CHANGED, CoapCode.CREATED]);
        await expectEnd(o, CoapCode.NOT_ACCEPTABLE, 'TD_COAP_OBS_08 step 8', `after PUT /obs in ${describeContentFormat(other)}`);
      }),
  );

  etsiTest(
    { id: 'TD_COAP_OBS_09', title: 'Update of the observed resource', refs: [`${PLUGTEST} TD_COAP_OBS_09`, 'RFC 7641 §4.2', 'RFC 7641 §4.4', 'RFC 7252 §5.8.3'], needs: ['/obs'] },
    (t) =>
      observing(t, '/obs', true, async (o, cf) => {
        await o.expectNotifications(1, 'TD_COAP_OBS_09 step 4', { cf });
        const value = freshText('TD_COAP_OBS_09');
        await change(t, { method: 'PUT', path: '/obs', contentFormat: cf ?? ContentFormat.TEXT_PLAIN, payload: value }, [CoapCode.CHANGED, CoapCode.CREATED]);
        // the new value comes in the next notifications (one sent before the PUT may come first)
        let found = false;
        for (let i = 0; i < 5 && !found; i++) {
          const n = await o.next();
          if (!n) break;
          found = text(n.res.msg.payload) === value;
          if (found) check(contentFormat(n.res.msg) === cf && n.res.msg.code === CoapCode.CONTENT, 'RFC 7641 §4.2 (TD_COAP_OBS_09 step 8)', `the notification of the new value is ${describeMessage(n.res.msg)}`);
        }
        check(found, 'RFC 7641 §4.2', `after PUT /obs "${value}" no notification carried the new value within ${o.waitMs()} ms: observers are notified of every new state`);
        o.checkSequence();
      }),
  );
});
