// CoRE Link Format (RFC 6690), the payload of GET /.well-known/core: parse, format, and the query
// filtering of §4.1. The parser follows the §2 ABNF strictly (no whitespace between elements, as
// the grammar has none) because a board's discovery document is under test; offsets are string
// indices into the decoded text.

import { type Decoded, malformed, ok } from '../../rig/engine/codec.js';

export interface Link {
  /** the URI-Reference between "<" and ">" */
  target: string;
  /**
   * Attributes in order of first appearance. Each occurrence's value (unquoted, unescaped) is one
   * array entry; `true` when the attribute appears only without a value (e.g. `obs`). Space-
   * separated lists (`rt="a b"`) stay one entry: attrValues splits them.
   */
  attrs: Map<string, string[] | true>;
}

const enum C {
  Uri = 1,
  Ptoken = 2,
  Attr = 4,
  Hex = 8,
}

// character classes over ASCII: URI-Reference (RFC 3986), ptokenchar (RFC 6690 §2), attr-char (RFC 5987)
const CLASS = new Uint8Array(128);
const mark = (chars: string, c: C): void => {
  for (const ch of chars) CLASS[ch.charCodeAt(0)]! |= c;
};
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
mark(ALNUM + "-._~:/?#[]@!$&'()*+,;=%", C.Uri);
mark(ALNUM + "!#$%&'()*+-./:<=>?@[]^_`{|}~", C.Ptoken);
mark(ALNUM + '!#$&+-.^_`|~', C.Attr);
mark('0123456789abcdefABCDEF', C.Hex);

const is = (text: string, i: number, c: C): boolean => {
  const code = text.charCodeAt(i);
  return code < 128 && (CLASS[code]! & c) !== 0;
};

/** The offset of the first character that is not a valid URI-Reference character, or -1. */
function badUriChar(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (!is(text, i, C.Uri)) return i;
    if (text[i] === '%' && !(is(text, i + 1, C.Hex) && is(text, i + 2, C.Hex) && i + 2 < to)) return i;
  }
  return -1;
}

const CARDINAL = /^(0|[1-9][0-9]*)$/;
const SPACE_LIST = /^[^ ]+( +[^ ]+)*$/;
/** Attributes whose value is a space-separated list inside quotes (RFC 6690 §2, RFC 7252 §7.2.1). */
const LIST_ATTRS = new Set(['rel', 'rev', 'rt', 'if', 'ct']);

/** Per-attribute grammar of RFC 6690 §2 (and ct of RFC 7252 §7.2.1); a rule text or undefined. */
function checkValue(name: string, value: string, quoted: boolean): string | undefined {
  switch (name) {
    case 'anchor':
    case 'title':
      return quoted ? undefined : `RFC 6690 §2: the ${name} value must be a quoted-string`;
    case 'sz':
      return !quoted && CARDINAL.test(value) ? undefined : 'RFC 6690 §2: the sz value must be an unquoted cardinal';
    case 'ct':
      if (quoted ? SPACE_LIST.test(value) && value.split(/ +/).every((v) => CARDINAL.test(v)) : CARDINAL.test(value)) return undefined;
      return 'RFC 7252 §7.2.1: ct is a cardinal, or a quoted space-separated list of cardinals';
    case 'rel':
    case 'rev':
    case 'rt':
    case 'if':
      return !quoted || SPACE_LIST.test(value) ? undefined : `RFC 6690 §2: a quoted ${name} value is relation types separated by spaces`;
    default:
      return undefined;
  }
}

function addValue(attrs: Map<string, string[] | true>, name: string, value: string): void {
  const had = attrs.get(name);
  if (had === undefined || had === true) attrs.set(name, [value]);
  else had.push(value);
}

/** Parse a link-format document (RFC 6690 §2). The empty document is an empty list. */
export function parseLinkFormat(text: string): Decoded<Link[]> {
  const links: Link[] = [];
  const len = text.length;
  if (len === 0) return ok(links, 0);
  let i = 0;
  for (;;) {
    if (text[i] !== '<') return malformed(i, 'RFC 6690 §2: a link-value starts with "<"');
    const close = text.indexOf('>', i + 1);
    if (close < 0) return malformed(i, 'RFC 6690 §2: "<" without a closing ">"');
    const bad = badUriChar(text, i + 1, close);
    if (bad >= 0) return malformed(bad, `RFC 6690 §2: ${JSON.stringify(text[bad])} is not allowed here in a URI-Reference (RFC 3986 §4.1)`);
    const link: Link = { target: text.slice(i + 1, close), attrs: new Map() };
    i = close + 1;
    while (text[i] === ';') {
      i++;
      const nameStart = i;
      while (i < len && is(text, i, C.Attr)) i++;
      if (i === nameStart) return malformed(i, 'RFC 6690 §2: a link-param starts with a parameter name (parmname, RFC 5987)');
      const star = text[i] === '*';
      if (star) i++;
      const name = text.slice(nameStart, i);
      if (text[i] !== '=') {
        if (star) return malformed(i, `RFC 6690 §2: ${name} needs "=" and an ext-value`);
        if (!link.attrs.has(name)) link.attrs.set(name, true);
        continue;
      }
      const valueStart = ++i;
      let value: string;
      let quoted = false;
      if (star) {
        // ext-value = charset "'" [ language ] "'" value-chars (RFC 5987 §3.2); kept as written
        while (i < len && (is(text, i, C.Attr) || text[i] === "'" || text[i] === '%')) i++;
        value = text.slice(valueStart, i);
        if (!/^[A-Za-z0-9!#$%&+\-^_`{}~]+'[A-Za-z0-9-]*'/.test(value)) return malformed(valueStart, `RFC 6690 §2: ${name} needs an ext-value, charset'language'value (RFC 5987 §3.2)`);
      } else if (text[i] === '"') {
        quoted = true;
        i++;
        let out = '';
        for (;;) {
          if (i >= len) return malformed(valueStart, 'RFC 6690 §2: quoted-string without its closing quote (RFC 2616 §2.2)');
          const ch = text[i]!;
          const code = text.charCodeAt(i);
          if (ch === '"') break;
          if (ch === '\\') {
            if (i + 1 >= len || text.charCodeAt(i + 1) > 127) return malformed(i, 'RFC 6690 §2: "\\" in a quoted-string must be followed by an ASCII character (quoted-pair, RFC 2616 §2.2)');
            out += text[i + 1];
            i += 2;
            continue;
          }
          if (code < 0x20 || code === 0x7f) return malformed(i, 'RFC 6690 §2: control character in a quoted-string (RFC 2616 §2.2)');
          out += ch;
          i++;
        }
        i++;
        value = out;
      } else {
        while (i < len && is(text, i, C.Ptoken)) i++;
        if (i === valueStart) return malformed(i, `RFC 6690 §2: the ${name} value must be a ptoken or a quoted-string`);
        value = text.slice(valueStart, i);
      }
      const rule = checkValue(name, value, quoted);
      if (rule) return malformed(valueStart, rule);
      if (name === 'anchor') {
        const b = badUriChar(value, 0, value.length);
        if (b >= 0) return malformed(valueStart + 1, `RFC 6690 §2: the anchor value must be a URI-Reference; ${JSON.stringify(value[b])} is not allowed (RFC 3986 §4.1)`);
      }
      addValue(link.attrs, name, value);
    }
    links.push(link);
    if (i === len) return ok(links, len);
    if (text[i] !== ',') return malformed(i, 'RFC 6690 §2: after a link-value comes ";" (a link-param), "," (the next link-value) or the end');
    i++;
  }
}

const quote = (v: string): string => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** The link-format text: cardinals and ext-values bare, every other value quoted. */
export function formatLinkFormat(links: readonly Link[]): string {
  const parts: string[] = [];
  for (const l of links) {
    let s = `<${l.target}>`;
    for (const [name, v] of l.attrs) {
      if (v === true) s += `;${name}`;
      else for (const x of v) s += `;${name}=${name.endsWith('*') || (CARDINAL.test(x) && name !== 'anchor' && name !== 'title') ? x : quote(x)}`;
    }
    parts.push(s);
  }
  return parts.join(',');
}

/** The values of an attribute, list attributes (rel, rev, rt, if, ct) split at spaces. */
export function attrValues(link: Link, name: string): string[] {
  const v = link.attrs.get(name);
  if (v === undefined || v === true) return [];
  return LIST_ATTRS.has(name) ? v.flatMap((x) => x.split(' ').filter((s) => s !== '')) : v.slice();
}

function matches(value: string, pattern: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

function linkMatches(link: Link, query: string): boolean {
  const eq = query.indexOf('=');
  // a bare name ("?obs") asks for links that carry the attribute at all
  if (eq < 0) return query === '' || link.attrs.has(query);
  const name = query.slice(0, eq);
  const pattern = query.slice(eq + 1);
  if (name === 'href') return matches(link.target, pattern);
  const v = link.attrs.get(name);
  if (v === undefined || v === true) return false;
  return v.some((x) => matches(x, pattern)) || (LIST_ATTRS.has(name) && attrValues(link, name).some((x) => matches(x, pattern)));
}

/**
 * RFC 6690 §4.1 filtering: `rt=temperature` keeps links whose rt (or any entry of its space-
 * separated list) equals "temperature"; a trailing "*" makes it a prefix match; `href` matches the
 * target. Give the query as Uri-Query option values, or as one string with an optional leading
 * "?" and "&" between parameters; a link must match every parameter.
 */
export function filterLinks(links: readonly Link[], query: string | readonly string[]): Link[] {
  const params = typeof query === 'string' ? query.replace(/^\?/, '').split('&') : query;
  return links.filter((l) => params.every((q) => linkMatches(l, q)));
}

/** Attributes RFC 6690 §3.1-§3.3 allow at most once in a link: rt, if, sz. */
export function checkLinkAttributes(links: readonly Link[]): { index: number; rule: string }[] {
  const out: { index: number; rule: string }[] = [];
  links.forEach((l, index) => {
    for (const [name, section] of [['rt', '3.1'], ['if', '3.2'], ['sz', '3.3']] as const) {
      const v = l.attrs.get(name);
      if (Array.isArray(v) && v.length > 1) out.push({ index, rule: `RFC 6690 §${section}: the ${name} attribute must not appear more than once in a link (${l.target})` });
    }
  });
  return out;
}
