import assert from 'node:assert/strict';
import {
  CoapOptionNumber as O,
  checkOptionFormats,
  contentFormat,
  decodeUint,
  encodeUint,
  getOption,
  getOptions,
  isCritical,
  isNoCacheKey,
  isUnsafe,
  observeValue,
  optionDef,
  optionName,
  uriPath,
  uriQuery,
  withOption,
  withOptionValues,
  withoutOption,
} from '../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { hex, message, opt, toHex } from './coap-test-helpers.js';

describe('CoAP option registry', () => {
  it('holds every registered option with its format and length bounds', () => {
    const table: [number, string, string, number, number, boolean][] = [
      [1, 'If-Match', 'opaque', 0, 8, true], [3, 'Uri-Host', 'string', 1, 255, false], [4, 'ETag', 'opaque', 1, 8, true],
      [5, 'If-None-Match', 'empty', 0, 0, false], [6, 'Observe', 'uint', 0, 3, false], [7, 'Uri-Port', 'uint', 0, 2, false],
      [8, 'Location-Path', 'string', 0, 255, true], [9, 'OSCORE', 'opaque', 0, 255, false], [11, 'Uri-Path', 'string', 0, 255, true],
      [12, 'Content-Format', 'uint', 0, 2, false], [14, 'Max-Age', 'uint', 0, 4, false], [15, 'Uri-Query', 'string', 0, 255, true],
      [16, 'Hop-Limit', 'uint', 1, 1, false], [17, 'Accept', 'uint', 0, 2, false], [19, 'Q-Block1', 'uint', 0, 3, false],
      [20, 'Location-Query', 'string', 0, 255, true], [23, 'Block2', 'uint', 0, 3, false], [27, 'Block1', 'uint', 0, 3, false],
      [28, 'Size2', 'uint', 0, 4, false], [31, 'Q-Block2', 'uint', 0, 3, true], [35, 'Proxy-Uri', 'string', 1, 1034, false],
      [39, 'Proxy-Scheme', 'string', 1, 255, false], [60, 'Size1', 'uint', 0, 4, false], [252, 'Echo', 'opaque', 1, 40, false],
      [258, 'No-Response', 'uint', 0, 1, false], [292, 'Request-Tag', 'opaque', 0, 8, true],
    ];
    for (const [n, name, format, min, max, rep] of table) {
      const d = optionDef(n)!;
      assert.deepEqual([d.name, d.format, d.minLength, d.maxLength, d.repeatable], [name, format, min, max, rep], name);
    }
    assert.equal(optionName(65000), 'Option-65000');
  });

  it('classifies numbers by their bits (RFC 7252 §5.4.6), matching the C/U/N columns of §5.10', () => {
    const critical = [1, 3, 5, 7, 9, 11, 15, 17, 19, 23, 27, 31, 35, 39];
    const unsafe = [3, 6, 7, 11, 14, 15, 19, 23, 27, 31, 35, 39, 258];
    const noCacheKey = [28, 60, 252];
    for (const n of [1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 19, 20, 23, 27, 28, 31, 35, 39, 60, 252, 258, 292]) {
      assert.equal(isCritical(n), critical.includes(n), `critical ${n}`);
      assert.equal(isUnsafe(n), unsafe.includes(n), `unsafe ${n}`);
      assert.equal(isNoCacheKey(n), noCacheKey.includes(n), `no-cache-key ${n}`);
    }
  });

  it('encodes uints minimally, 0 as zero bytes, and decodes leading zeros', () => {
    const cases: [number, string][] = [[0, ''], [1, '01'], [255, 'ff'], [256, '0100'], [65535, 'ffff'], [65536, '010000'], [0xffffffff, 'ffffffff']];
    for (const [n, h] of cases) {
      assert.equal(toHex(encodeUint(n)), h);
      assert.equal(decodeUint(hex(h)), n);
    }
    assert.equal(decodeUint(hex('00 00 2a')), 42);
    assert.throws(() => encodeUint(-1), RangeError);
    assert.throws(() => encodeUint(1.5), RangeError);
  });
});

describe('CoAP option getters and builders', () => {
  const msg = message({
    type: CoapType.CON,
    code: 1,
    options: [opt(6, hex('')), opt(11, 'sensors'), opt(11, 'temp'), opt(12, hex('32')), opt(15, 'a=1'), opt(15, 'b')],
  });

  it('read the common options', () => {
    assert.deepEqual(uriPath(msg), ['sensors', 'temp']);
    assert.deepEqual(uriQuery(msg), ['a=1', 'b']);
    assert.equal(contentFormat(msg), 50);
    assert.equal(observeValue(msg), 0);
    assert.equal(toHex(getOption(msg, 11)!), toHex(new TextEncoder().encode('sensors')));
    assert.equal(getOptions(msg, 11).length, 2);
    assert.equal(getOption(msg, 4), undefined);
    assert.equal(contentFormat(message({ type: 0, code: 1 })), undefined);
  });

  it('withOption keeps options sorted and appends after existing occurrences', () => {
    let m = withOption(message({ type: 0, code: 1 }), O.URI_PATH, 'b');
    m = withOption(m, O.URI_HOST, 'example.net');
    m = withOption(m, O.URI_PATH, 'c');
    m = withOption(m, O.CONTENT_FORMAT, 60);
    m = withOption(m, O.IF_MATCH, hex('aa'));
    assert.deepEqual(m.options.map((o) => o.number), [1, 3, 11, 11, 12]);
    assert.deepEqual(uriPath(m), ['b', 'c']);
    assert.equal(contentFormat(m), 60);
    assert.deepEqual(uriPath(withOptionValues(m, O.URI_PATH, ['x'])), ['x']);
    assert.equal(withoutOption(m, O.URI_PATH).options.length, 3);
    assert.throws(() => withOption(m, 65536, ''), RangeError);
  });
});

describe('checkOptionFormats (RFC 7252 §5.4.3, §5.4.5, §3.2)', () => {
  const check = (...options: ReturnType<typeof opt>[]) => checkOptionFormats(message({ type: 0, code: 1, options }));

  it('flags a length outside the registered bounds', () => {
    assert.deepEqual(check(opt(3, '')), [{ number: 3, index: 0, rule: 'RFC 7252 §5.4.3: Uri-Host value length 0 outside 1-255 (RFC 7252 §5.10.1); treat as unrecognized' }]);
    assert.match(check(opt(5, hex('00')))[0]!.rule, /If-None-Match value length 1 outside 0 /);
    assert.match(check(opt(12, hex('00 00 32')))[0]!.rule, /Content-Format value length 3 outside 0-2/);
    assert.match(check(opt(16, hex('')))[0]!.rule, /Hop-Limit value length 0 outside 1 /);
    assert.match(check(opt(252, new Uint8Array(41)))[0]!.rule, /Echo value length 41 outside 1-40/);
  });

  it('flags a supernumerary occurrence of a non-repeatable option', () => {
    assert.deepEqual(check(opt(12, ''), opt(12, hex('32'))), [{ number: 12, index: 1, rule: 'RFC 7252 §5.4.5: Content-Format is not repeatable; a supernumerary occurrence is treated as unrecognized' }]);
  });

  it('flags a string option that is not UTF-8', () => {
    assert.deepEqual(check(opt(11, hex('c3 28'))), [{ number: 11, index: 0, rule: 'RFC 7252 §3.2: Uri-Path value is not UTF-8 (string format)' }]);
  });

  it('passes well-formed options and ignores unknown numbers', () => {
    assert.deepEqual(check(opt(3, 'h'), opt(11, 'a'), opt(11, 'b'), opt(12, ''), opt(65001, new Uint8Array(2000))), []);
  });
});
