// ETSI CoAP plugtest, TD_COAP_BLOCK_01-06 (RFC 7959): Block2 downloads of /large with early
// negotiation (64- and 16-byte blocks) and late negotiation, a Block1 PUT to /large-update, a
// Block1 POST creating a resource under /large-create (2.01 with its Location-Path), and a POST
// to /large-post whose answer comes back block-wise too (§3.3). Each step is checked as the
// description lists it (lib/block-steps.ts); the transfers' own checks (Size2, ETag, offsets)
// run as well, and their failures name their rule.
import { block2 } from '../../protocols/coap/block-option.js';
import { block2Get, continueBlock2 } from '../../protocols/coap/block/block2-client.js';
import { tokenKey } from '../../protocols/coap/client-requests.js';
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import { locationPath } from '../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../protocols/coap/content-formats.js';
import type { CoapMessage } from '../../protocols/coap/coap-types.js';
import { check, inconclusive } from '../../rig/runner/verdicts.js';
import { checkBlock2Steps, uploadBlocks, uploadBody } from './lib/block-steps.js';
import { type EtsiContext, etsiTest } from './lib/etsi-test.js';
import { expectCode, text } from './lib/expect-response.js';
import type { Link } from './lib/link.js';
import { needs } from './lib/needs.js';

const PLUGTEST = 'ETSI CoAP plugtest';
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Where in the log the request `req` first went out. */
function logIndexOf(link: Link, req: CoapMessage): number {
  return link.client.log.findIndex((e) => e.dir === 'out' && e.retransmission === 0 && e.msg?.mid === req.mid && e.msg.type === req.type && tokenKey(e.msg.token) === tokenKey(req.token));
}

/** GET `path` whole, block-wise if it comes so; 2.05 expected. */
async function download(link: Link, path: string): Promise<Uint8Array> {
  const r = await link.guard(block2Get(link.ep, { path }));
  expectCode(r.last.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', `GET ${path}`);
  return r.body;
}

/** TD_COAP_BLOCK_01 and 06: early negotiation, the first request asks for 2^(szx+4)-byte blocks. */
async function earlyNegotiation(t: EtsiContext, id: string, szx: number): Promise<void> {
  await needs(t, '/large');
  const link = await t.link();
  const from = link.client.log.length;
  const r = await link.guard(block2Get(link.ep, { path: '/large' }, { szx }));
  expectCode(r.last.msg, [CoapCode.CONTENT], `RFC 7959 §2.4 (${id})`, 'GET /large');
  if (r.body.length <= 16 << szx) inconclusive(`/large has ${r.body.length} bytes, one ${16 << szx}-byte block: the test needs a resource that takes several`);
  const blocks = checkBlock2Steps(link, from, { desSzx: szx, code: CoapCode.CONTENT, target: 'GET /large' });
  t.note(`/large: ${r.body.length} bytes in ${blocks} blocks of up to ${16 << szx} bytes`);
}

describe('ETSI CoAP plugtest: TD_COAP_BLOCK', () => {
  etsiTest(
    { id: 'TD_COAP_BLOCK_01', title: 'Handle GET blockwise transfer for large resource (early negotiation)', refs: [`${PLUGTEST} TD_COAP_BLOCK_01`, 'RFC 7959 §2.2', 'RFC 7959 §2.4', 'RFC 7959 §4'], needs: ['/large'] },
    (t) => earlyNegotiation(t, 'TD_COAP_BLOCK_01', 2),
  );

  etsiTest(
    { id: 'TD_COAP_BLOCK_02', title: 'Handle GET blockwise transfer for large resource (late negotiation)', refs: [`${PLUGTEST} TD_COAP_BLOCK_02`, 'RFC 7959 §2.2', 'RFC 7959 §2.4', 'RFC 7959 §4'], needs: ['/large'] },
    async (t) => {
      await needs(t, '/large');
      const link = await t.link();
      const from = link.client.log.length;
      const r = await link.guard(block2Get(link.ep, { path: '/large' }));
      expectCode(r.last.msg, [CoapCode.CONTENT], 'RFC 7959 §2.4 (TD_COAP_BLOCK_02)', 'GET /large');
      if (r.stats.requests < 2 && block2(r.last.msg) === undefined) inconclusive(`/large came whole in one message (${r.body.length} bytes, no Block2): the test needs a resource larger than the board's block size`);
      const blocks = checkBlock2Steps(link, from, { code: CoapCode.CONTENT, target: 'GET /large' });
      t.note(`/large: ${r.body.length} bytes in ${blocks} blocks chosen by the board`);
    },
  );

  etsiTest(
    { id: 'TD_COAP_BLOCK_03', title: 'Handle PUT blockwise transfer for large resource', refs: [`${PLUGTEST} TD_COAP_BLOCK_03`, 'RFC 7959 §2.2', 'RFC 7959 §2.3', 'RFC 7959 §2.5'], needs: ['/large-update'] },
    async (t) => {
      await needs(t, '/large-update');
      const link = await t.link();
      const body = uploadBody(300, 'TD_COAP_BLOCK_03');
      await uploadBlocks(link, { method: 'PUT', path: '/large-update', contentFormat: ContentFormat.TEXT_PLAIN, szx: 2, stateless: true, finalCodes: [CoapCode.CHANGED], id: 'TD_COAP_BLOCK_03' }, body);
      const now = await download(link, '/large-update');
      check(sameBytes(now, body), 'RFC 7252 §5.8.3', `after the block-wise PUT of ${body.length} bytes GET /large-update returns ${now.length} bytes that differ ("${text(now).slice(0, 40)}...")`);
    },
  );

  etsiTest(
    { id: 'TD_COAP_BLOCK_04', title: 'Handle POST blockwise transfer for creating large resource', refs: [`${PLUGTEST} TD_COAP_BLOCK_04`, 'RFC 7959 §2.2', 'RFC 7959 §2.3', 'RFC 7959 §2.5', 'RFC 7252 §5.10.7'], needs: ['/large-create'] },
    async (t) => {
      await needs(t, '/large-create');
      const link = await t.link();
      const body = uploadBody(300, 'TD_COAP_BLOCK_04');
      const created = await uploadBlocks(link, { method: 'POST', path: '/large-create', contentFormat: ContentFormat.TEXT_PLAIN, szx: 2, stateless: false, finalCodes: [CoapCode.CREATED], id: 'TD_COAP_BLOCK_04' }, body);
      const segs = locationPath(created.msg);
      const shown = segs.map((s) => JSON.stringify(s)).join(', ') || '(none)';
      check(segs.every((s) => !s.includes('/')), 'RFC 7252 §5.10.7', `Location-Path ${shown}: each option is one path segment, without "/"`);
      check(segs.length === 2 && segs[0]!.includes('large-create') && segs[1]!.length > 0, 'ETSI TD_COAP_BLOCK_04 step 7', `the 2.01 carries Location-Path ${shown}; the test description expects two: "large-create" and the new resource's name`);
      const location = `/${segs.join('/')}`;
      const now = await download(link, location);
      check(sameBytes(now, body), 'RFC 7252 §5.9.1.1', `GET ${location} (the created resource) returns ${now.length} bytes that differ from the ${body.length} bytes posted`);
      await link.request({ method: 'DELETE', path: location });
    },
  );

  etsiTest(
    { id: 'TD_COAP_BLOCK_05', title: 'Handle POST with two-way blockwise transfer', refs: [`${PLUGTEST} TD_COAP_BLOCK_05`, 'RFC 7959 §2.2', 'RFC 7959 §2.3', 'RFC 7959 §2.5', 'RFC 7959 §3.3'], needs: ['/large-post'] },
    async (t) => {
      await needs(t, '/large-post');
      const link = await t.link();
      const body = uploadBody(2000, 'TD_COAP_BLOCK_05');
      const spec = { method: 'POST', path: '/large-post' } as const;
      const last = await uploadBlocks(link, { ...spec, contentFormat: ContentFormat.TEXT_PLAIN, szx: 6, stateless: false, finalCodes: [CoapCode.CHANGED], id: 'TD_COAP_BLOCK_05' }, body);
      const first = block2(last.msg);
      if (first === undefined) inconclusive(`the answer to the last block came whole (${last.msg.payload.length} bytes, no Block2): the test needs an answer larger than one block`);
      const from = logIndexOf(link, last.req);
      const down = await link.guard(continueBlock2(link.ep, spec, last.res, undefined));
      const blocks = checkBlock2Steps(link, from, { code: CoapCode.CHANGED, target: 'POST /large-post' });
      check(down.body.length > 0, 'RFC 7959 §3.3', 'the block-wise answer to the POST is empty');
      t.note(`/large-post: ${body.length} bytes up, ${down.body.length} bytes back in ${blocks} blocks`);
    },
  );

  etsiTest(
    { id: 'TD_COAP_BLOCK_06', title: 'Handle GET blockwise transfer for large resource (early negotiation, 16 byte block size)', refs: [`${PLUGTEST} TD_COAP_BLOCK_06`, 'RFC 7959 §2.2', 'RFC 7959 §2.4', 'RFC 7959 §4'], needs: ['/large'] },
    (t) => earlyNegotiation(t, 'TD_COAP_BLOCK_06', 0),
  );
});
