// ETSI CoAP plugtest, TD_COAP_CORE_01-08, 10, 12-14 (test descriptions of the CoAP#4 plugtest,
// as F-Interop's ioppytest runs them): the four methods in CON and NON mode on /test, tokens of
// eight bytes and of none, a path of several segments and a query of several parameters.
// Every answer is also checked for how it travelled (piggybacked in the ACK with the request's
// Message ID, or separate; a NON answer to a NON; the token echoed), see lib/transport-checks.ts.
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import type { CoapMethod } from '../../protocols/coap/coap-request.js';
import { ContentFormat } from '../../protocols/coap/content-formats.js';
import { answerWaitMs, type EtsiContext, etsiTest } from './lib/etsi-test.js';
import { expectCode, expectContent, expectContentFormatIfPayload, freshText } from './lib/expect-response.js';
import type { Answer } from './lib/link.js';
import { needs } from './lib/needs.js';
import { typeName } from './lib/transport-checks.js';

const PLUGTEST = 'ETSI CoAP plugtest';
const rfc = (...sections: string[]): string[] => sections.map((s) => `RFC 7252 §${s}`);

interface MethodCase {
  id: string;
  title: string;
  method: CoapMethod;
  confirmable: boolean;
  codes: number[];
  /** the section of the method (§5.8.x) and the rest the TD cites */
  refs: string[];
}

const CASES: MethodCase[] = [
  { id: 'TD_COAP_CORE_01', title: 'Perform GET transaction (CON mode)', method: 'GET', confirmable: true, codes: [CoapCode.CONTENT], refs: rfc('5.8.1', '1.2', '2.1', '2.2', '3.1', '5.2.1') },
  { id: 'TD_COAP_CORE_02', title: 'Perform DELETE transaction (CON mode)', method: 'DELETE', confirmable: true, codes: [CoapCode.DELETED], refs: rfc('5.8.4', '1.2', '2.1', '2.2', '3.1', '5.2.1') },
  { id: 'TD_COAP_CORE_03', title: 'Perform PUT transaction (CON mode)', method: 'PUT', confirmable: true, codes: [CoapCode.CHANGED, CoapCode.CREATED], refs: rfc('5.8.3', '1.2', '2.1', '2.2', '3.1', '5.2.1') },
  { id: 'TD_COAP_CORE_04', title: 'Perform POST transaction (CON mode)', method: 'POST', confirmable: true, codes: [CoapCode.CREATED, CoapCode.CHANGED], refs: rfc('5.8.2', '1.2', '2.1', '2.2', '3.1', '5.2.1') },
  { id: 'TD_COAP_CORE_05', title: 'Perform GET transaction (NON mode)', method: 'GET', confirmable: false, codes: [CoapCode.CONTENT], refs: rfc('5.8.1', '5.2.3') },
  { id: 'TD_COAP_CORE_06', title: 'Perform DELETE transaction (NON mode)', method: 'DELETE', confirmable: false, codes: [CoapCode.DELETED], refs: rfc('5.8.4', '5.2.3') },
  { id: 'TD_COAP_CORE_07', title: 'Perform PUT transaction (NON mode)', method: 'PUT', confirmable: false, codes: [CoapCode.CHANGED, CoapCode.CREATED], refs: rfc('5.8.3', '5.2.3') },
  { id: 'TD_COAP_CORE_08', title: 'Perform POST transaction (NON mode)', method: 'POST', confirmable: false, codes: [CoapCode.CREATED, CoapCode.CHANGED], refs: rfc('5.8.2', '5.2.3') },
];

/** The TD wants the CON answers piggybacked (Message ID = CMID); RFC 7252 §5.2.2 lets a server answer separately. */
function noteSeparate(t: EtsiContext, a: Answer, id: string): void {
  if (a.mode === 'separate') t.note(`${id}: the board answered separately (${a.emptyAck ? 'empty ACK, then ' : ''}a ${typeName(a.msg)}); the TD expects a piggybacked answer, RFC 7252 §5.2.2 allows either`);
}

describe('ETSI CoAP plugtest: TD_COAP_CORE, methods and tokens', () => {
  for (const c of CASES) {
    etsiTest({ id: c.id, title: c.title, refs: [`${PLUGTEST} ${c.id}`, ...c.refs], needs: ['/test'] }, async (t) => {
      await needs(t, '/test');
      const link = await t.link();
      const carriesBody = c.method === 'PUT' || c.method === 'POST';
      const target = `${c.confirmable ? 'CON' : 'NON'} ${c.method} /test`;
      const a = await link.request({
        method: c.method,
        path: '/test',
        confirmable: c.confirmable,
        ...(carriesBody ? { contentFormat: ContentFormat.TEXT_PLAIN, payload: freshText(`${c.id} ${c.method}`) } : {}),
        ...(c.confirmable ? {} : { timeoutMs: answerWaitMs(t) }),
      });
      expectCode(a.msg, c.codes, c.refs[0]!, target);
      const cfRule = `RFC 7252 §5.10.3 (${c.id} step ${carriesBody ? 4 : 3})`;
      if (c.method === 'GET') expectContent(a.msg, cfRule, target);
      else expectContentFormatIfPayload(a.msg, cfRule, target);
      noteSeparate(t, a, c.id);
    });
  }

  etsiTest(
    { id: 'TD_COAP_CORE_10', title: 'Perform GET transaction containing non-empty Token (CON mode)', refs: [`${PLUGTEST} TD_COAP_CORE_10`, ...rfc('2.2', '5.8.1', '5.10.1', '5.3.2')], needs: ['/test'] },
    async (t) => {
      await needs(t, '/test');
      const link = await t.link();
      // the longest token there is: every byte of it must come back (§3: 0-8 bytes)
      const token = Uint8Array.from({ length: 8 }, () => Math.floor(Math.random() * 256));
      const a = await link.request({ method: 'GET', path: '/test', token });
      expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', 'GET /test with an 8-byte token');
      expectContent(a.msg, 'RFC 7252 §5.10.3 (TD_COAP_CORE_10 step 3)', 'GET /test');
      noteSeparate(t, a, 'TD_COAP_CORE_10');
    },
  );

  etsiTest(
    { id: 'TD_COAP_CORE_12', title: 'Perform GET transaction using empty Token (CON mode)', refs: [`${PLUGTEST} TD_COAP_CORE_12`, ...rfc('2.2', '5.8.1', '5.10.1', '5.3.1', '5.3.2')], needs: ['/test'] },
    async (t) => {
      await needs(t, '/test');
      const link = await t.link();
      const a = await link.request({ method: 'GET', path: '/test', token: new Uint8Array(0) });
      expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', 'GET /test with an empty token');
      expectContent(a.msg, 'RFC 7252 §5.10.3 (TD_COAP_CORE_12 step 3)', 'GET /test');
      noteSeparate(t, a, 'TD_COAP_CORE_12');
    },
  );

  etsiTest(
    { id: 'TD_COAP_CORE_13', title: 'Perform GET transaction containing several URI-Path options (CON mode)', refs: [`${PLUGTEST} TD_COAP_CORE_13`, ...rfc('5.4.5', '5.10.1', '6.5')], needs: ['/seg1/seg2/seg3'] },
    async (t) => {
      await needs(t, '/seg1/seg2/seg3');
      const link = await t.link();
      const a = await link.request({ method: 'GET', path: '/seg1/seg2/seg3' });
      expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.10.1', 'GET /seg1/seg2/seg3 (three Uri-Path options)');
      expectContent(a.msg, 'RFC 7252 §5.10.3 (TD_COAP_CORE_13 step 3)', 'GET /seg1/seg2/seg3');
      noteSeparate(t, a, 'TD_COAP_CORE_13');
    },
  );

  etsiTest(
    { id: 'TD_COAP_CORE_14', title: 'Perform GET transaction containing several URI-Query options (CON mode)', refs: [`${PLUGTEST} TD_COAP_CORE_14`, ...rfc('5.4.5', '5.10.1', '6.5')], needs: ['/query'] },
    async (t) => {
      await needs(t, '/query');
      const link = await t.link();
      const a = await link.request({ method: 'GET', path: '/query', query: ['first=1', 'second=2', 'third=3'] });
      expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.10.1', 'GET /query?first=1&second=2&third=3 (three Uri-Query options)');
      expectContent(a.msg, 'RFC 7252 §5.10.3 (TD_COAP_CORE_14 step 3)', 'GET /query');
      noteSeparate(t, a, 'TD_COAP_CORE_14');
    },
  );
});
