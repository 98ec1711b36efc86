// What the board offers, asked once per run: GET /.well-known/core (block-wise when it is long),
// parsed as link-format. A test that needs a resource the list lacks is inconclusive, naming it.
// When discovery itself fails (no /.well-known/core, a broken answer) nothing is decided here:
// the test goes on, and a 4.04 on the resource itself makes it inconclusive (expect-response.ts).
// The TD_COAP_LINK tests judge discovery; this helper only reads it.
import { block2Get } from '../../../protocols/coap/block/block2-client.js';
import { CoapCode, describeCode } from '../../../protocols/coap/coap-codes.js';
import { type Link as LinkValue, parseLinkFormat } from '../../../protocols/coap/link-format.js';
import type { RigContext, TestContext } from '../../../rig/runner/suite-api.js';
import { inconclusive } from '../../../rig/runner/verdicts.js';
import { Link } from './link.js';

export type Discovery = { ok: true; links: LinkValue[] } | { ok: false; reason: string };

const runs = new WeakMap<RigContext, Promise<Discovery>>();

async function discover(t: TestContext): Promise<Discovery> {
  try {
    // watched: a board that breaks a rule on the way fails discovery at once, not after the
    // endpoint's retransmissions; the TD_COAP_LINK tests judge such answers, this only reads
    const link = new Link(await t.coap());
    const r = await link.guard(block2Get(link.ep, { path: '/.well-known/core' }));
    if (r.code !== CoapCode.CONTENT) return { ok: false, reason: `GET /.well-known/core was answered ${describeCode(r.code)}` };
    const parsed = parseLinkFormat(new TextDecoder().decode(r.body));
    if (parsed.kind !== 'ok') return { ok: false, reason: `/.well-known/core is not link-format (${parsed.kind === 'malformed' ? parsed.rule : parsed.kind})` };
    return { ok: true, links: parsed.value };
  } catch (e) {
    return { ok: false, reason: `GET /.well-known/core failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The board's discovery document, fetched by the first test that asks in this run. */
export function discovery(t: TestContext): Promise<Discovery> {
  let d = runs.get(t.rig);
  if (!d) {
    d = discover(t);
    runs.set(t.rig, d);
  }
  return d;
}

/** Inconclusive unless the board lists every path (when its list could be read at all). */
export async function needs(t: TestContext, ...paths: string[]): Promise<void> {
  const d = await discovery(t);
  if (!d.ok) {
    t.note(`resource discovery unavailable (${d.reason}); the test goes on without it`);
    return;
  }
  const listed = new Set(d.links.map((l) => l.target));
  const missing = paths.filter((p) => !listed.has(p));
  if (missing.length > 0) inconclusive(`the board does not list ${missing.join(', ')} in /.well-known/core; the test needs ${missing.length > 1 ? 'them' : 'it'}`);
}

/** The link the board lists for `path`, if discovery worked and lists it. */
export async function listedLink(t: TestContext, path: string): Promise<LinkValue | undefined> {
  const d = await discovery(t);
  return d.ok ? d.links.find((l) => l.target === path) : undefined;
}
