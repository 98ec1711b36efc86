// ETSI CoAP plugtest, TD_COAP_CORE_18-20 and 31: Location-Path and Location-Query of a created
// resource, Accept (text/plain, application/xml, and 4.06 for a format the resource lacks), and
// the CoAP ping. The conditional requests (TD_COAP_CORE_21-23) are in etsi-core-conditional.ts.
import { CoapCode, describeCode } from '../../protocols/coap/coap-codes.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import { contentFormat, locationPath, locationQuery } from '../../protocols/coap/coap-options.js';
import { ContentFormat, describeContentFormat } from '../../protocols/coap/content-formats.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { check } from '../../rig/runner/verdicts.js';
import { values } from './lib/discovery-checks.js';
import { etsiTest } from './lib/etsi-test.js';
import { expectCode, expectContent, expectContentFormat, freshText } from './lib/expect-response.js';
import { listedLink, needs } from './lib/needs.js';
import { mid4, typeName } from './lib/transport-checks.js';

const PLUGTEST = 'ETSI CoAP plugtest';
const list = (v: string[]): string => (v.length === 0 ? '(none)' : v.map((s) => JSON.stringify(s)).join(', '));

describe('ETSI CoAP plugtest: TD_COAP_CORE, options and ping', () => {
  etsiTest(
    {
      id: 'TD_COAP_CORE_18',
      title: 'Perform POST transaction with responses containing several Location-Path options (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_18`, 'RFC 7252 §5.8.2', 'RFC 7252 §5.9.1.1', 'RFC 7252 §5.10.7'],
      needs: ['/test'],
    },
    async (t) => {
      await needs(t, '/test');
      const link = await t.link();
      const a = await link.request({ method: 'POST', path: '/test', contentFormat: ContentFormat.TEXT_PLAIN, payload: freshText('TD_COAP_CORE_18') });
      expectCode(a.msg, [CoapCode.CREATED], 'RFC 7252 §5.9.1.1 (TD_COAP_CORE_18 step 3)', 'POST /test');
      const segs = locationPath(a.msg);
      check(segs.length > 0, 'RFC 7252 §5.9.1.1', `the 2.01 Created carries no Location-Path: the location of the new resource is given in Location-Path options (${describeMessage(a.msg)})`);
      const slashed = segs.filter((s) => s.includes('/') || s === '.' || s === '..');
      check(slashed.length === 0, 'RFC 7252 §5.10.7', `Location-Path values ${list(slashed)} are not single path segments (no "/", not "." or "..")`);
      const want = ['location1', 'location2', 'location3'];
      check(segs.join('/') === want.join('/'), 'ETSI TD_COAP_CORE_18 step 3', `the created resource is at /${segs.join('/')} (Location-Path ${list(segs)}); the test description expects /${want.join('/')}`);
    },
  );

  etsiTest(
    {
      id: 'TD_COAP_CORE_19',
      title: 'Perform POST transaction with responses containing several Location-Query options (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_19`, 'RFC 7252 §5.8.2', 'RFC 7252 §5.9.1.1', 'RFC 7252 §5.10.7'],
      needs: ['/location-query'],
    },
    async (t) => {
      await needs(t, '/location-query');
      const link = await t.link();
      const a = await link.request({ method: 'POST', path: '/location-query', contentFormat: ContentFormat.TEXT_PLAIN, payload: freshText('TD_COAP_CORE_19') });
      expectCode(a.msg, [CoapCode.CREATED], 'RFC 7252 §5.9.1.1 (TD_COAP_CORE_19 step 3)', 'POST /location-query');
      const q = locationQuery(a.msg);
      const bad = q.filter((s) => s.includes('?') || s.includes('&'));
      check(bad.length === 0, 'RFC 7252 §5.10.7', `Location-Query values ${list(bad)} contain "?" or "&": each option is one argument of the query`);
      check(q.join('&') === 'first=1&second=2', 'ETSI TD_COAP_CORE_19 step 3', `the 2.01 carries Location-Query ${list(q)}; the test description expects "first=1", "second=2"`);
    },
  );

  etsiTest(
    {
      id: 'TD_COAP_CORE_20',
      title: 'Perform GET transaction containing the Accept option (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_20`, 'RFC 7252 §5.8.1', 'RFC 7252 §5.10.3', 'RFC 7252 §5.10.4'],
      needs: ['/multi-format'],
    },
    async (t) => {
      await needs(t, '/multi-format');
      const link = await t.link();
      for (const want of [ContentFormat.TEXT_PLAIN, ContentFormat.XML]) {
        const target = `GET /multi-format with Accept ${describeContentFormat(want)}`;
        const a = await link.request({ method: 'GET', path: '/multi-format', accept: want });
        expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.10.4', target);
        expectContentFormat(a.msg, want, 'RFC 7252 §5.10.4', target);
        expectContent(a.msg, 'RFC 7252 §5.10.3', target);
      }
      // a format the resource does not list in its ct attribute must earn 4.06 (§5.10.4)
      const entry = await listedLink(t, '/multi-format');
      const listed = new Set(entry ? values(entry, 'ct').map(Number) : []);
      const other = [ContentFormat.CBOR, ContentFormat.JSON, ContentFormat.OCTET_STREAM, 65000].find((f) => !listed.has(f))!;
      const target = `GET /multi-format with Accept ${describeContentFormat(other)}`;
      const a = await link.request({ method: 'GET', path: '/multi-format', accept: other });
      if (a.msg.code === CoapCode.CONTENT && contentFormat(a.msg) === other) {
        t.note(`/multi-format also offers ${describeContentFormat(other)}; the 4.06 case could not be tried`);
        return;
      }
      check(
        a.msg.code === CoapCode.NOT_ACCEPTABLE,
        'RFC 7252 §5.10.4',
        `${target} was answered ${describeCode(a.msg.code)}${contentFormat(a.msg) === undefined ? '' : ` in ${describeContentFormat(contentFormat(a.msg)!)}`}: when the preferred Content-Format cannot be returned the answer is 4.06 Not Acceptable`,
      );
    },
  );

  etsiTest(
    { id: 'TD_COAP_CORE_31', title: 'Perform CoAP Ping (CON mode)', refs: [`${PLUGTEST} TD_COAP_CORE_31`, 'RFC 7252 §4.3', 'RFC 7252 §4.1'] },
    async (t) => {
      const link = await t.link();
      await link.guard(link.ep.ping());
      const log = link.client.log;
      const ping = log.find((e) => e.dir === 'out' && e.msg?.type === CoapType.CON && e.msg.code === 0)!.msg!;
      const reply = log.find((e) => e.dir === 'in' && e.msg && e.msg.mid === ping.mid && (e.msg.type === CoapType.RST || e.msg.type === CoapType.ACK))!.msg!;
      check(reply.type === CoapType.RST, 'RFC 7252 §4.3', `the ping (empty CON, MID ${mid4(ping.mid)}) was answered with an ${typeName(reply)}: a CoAP ping is answered with a Reset`);
      check(reply.code === 0 && reply.token.length === 0 && reply.options.length === 0 && reply.payload.length === 0, 'RFC 7252 §4.1', `the RST answering the ping is not an Empty message of four bytes: ${describeMessage(reply)}`);
    },
  );
});
