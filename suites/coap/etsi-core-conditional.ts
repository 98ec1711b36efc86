// ETSI CoAP plugtest, TD_COAP_CORE_21-23: validation and conditional requests. /validate carries
// an ETag that changes with its representation: a GET naming the current ETag earns 2.03 Valid
// (RFC 7252 §5.10.6.2), a PUT whose If-Match names a stale ETag earns 4.12 (§5.10.8.1). /create1
// does not exist until a PUT with If-None-Match creates it; a second such PUT earns 4.12
// (§5.10.8.2). "Another client" of the descriptions is a second link of the same test.
import { CoapCode, describeCode } from '../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, etags } from '../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../protocols/coap/content-formats.js';
import type { CoapMessage } from '../../protocols/coap/coap-types.js';
import { check, inconclusive } from '../../rig/runner/verdicts.js';
import { etsiTest } from './lib/etsi-test.js';
import { expectCode, expectContent, expectEmptyPayload, freshText, hex, text } from './lib/expect-response.js';
import type { Link } from './lib/link.js';
import { needs } from './lib/needs.js';

const PLUGTEST = 'ETSI CoAP plugtest';
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => hex(a) === hex(b);
const etagOpt = (v: Uint8Array) => ({ number: CoapOptionNumber.ETAG, value: v });

/** GET /validate: a 2.05 with content and an ETag (a /validate without ETags offers nothing to test). */
async function getValidate(link: Link, step: string, options: { number: number; value: Uint8Array }[] = []): Promise<CoapMessage> {
  const a = await link.request({ method: 'GET', path: '/validate', options });
  expectCode(a.msg, [CoapCode.CONTENT], `RFC 7252 §5.8.1 (${step})`, 'GET /validate');
  expectContent(a.msg, `RFC 7252 §5.10.3 (${step})`, 'GET /validate');
  if (etags(a.msg).length === 0) inconclusive(`GET /validate was answered without an ETag (${step}): the board's /validate does not offer the ETag the test needs`);
  return a.msg;
}

async function put(link: Link, path: string, payload: string, options: { number: number; value: Uint8Array }[] = []): Promise<CoapMessage> {
  return (await link.request({ method: 'PUT', path, contentFormat: ContentFormat.TEXT_PLAIN, payload, options })).msg;
}

describe('ETSI CoAP plugtest: TD_COAP_CORE, conditional requests', () => {
  etsiTest(
    {
      id: 'TD_COAP_CORE_21',
      title: 'Perform GET transaction containing the ETag option (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_21`, 'RFC 7252 §5.8.1', 'RFC 7252 §5.10.6', 'RFC 7252 §5.9.1.3'],
      needs: ['/validate'],
    },
    async (t) => {
      await needs(t, '/validate');
      const link = await t.link();
      const first = await getValidate(link, 'TD_COAP_CORE_21 step 3');
      const etag1 = etags(first)[0]!;
      const valid = await link.request({ method: 'GET', path: '/validate', options: [etagOpt(etag1)] });
      expectCode(valid.msg, [CoapCode.VALID], 'RFC 7252 §5.10.6.2', `GET /validate with ETag ${hex(etag1)} (the current one)`);
      check(same(etags(valid.msg)[0], etag1), 'RFC 7252 §5.10.6.2', `the 2.03 Valid carries ETag ${hex(etags(valid.msg)[0])}, not the validated ${hex(etag1)}`);
      expectEmptyPayload(valid.msg, 'RFC 7252 §5.9.1.3', 'GET /validate with the current ETag');
      // the representation changes: the old ETag validates nothing any more
      const update = freshText('TD_COAP_CORE_21 update');
      expectCode(await put(link, '/validate', update), [CoapCode.CHANGED, CoapCode.CREATED], 'RFC 7252 §5.8.3', 'PUT /validate');
      const after = await link.request({ method: 'GET', path: '/validate', options: [etagOpt(etag1)] });
      expectCode(after.msg, [CoapCode.CONTENT], 'RFC 7252 §5.10.6.2', `GET /validate with ETag ${hex(etag1)} after an update`);
      const etag3 = etags(after.msg)[0];
      check(etag3 !== undefined && !same(etag3, etag1), 'RFC 7252 §5.10.6.1', `after an update the 2.05 carries ETag ${hex(etag3)}; a changed representation has a new ETag, not ${hex(etag1)}`);
      check(text(after.msg.payload) !== text(first.payload), 'RFC 7252 §5.8.3', `after PUT "${update}" GET /validate still returns the old payload "${text(first.payload)}"`);
    },
  );

  etsiTest(
    {
      id: 'TD_COAP_CORE_22',
      title: 'Perform GET transaction with responses containing the ETag option and requests containing the If-Match option (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_22`, 'RFC 7252 §5.8.1', 'RFC 7252 §5.10.6', 'RFC 7252 §5.10.8.1', 'RFC 7252 §5.9.2.9'],
      needs: ['/validate'],
    },
    async (t) => {
      await needs(t, '/validate');
      const link = await t.link();
      const other = await t.link();
      const etag1 = etags(await getValidate(link, 'TD_COAP_CORE_22 step 3'))[0]!;
      const p1 = freshText('TD_COAP_CORE_22 atomic update');
      expectCode(await put(link, '/validate', p1, [{ number: CoapOptionNumber.IF_MATCH, value: etag1 }]), [CoapCode.CHANGED], 'RFC 7252 §5.10.8.1', `PUT /validate with If-Match ${hex(etag1)} (the current ETag)`);
      const second = await getValidate(link, 'TD_COAP_CORE_22 step 10');
      const etag2 = etags(second)[0]!;
      check(!same(etag2, etag1), 'RFC 7252 §5.10.6.1', `after the update /validate still has ETag ${hex(etag1)}: a changed representation has a new ETag`);
      check(text(second.payload) === p1, 'RFC 7252 §5.8.3', `GET /validate returns "${text(second.payload)}", not the payload "${p1}" just PUT`);
      // another client changes the resource: our ETag2 is stale from here on
      const p2 = freshText('TD_COAP_CORE_22 other client');
      expectCode(await put(other, '/validate', p2), [CoapCode.CHANGED], 'RFC 7252 §5.8.3', 'PUT /validate (another client)');
      const p3 = freshText('TD_COAP_CORE_22 stale update');
      const refused = await put(link, '/validate', p3, [{ number: CoapOptionNumber.IF_MATCH, value: etag2 }]);
      expectCode(refused, [CoapCode.PRECONDITION_FAILED], 'RFC 7252 §5.10.8.1', `PUT /validate with If-Match ${hex(etag2)} (stale)`);
      const now = await getValidate(link, 'TD_COAP_CORE_22 step 16');
      check(text(now.payload) === p2, 'RFC 7252 §5.10.8.1', `after the refused PUT /validate holds "${text(now.payload)}", expected the other client's "${p2}" unchanged`);
    },
  );

  etsiTest(
    {
      id: 'TD_COAP_CORE_23',
      title: 'Perform PUT transaction containing the If-None-Match option (CON mode)',
      refs: [`${PLUGTEST} TD_COAP_CORE_23`, 'RFC 7252 §5.8.3', 'RFC 7252 §5.10.8.2', 'RFC 7252 §5.9.2.9'],
      needs: ['/create1'],
    },
    async (t) => {
      const link = await t.link();
      const other = await t.link();
      const ifNoneMatch = [{ number: CoapOptionNumber.IF_NONE_MATCH, value: new Uint8Array(0) }];
      // /create1 must not exist yet: an earlier run (or test) may have left it
      const purge = await link.request({ method: 'DELETE', path: '/create1' });
      const p1 = freshText('TD_COAP_CORE_23 creation');
      const created = await put(link, '/create1', p1, ifNoneMatch);
      if (created.code === CoapCode.PRECONDITION_FAILED) inconclusive(`/create1 exists and DELETE /create1 was answered ${describeCode(purge.msg.code)}: the test needs it absent`);
      expectCode(created, [CoapCode.CREATED], 'RFC 7252 §5.10.8.2', 'PUT /create1 with If-None-Match (absent resource)');
      const refused = await put(other, '/create1', freshText('TD_COAP_CORE_23 concurrent creation'), ifNoneMatch);
      expectCode(refused, [CoapCode.PRECONDITION_FAILED], 'RFC 7252 §5.10.8.2', 'PUT /create1 with If-None-Match (the resource exists now)');
      const now = await link.request({ method: 'GET', path: '/create1' });
      expectCode(now.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', 'GET /create1');
      check(text(now.msg.payload) === p1, 'RFC 7252 §5.10.8.2', `after the refused PUT /create1 holds "${text(now.msg.payload)}", not the created "${p1}"`);
      // leave /create1 absent (a test that failed before this leaves it to the next run's purge)
      await link.request({ method: 'DELETE', path: '/create1' });
    },
  );
});
