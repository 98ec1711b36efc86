// ETSI CoAP plugtest, TD_COAP_CORE_09, 11 and 17: /separate answers only after a while, so a CON
// request gets an empty ACK first and the answer later in a CON of its own (RFC 7252 §5.2.2);
// a NON request gets no ACK at all and its answer in a NON (§5.2.3). The lossy variants
// (TD_COAP_CORE_15, 16) need a gateway that drops packets and are not part of this suite.
import { CoapRequestError } from '../../protocols/coap/client-requests.js';
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import type { CoapRequestSpec } from '../../protocols/coap/coap-request.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { check, inconclusive, RuleViolation } from '../../rig/runner/verdicts.js';
import { answerWaitMs, type EtsiContext, etsiTest } from './lib/etsi-test.js';
import { expectCode, expectContent } from './lib/expect-response.js';
import type { Answer, Link } from './lib/link.js';
import { needs } from './lib/needs.js';
import { emptyAckFor, mid4, typeName } from './lib/transport-checks.js';

const PLUGTEST = 'ETSI CoAP plugtest';

/** The request, and a silent board after its empty ACK made a rule violation (§5.2.2). */
async function requestSeparate(t: EtsiContext, link: Link, spec: CoapRequestSpec): Promise<Answer> {
  const wait = answerWaitMs(t);
  try {
    return await link.request({ ...spec, timeoutMs: wait });
  } catch (e) {
    if (!(e instanceof CoapRequestError) || e.reason !== 'timeout') throw e;
    const ack = emptyAckFor(link.client.log, e.request);
    if (e.request.type === CoapType.CON && ack) {
      throw new RuleViolation('RFC 7252 §5.2.2', `the board acknowledged ${describeMessage(e.request)} with an empty ACK, then sent no response within ${wait} ms: after the empty ACK the server still owes the answer`);
    }
    // a NON is not acknowledged: only a ping tells a silent resource from a dead link
    if (e.request.type === CoapType.NON && (await link.client.alive())) {
      throw new RuleViolation('RFC 7252 §5.2.2', `no response to ${describeMessage(e.request)} within ${wait} ms, while the board answers a ping: the resource's answer, when ready, is sent to the client`);
    }
    throw e;
  }
}

/** TD_COAP_CORE_09 and 11: empty ACK with MID = CMID, then a CON 2.05 with the token, then our ACK. */
async function separateCon(t: EtsiContext, id: string, token?: Uint8Array): Promise<void> {
  await needs(t, '/separate');
  const link = await t.link();
  const a = await requestSeparate(t, link, { method: 'GET', path: '/separate', ...(token ? { token } : {}) });
  if (a.mode === 'piggybacked') inconclusive('the board answered GET /separate piggybacked in the ACK: the test needs a resource whose answer is not ready at once');
  const target = 'CON GET /separate';
  check(a.emptyAck !== undefined, `RFC 7252 §5.2.2 (${id} step 3)`, `the separate ${describeMessage(a.msg)} came without an empty ACK with the request's MID ${mid4(a.req.mid)} before it`);
  check(a.msg.type === CoapType.CON, `RFC 7252 §5.2.2 (${id} step 4)`, `the separate response came as a ${typeName(a.msg)}: it is sent as a Confirmable message (${describeMessage(a.msg)})`);
  expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', target);
  expectContent(a.msg, `RFC 7252 §5.10.3 (${id} step 4)`, target);
}

describe('ETSI CoAP plugtest: TD_COAP_CORE, separate responses', () => {
  etsiTest(
    {
      id: 'TD_COAP_CORE_09',
      title: 'Perform GET transaction with separate response (CON mode, no piggyback)',
      refs: [`${PLUGTEST} TD_COAP_CORE_09`, 'RFC 7252 §5.8.1', 'RFC 7252 §5.2.2', 'RFC 7252 §4.2'],
      needs: ['/separate'],
    },
    (t) => separateCon(t, 'TD_COAP_CORE_09'),
  );

  etsiTest(
    {
      id: 'TD_COAP_CORE_11',
      title: 'Perform GET transaction containing non-empty Token with a separate response (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_11`, 'RFC 7252 §2.2', 'RFC 7252 §5.2.2', 'RFC 7252 §5.8.1', 'RFC 7252 §5.3.2'],
      needs: ['/separate'],
    },
    (t) => separateCon(t, 'TD_COAP_CORE_11', Uint8Array.of(0xc0, 0xa9, 0x11, 0x7e, 0x5e)),
  );

  etsiTest(
    {
      id: 'TD_COAP_CORE_17',
      title: 'Perform GET transaction with a separate response (NON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_17`, 'RFC 7252 §2.2', 'RFC 7252 §5.2.2', 'RFC 7252 §5.2.3', 'RFC 7252 §5.8.1'],
      needs: ['/separate'],
    },
    async (t) => {
      await needs(t, '/separate');
      const link = await t.link();
      const a = await requestSeparate(t, link, { method: 'GET', path: '/separate', confirmable: false });
      const target = 'NON GET /separate';
      const ack = emptyAckFor(link.client.log, a.req);
      check(ack === undefined, 'RFC 7252 §4.3 (TD_COAP_CORE_17 step 3)', `the board sent an empty ACK with MID ${mid4(a.req.mid)} for a NON request: a NON is never acknowledged`);
      expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', target);
      expectContent(a.msg, 'RFC 7252 §5.10.3 (TD_COAP_CORE_17 step 4)', target);
    },
  );
});
