// RFC 7641 Observe ordering and RFC 6690 discovery: the Observe values of successive
// notifications are fresh and increasing (§3.4, §4.4), checked over at least three of them, and
// /.well-known/core is served as application/link-format (Content-Format 40, RFC 6690 §7.1).
import { CoapCode, isSuccess } from '../../protocols/coap/coap-codes.js';
import { contentFormat } from '../../protocols/coap/coap-options.js';
import { ContentFormat, describeContentFormat } from '../../protocols/coap/content-formats.js';
import { parseLinkFormat } from '../../protocols/coap/link-format.js';
import { check, coapTest, type TestContext } from '../../rig/runner/suite-api.js';
import { inconclusive } from '../../rig/runner/verdicts.js';
import { confirmable } from './rfc-lib/confirmable.js';
import { download } from './rfc-lib/download.js';
import { type Link, openLink } from './rfc-lib/link.js';
import { observeRun } from './rfc-lib/observe-run.js';
import { requireResource } from './rfc-lib/resources.js';
import { codeText, requestText } from './rfc-lib/text.js';

const SUITE = 'coap';
const NOTIFICATIONS = 3;

/** The first resource /.well-known/core marks observable (`obs`), when the board has no /obs. */
async function discoverObservable(l: Link): Promise<string | undefined> {
  const d = await download(l, '/.well-known/core');
  if (!isSuccess(d.first.response.code)) return undefined;
  const links = parseLinkFormat(new TextDecoder().decode(d.body));
  if (links.kind !== 'ok') return undefined;
  return links.value.find((k) => k.attrs.has('obs') && k.target.startsWith('/'))?.target;
}

async function observeOrdering(t: TestContext): Promise<void> {
  const l = await openLink(t);
  let path = '/obs';
  let run = await observeRun(l, path, NOTIFICATIONS);
  if (run.kind === 'not-found') {
    const found = await discoverObservable(l);
    if (!found) inconclusive('the board has no /obs (4.04) and /.well-known/core lists no resource with the obs attribute: nothing to observe');
    path = found;
    t.note(`no /obs: observing ${path}, which /.well-known/core marks obs`);
    run = await observeRun(l, path, NOTIFICATIONS);
    if (run.kind === 'not-found') inconclusive(`${path}, listed as observable, answers 4.04`);
  }
  const { rec } = run;
  if (rec.entries.length < NOTIFICATIONS) {
    const end = rec.ended ? `; the observation ended (${rec.ended.reason}${rec.ended.code === undefined ? '' : `, ${codeText(rec.ended.code)}`})` : '';
    inconclusive(`only ${rec.entries.length} notification(s) of ${path} within ${run.waitedMs} ms${end}: ${NOTIFICATIONS} are needed to judge the order`);
  }
  const c = rec.checkFreshAndIncreasing();
  const v = c.violations[0];
  // the recorder measures on the run's clock, to the microsecond; whole milliseconds read better
  const detail = (v?.detail ?? '').replace(/(\d+\.\d+) ms/g, (_m, n: string) => `${Math.round(Number(n))} ms`);
  check(c.ok, v?.rule ?? 'RFC 7641 §4.4', `${path}: ${c.violations.length} of ${c.count} notifications are not fresher than the one before; Observe values in arrival order: ${rec.seqs.join(', ')}; first: ${detail}`);
  t.note(c.summary);
}

async function coreContentFormat(t: TestContext): Promise<void> {
  const l = await openLink(t);
  const a = await confirmable(l, { method: 'GET', path: '/.well-known/core' });
  requireResource(a.response, 'GET', '/.well-known/core', 'no discovery document to judge');
  if (a.response.code !== CoapCode.CONTENT) inconclusive(`${requestText(a.request)} was answered ${codeText(a.response.code)}, not 2.05: no representation to judge`);
  const cf = contentFormat(a.response);
  check(
    cf === ContentFormat.LINK_FORMAT,
    'RFC 6690 §7.1',
    `/.well-known/core was served with ${cf === undefined ? 'no Content-Format option' : `Content-Format ${describeContentFormat(cf)}`}, not 40 (application/link-format)`,
  );
}

describe('RFC 7641 and RFC 6690: Observe ordering, discovery', () => {
  coapTest(
    SUITE,
    {
      id: 'RFC7641_4.4_OBSERVE_SEQ_INCREASING',
      title: `The Observe values of ${NOTIFICATIONS} successive notifications are fresh and increasing`,
      refs: ['RFC 7641 §4.4', 'RFC 7641 §3.4', 'RFC 7641 §2'],
      needs: ['/obs (or a resource /.well-known/core marks obs)'],
    },
    observeOrdering,
  );
  coapTest(
    SUITE,
    {
      id: 'RFC6690_7.1_CORE_CONTENT_FORMAT',
      title: '/.well-known/core is served as application/link-format (Content-Format 40)',
      refs: ['RFC 6690 §7.1', 'RFC 6690 §5', 'RFC 7252 §12.3'],
      needs: ['/.well-known/core'],
    },
    coreContentFormat,
  );
});
