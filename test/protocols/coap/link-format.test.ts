import assert from 'node:assert/strict';
import { attrValues, checkLinkAttributes, filterLinks, formatLinkFormat, type Link, parseLinkFormat } from '../../../protocols/coap/link-format.js';
import { assertMalformed, assertOk } from './coap-test-helpers.js';

// RFC 6690 §5, the example collection (line breaks in the RFC are for readability only)
const RFC6690_S5 = [
  '</sensors>;ct=40;title="Sensor Index",',
  '</sensors/temp>;rt="temperature-c";if="sensor",',
  '</sensors/light>;rt="light-lux";if="sensor",',
  '<http://www.example.com/sensors/t123>;anchor="/sensors/temp";rel="describedby",',
  '</t>;anchor="/sensors/temp";rel="alternate"',
].join('');

const plain = (links: Link[]) => links.map((l) => ({ target: l.target, attrs: Object.fromEntries(l.attrs) }));

describe('CoRE Link Format: parse (RFC 6690 §2, §5 examples)', () => {
  it('parses the RFC 6690 §5 collection', () => {
    const { value, consumed } = assertOk(parseLinkFormat(RFC6690_S5));
    assert.equal(consumed, RFC6690_S5.length);
    assert.deepEqual(plain(value), [
      { target: '/sensors', attrs: { ct: ['40'], title: ['Sensor Index'] } },
      { target: '/sensors/temp', attrs: { rt: ['temperature-c'], if: ['sensor'] } },
      { target: '/sensors/light', attrs: { rt: ['light-lux'], if: ['sensor'] } },
      { target: 'http://www.example.com/sensors/t123', attrs: { anchor: ['/sensors/temp'], rel: ['describedby'] } },
      { target: '/t', attrs: { anchor: ['/sensors/temp'], rel: ['alternate'] } },
    ]);
  });

  it('parses the empty document as no links', () => {
    assert.deepEqual(assertOk(parseLinkFormat('')).value, []);
  });

  it('keeps repeated attributes, flags, escapes and space-separated lists', () => {
    const { value } = assertOk(parseLinkFormat('</obs>;obs;rt="core.s temp";rt=x;ct="0 50";title="say \\"hi\\"";sz=1024;title*=UTF-8\'en\'%c2%a3'));
    assert.deepEqual(plain(value), [{ target: '/obs', attrs: { obs: true, rt: ['core.s temp', 'x'], ct: ['0 50'], title: ['say "hi"'], sz: ['1024'], 'title*': ["UTF-8'en'%c2%a3"] } }]);
    assert.deepEqual(attrValues(value[0]!, 'rt'), ['core.s', 'temp', 'x']);
    assert.deepEqual(attrValues(value[0]!, 'ct'), ['0', '50']);
    assert.deepEqual(attrValues(value[0]!, 'title'), ['say "hi"']);
  });
});

describe('CoRE Link Format: syntax errors with offset and rule', () => {
  const cases: [string, number, string | RegExp][] = [
    ['/sensors', 0, 'RFC 6690 §2: a link-value starts with "<"'],
    ['</sensors', 0, 'RFC 6690 §2: "<" without a closing ">"'],
    ['</a b>', 3, /^RFC 6690 §2: " " is not allowed here in a URI-Reference \(RFC 3986 §4\.1\)$/],
    ['</a%zz>', 3, /"%" is not allowed/],
    ['</a>;', 5, 'RFC 6690 §2: a link-param starts with a parameter name (parmname, RFC 5987)'],
    ['</a>;rt=', 8, 'RFC 6690 §2: the rt value must be a ptoken or a quoted-string'],
    ['</a>;rt="x', 8, 'RFC 6690 §2: quoted-string without its closing quote (RFC 2616 §2.2)'],
    ['</a>;rt="x\ny"', 10, 'RFC 6690 §2: control character in a quoted-string (RFC 2616 §2.2)'],
    ['</a>;title=Index', 11, 'RFC 6690 §2: the title value must be a quoted-string'],
    ['</a>;anchor=/x', 12, 'RFC 6690 §2: the anchor value must be a quoted-string'],
    ['</a>;sz="12"', 8, 'RFC 6690 §2: the sz value must be an unquoted cardinal'],
    ['</a>;sz=012', 8, 'RFC 6690 §2: the sz value must be an unquoted cardinal'],
    ['</a>;ct=json', 8, 'RFC 7252 §7.2.1: ct is a cardinal, or a quoted space-separated list of cardinals'],
    ['</a>;rt=" x"', 8, 'RFC 6690 §2: a quoted rt value is relation types separated by spaces'],
    ['</a>,', 5, 'RFC 6690 §2: a link-value starts with "<"'],
    ['</a> ,</b>', 4, 'RFC 6690 §2: after a link-value comes ";" (a link-param), "," (the next link-value) or the end'],
    ['</a>;title*=x', 12, /ext-value/],
  ];
  for (const [text, offset, rule] of cases) {
    it(`${JSON.stringify(text)} → offset ${offset}`, () => {
      assertMalformed(parseLinkFormat(text), offset, rule);
    });
  }
});

describe('CoRE Link Format: query filtering (RFC 6690 §4.1)', () => {
  const links = assertOk(parseLinkFormat(`${RFC6690_S5},</multi>;rt="light-lux temperature-c";obs`)).value;
  const targets = (q: string | string[]) => filterLinks(links, q).map((l) => l.target);

  it('matches an attribute value exactly (§5: ?rt=light-lux)', () => {
    assert.deepEqual(targets('?rt=light-lux'), ['/sensors/light', '/multi']);
    assert.deepEqual(targets('if=sensor'), ['/sensors/temp', '/sensors/light']);
    assert.deepEqual(targets('rt=light'), []);
  });

  it('matches a prefix with a trailing "*"', () => {
    assert.deepEqual(targets('rt=temp*'), ['/sensors/temp', '/multi']);
    assert.deepEqual(targets('title=Sensor*'), ['/sensors']);
  });

  it('matches href against the target, prefix with "*"', () => {
    assert.deepEqual(targets('href=/sensors*'), ['/sensors', '/sensors/temp', '/sensors/light']);
    assert.deepEqual(targets('href=/t'), ['/t']);
  });

  it('matches inside space-separated lists and combines parameters', () => {
    assert.deepEqual(targets('rt=temperature-c'), ['/sensors/temp', '/multi']);
    assert.deepEqual(targets(['rt=temperature-c', 'href=/m*']), ['/multi']);
    assert.deepEqual(targets('?ct=40'), ['/sensors']);
    assert.deepEqual(targets('obs'), ['/multi']);
    assert.equal(targets('').length, 6);
  });
});

describe('CoRE Link Format: format and attribute rules', () => {
  it('formats what parses back to the same links', () => {
    const text = formatLinkFormat(assertOk(parseLinkFormat(RFC6690_S5)).value);
    assert.equal(text, RFC6690_S5);
    const odd = '</o>;obs;title="a \\"q\\" \\\\ b";sz=5;title*=UTF-8\'\'x';
    assert.equal(formatLinkFormat(assertOk(parseLinkFormat(odd)).value), odd);
  });

  it('flags rt, if and sz appearing more than once in a link (§3.1-§3.3)', () => {
    const links = assertOk(parseLinkFormat('</a>;rt=x;rt=y,</b>;sz=1;sz=2;if=i')).value;
    assert.deepEqual(checkLinkAttributes(links), [
      { index: 0, rule: 'RFC 6690 §3.1: the rt attribute must not appear more than once in a link (/a)' },
      { index: 1, rule: 'RFC 6690 §3.3: the sz attribute must not appear more than once in a link (/b)' },
    ]);
  });
});
