// Resource discovery as the TD_COAP_LINK tests judge it (RFC 6690): GET /.well-known/core, with or
// without a query, must be a 2.05 in application/link-format (Content-Format 40) whose payload
// parses by the §2 grammar; a filtered answer must list exactly the links of the full list that
// match the query (§4.1). The expected set is computed here, from the rules, not by the filter
// code the virtual board happens to share with the rig.
import { block2Get } from '../../../protocols/coap/block/block2-client.js';
import { CoapCode, describeCode } from '../../../protocols/coap/coap-codes.js';
import { ContentFormat, describeContentFormat } from '../../../protocols/coap/content-formats.js';
import { checkLinkAttributes, type Link as LinkValue, parseLinkFormat } from '../../../protocols/coap/link-format.js';
import { check, inconclusive } from '../../../rig/runner/verdicts.js';
import type { Link } from './link.js';

export type { LinkValue };

/** Attributes whose value is a space-separated list: a query matches any one entry (RFC 6690 §3.1, §3.2). */
const LIST_ATTRS = new Set(['rt', 'if', 'ct', 'rel', 'rev']);

/** GET /.well-known/core[?query]: the links, after the checks every discovery answer must pass. */
export async function getCore(link: Link, query?: string): Promise<LinkValue[]> {
  const target = `GET /.well-known/core${query ? `?${query}` : ''}`;
  const r = await link.guard(block2Get(link.ep, { path: '/.well-known/core', ...(query ? { query: [query] } : {}) }));
  if (query && r.code === CoapCode.NOT_FOUND) return [];
  if (r.code === CoapCode.NOT_FOUND) inconclusive(`${target} was answered 4.04: the board offers no resource discovery`);
  check(r.code === CoapCode.CONTENT, 'RFC 6690 §4', `${target} was answered ${describeCode(r.code)}, expected 2.05 Content`);
  const cf = r.contentFormat;
  const cfText = cf === undefined ? '(none)' : describeContentFormat(cf);
  check(cf === ContentFormat.LINK_FORMAT, 'RFC 6690 §4', `${target} came with Content-Format ${cfText}: the discovery resource is served as ${describeContentFormat(ContentFormat.LINK_FORMAT)} (RFC 6690 §7.3, RFC 7252 §12.3)`);
  const text = new TextDecoder().decode(r.body);
  const parsed = parseLinkFormat(text);
  if (parsed.kind !== 'ok') {
    const at = parsed.kind === 'malformed' ? parsed.offset : text.length;
    const rule = parsed.kind === 'malformed' ? parsed.rule : 'RFC 6690 §2: truncated';
    check(false, 'RFC 6690 §2', `the answer to ${target} is not link-format: ${rule} at offset ${at} ("${text.slice(Math.max(0, at - 20), at + 20)}")`);
  }
  const dup = checkLinkAttributes(parsed.value)[0];
  if (dup) check(false, dup.rule.slice(0, dup.rule.indexOf(':')), `${target}: ${dup.rule.slice(dup.rule.indexOf(':') + 2)}`);
  return parsed.value;
}

/** The values of attribute `name` of a link, list attributes split into their entries. */
export function values(l: LinkValue, name: string): string[] {
  const v = l.attrs.get(name);
  if (v === undefined || v === true) return [];
  return LIST_ATTRS.has(name) ? v.flatMap((x) => x.split(' ').filter((s) => s !== '')).concat(v.filter((x) => x === '')) : v.slice();
}

const valueMatches = (value: string, pattern: string): boolean => (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern);

/** RFC 6690 §4.1: does the link match `name=pattern` (a trailing "*" matching any suffix)? */
export function matches(l: LinkValue, name: string, pattern: string): boolean {
  if (name === 'href') return valueMatches(l.target, pattern);
  return values(l, name).some((v) => valueMatches(v, pattern));
}

/** The filtered answer must list exactly the matching links of the full list (§4.1). */
export function expectFiltered(all: LinkValue[], got: LinkValue[], name: string, pattern: string): void {
  const want = new Set(all.filter((l) => matches(l, name, pattern)).map((l) => l.target));
  const have = new Set(got.map((l) => l.target));
  const missing = [...want].filter((x) => !have.has(x));
  const extra = [...have].filter((x) => !want.has(x));
  const show = (xs: string[]): string => xs.map((x) => `<${x}>`).join(', ');
  const query = `?${name}=${pattern}`;
  check(missing.length === 0, 'RFC 6690 §4.1', `/.well-known/core${query} leaves out ${show(missing)}, which the full list shows matching ${name}=${pattern} (got ${show([...have]) || 'nothing'})`);
  check(extra.length === 0, 'RFC 6690 §4.1', `/.well-known/core${query} lists ${show(extra)}, which do not match ${name}=${pattern} in the full list`);
}

/** The links that carry attribute `name` with a value. */
export const withAttr = (all: LinkValue[], name: string): LinkValue[] => all.filter((l) => values(l, name).length > 0);

/** A link-format payload of a resource other than /.well-known/core (TD_COAP_LINK_09's /path). */
export function parseLinks(payload: Uint8Array, msgCf: number | undefined, target: string, rule: string): LinkValue[] {
  check(msgCf === ContentFormat.LINK_FORMAT, rule, `${target} came with Content-Format ${msgCf === undefined ? '(none)' : describeContentFormat(msgCf)}, expected ${describeContentFormat(ContentFormat.LINK_FORMAT)}`);
  const parsed = parseLinkFormat(new TextDecoder().decode(payload));
  check(parsed.kind === 'ok', 'RFC 6690 §2', `${target} is not link-format: ${parsed.kind === 'malformed' ? `${parsed.rule} at offset ${parsed.offset}` : parsed.kind}`);
  return parsed.value;
}
