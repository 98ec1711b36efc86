// ETSI CoAP plugtest, TD_COAP_LINK_01-09 (RFC 6690): /.well-known/core in link-format, and
// filtered by rt (a single type shared by several resources, any type, a type among several),
// by if with a prefix, by sz, by href (whole and prefix), and the hierarchy under /path (whose
// ct=40 also serves the ?ct= filter). The values filtered on are read from the board's own list,
// as the descriptions say ("Type1 ... shall be extracted from Server's /.well-known/core").
import { CoapCode } from '../../protocols/coap/coap-codes.js';
import { contentFormat } from '../../protocols/coap/coap-options.js';
import { check, inconclusive } from '../../rig/runner/verdicts.js';
import { type EtsiContext, etsiTest } from './lib/etsi-test.js';
import { expectCode, text } from './lib/expect-response.js';
import { expectFiltered, getCore, type LinkValue, parseLinks, values, withAttr } from './lib/discovery-checks.js';

const PLUGTEST = 'ETSI CoAP plugtest';

/** Fetch the full list, pick what to filter on, fetch the filtered list, compare. */
async function filtered(t: EtsiContext, name: string, pick: (all: LinkValue[]) => string | undefined, why: string): Promise<void> {
  const link = await t.link();
  const all = await getCore(link);
  const pattern = pick(all);
  if (pattern === undefined) inconclusive(`the board's /.well-known/core has ${why}; the test needs it`);
  const got = await getCore(link, `${name}=${pattern}`);
  expectFiltered(all, got, name, pattern);
  t.note(`?${name}=${pattern}: ${got.map((l) => `<${l.target}>`).join(', ')}`);
}

/** rt values by how many links carry them, most first ("Type1" first among equals). */
function rtByUse(all: LinkValue[]): string[] {
  const count = new Map<string, number>();
  for (const l of all) for (const v of new Set(values(l, 'rt'))) if (v !== '') count.set(v, (count.get(v) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || Number(b[0] === 'Type1') - Number(a[0] === 'Type1') || a[0].localeCompare(b[0])).map(([v]) => v);
}

describe('ETSI CoAP plugtest: TD_COAP_LINK', () => {
  etsiTest({ id: 'TD_COAP_LINK_01', title: 'Access to well-known interface for resource discovery', refs: [`${PLUGTEST} TD_COAP_LINK_01`, 'RFC 6690 §2', 'RFC 6690 §4', 'RFC 7252 §7.2'], needs: ['/.well-known/core'] }, async (t) => {
    const link = await t.link();
    const all = await getCore(link);
    check(all.length > 0, 'RFC 6690 §4', '/.well-known/core lists no link at all: it lists the resources the server hosts');
    t.note(`${all.length} links: ${all.map((l) => `<${l.target}>`).join(', ')}`);
  });

  etsiTest({ id: 'TD_COAP_LINK_02', title: 'Use filtered requests for limiting discovery results', refs: [`${PLUGTEST} TD_COAP_LINK_02`, 'RFC 6690 §3.1', 'RFC 6690 §4.1'], needs: ['/.well-known/core'] }, (t) =>
    // the type most resources share: "multiple resources with the same rt" must all come back
    filtered(t, 'rt', (all) => rtByUse(all)[0], 'no link with an rt attribute'),
  );

  etsiTest({ id: 'TD_COAP_LINK_03', title: 'Handle empty prefix value strings', refs: [`${PLUGTEST} TD_COAP_LINK_03`, 'RFC 6690 §4.1'], needs: ['/.well-known/core'] }, (t) =>
    filtered(t, 'rt', (all) => (withAttr(all, 'rt').length > 0 || all.some((l) => l.attrs.has('rt')) ? '*' : undefined), 'no link with an rt attribute'),
  );

  etsiTest({ id: 'TD_COAP_LINK_04', title: 'Filter discovery results in presence of multiple rt attributes', refs: [`${PLUGTEST} TD_COAP_LINK_04`, 'RFC 6690 §3.1', 'RFC 6690 §4.1'], needs: ['/.well-known/core'] }, (t) =>
    filtered(
      t,
      'rt',
      (all) => {
        // a type that appears after the first place of some rt list, so list matching is tested
        const later = all.flatMap((l) => values(l, 'rt').slice(1));
        return later.includes('Type2') ? 'Type2' : later[0];
      },
      'no link with several rt values',
    ),
  );

  etsiTest({ id: 'TD_COAP_LINK_05', title: 'Filter discovery results using if attribute and prefix value strings', refs: [`${PLUGTEST} TD_COAP_LINK_05`, 'RFC 6690 §3.2', 'RFC 6690 §4.1'], needs: ['/.well-known/core'] }, (t) =>
    filtered(
      t,
      'if',
      (all) => {
        const ifs = all.flatMap((l) => values(l, 'if'));
        if (ifs.some((v) => v.startsWith('If'))) return 'If*';
        const v = ifs[0];
        return v === undefined ? undefined : `${v.slice(0, Math.max(1, v.length - 1))}*`;
      },
      'no link with an if attribute',
    ),
  );

  etsiTest({ id: 'TD_COAP_LINK_06', title: 'Filter discovery results using sz attribute and prefix value strings', refs: [`${PLUGTEST} TD_COAP_LINK_06`, 'RFC 6690 §3.3', 'RFC 6690 §4.1'], needs: ['/.well-known/core'] }, (t) =>
    filtered(t, 'sz', (all) => (withAttr(all, 'sz').length > 0 ? '*' : undefined), 'no link with an sz attribute'),
  );

  etsiTest({ id: 'TD_COAP_LINK_07', title: 'Filter discovery results using href attribute and complete value strings', refs: [`${PLUGTEST} TD_COAP_LINK_07`, 'RFC 6690 §4.1'], needs: ['/.well-known/core', '/link1'] }, (t) =>
    filtered(t, 'href', (all) => (all.some((l) => l.target === '/link1') ? '/link1' : undefined), 'no link to /link1'),
  );

  etsiTest({ id: 'TD_COAP_LINK_08', title: 'Filter discovery results using href attribute and prefix value strings', refs: [`${PLUGTEST} TD_COAP_LINK_08`, 'RFC 6690 §4.1'], needs: ['/.well-known/core', '/link1', '/link2', '/link3'] }, (t) =>
    filtered(t, 'href', (all) => (all.some((l) => l.target.startsWith('/link')) ? '/link*' : undefined), 'no link under /link'),
  );

  etsiTest(
    { id: 'TD_COAP_LINK_09', title: 'Arrange link descriptions hierarchically', refs: [`${PLUGTEST} TD_COAP_LINK_09`, 'RFC 6690 §4.1', 'RFC 6690 §5', 'RFC 7252 §7.2.1'], needs: ['/.well-known/core', '/path'] },
    async (t) => {
      const link = await t.link();
      const all = await getCore(link);
      const entry = all.find((l) => l.target === '/path');
      if (!entry) inconclusive('the board does not list /path in /.well-known/core; the test needs it');
      // /path is described with ct=40, so the ct filter must find it among the link-format resources
      if (values(entry, 'ct').includes('40')) expectFiltered(all, await getCore(link, 'ct=40'), 'ct', '40');
      const a = await link.request({ method: 'GET', path: '/path' });
      expectCode(a.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1', 'GET /path');
      const subs = parseLinks(a.msg.payload, contentFormat(a.msg), 'GET /path', 'RFC 6690 §5 (TD_COAP_LINK_09 step 5)');
      if (subs.length === 0) inconclusive('/path lists no sub-resource: the test needs /path/sub1, /path/sub2, ...');
      const sub = subs[0]!.target.startsWith('/') ? subs[0]!.target : `/path/${subs[0]!.target}`;
      const s = await link.request({ method: 'GET', path: sub });
      expectCode(s.msg, [CoapCode.CONTENT], 'RFC 7252 §5.8.1 (TD_COAP_LINK_09 step 7)', `GET ${sub}`);
      check(text(s.msg.payload).includes(sub), 'ETSI TD_COAP_LINK_09 step 7', `GET ${sub} returned "${text(s.msg.payload).slice(0, 60)}", which does not contain ${sub}`);
      t.note(`/path lists ${subs.map((l) => `<${l.target}>`).join(', ')}`);
    },
  );
});
