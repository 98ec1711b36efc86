// RFC 7252 robustness: CONs with a message format error whose header is readable are rejected
// with an RST carrying their Message ID (§3, §3.1, §4.1, §4.2), so are CONs with a reserved code
// class (§4.2, §12.1), messages with an unknown version are silently ignored (§3), and after
// each of them the board still answers a ping. One test per case, each on a fresh link.
import { code } from '../../protocols/coap/coap-codes.js';
import { coapTest } from '../../rig/runner/suite-api.js';
import { openLink } from './rfc-lib/link.js';
import { bytes, conBytes, expectReset, expectSilence, header, type RawCase } from './rfc-lib/raw.js';

const SUITE = 'coap';
/** a Uri-Path option "test" (delta 11, length 4) */
const PATH = [0xb4, ...new TextEncoder().encode('test')];

describe('RFC 7252: malformed messages', () => {
  coapTest(
    SUITE,
    {
      id: 'RFC7252_3_TOKEN_LENGTH_RESERVED',
      title: 'A CON with a token length of 9 to 15 is rejected with an RST carrying its Message ID',
      refs: ['RFC 7252 §3', 'RFC 7252 §4.2'],
    },
    async (t) => {
      const l = await openLink(t);
      const cases: RawCase[] = [];
      for (let tkl = 9; tkl <= 15; tkl++) {
        const mid = l.c.ep.ml.nextMid();
        cases.push({ what: `a CON GET with token length ${tkl}`, mid, bytes: bytes(header({ tkl, code: 0x01, mid }), new Array<number>(tkl).fill(0xa5), PATH) });
      }
      await expectReset(l, cases, 'RFC 7252 §3');
    },
  );

  const optionCases: { id: string; title: string; what: string; rule: string; body: number[] }[] = [
    {
      id: 'RFC7252_3.1_OPTION_DELTA_15',
      title: 'A CON with option delta 15 (other than the payload marker) is rejected with an RST',
      what: 'a CON GET with an option byte 0xf1 (delta 15, reserved)',
      rule: 'RFC 7252 §3.1',
      body: [0xf1, 0x41],
    },
    {
      id: 'RFC7252_3.1_OPTION_LENGTH_15',
      title: 'A CON with option length 15 is rejected with an RST',
      what: 'a CON GET with an option byte 0xbf (Uri-Path, length 15, reserved)',
      rule: 'RFC 7252 §3.1',
      body: [0xbf, ...new Array<number>(16).fill(0x61)],
    },
    {
      id: 'RFC7252_3.1_OPTION_PAST_END',
      title: 'A CON whose option value runs past the end of the datagram is rejected with an RST',
      what: 'a CON GET whose Uri-Path option declares 5 bytes and carries 2',
      rule: 'RFC 7252 §3.1',
      body: [0xb5, 0x74, 0x65],
    },
    {
      id: 'RFC7252_3_PAYLOAD_MARKER_NO_PAYLOAD',
      title: 'A CON with a payload marker followed by no payload is rejected with an RST',
      what: 'a CON GET /test ending in a payload marker with no payload',
      rule: 'RFC 7252 §3',
      body: [...PATH, 0xff],
    },
  ];
  for (const k of optionCases) {
    coapTest(SUITE, { id: k.id, title: k.title, refs: [k.rule, 'RFC 7252 §4.2'] }, async (t) => {
      const l = await openLink(t);
      const mid = l.c.ep.ml.nextMid();
      await expectReset(l, { what: k.what, mid, bytes: bytes(header({ tkl: 0, code: 0x01, mid }), k.body) }, k.rule);
    });
  }

  coapTest(
    SUITE,
    {
      id: 'RFC7252_4.1_EMPTY_WITH_TOKEN',
      title: 'An Empty CON (0.00) with a token is a format error, rejected with an RST',
      refs: ['RFC 7252 §4.1', 'RFC 7252 §4.2'],
    },
    async (t) => {
      const l = await openLink(t);
      const mid = l.c.ep.ml.nextMid();
      await expectReset(l, { what: 'an Empty CON (0.00) with a 2-byte token', mid, bytes: bytes(header({ tkl: 2, code: 0, mid }), 0x12, 0x34) }, 'RFC 7252 §4.1');
    },
  );

  coapTest(
    SUITE,
    {
      id: 'RFC7252_4.1_EMPTY_WITH_OPTIONS',
      title: 'An Empty CON (0.00) with options is a format error, rejected with an RST',
      refs: ['RFC 7252 §4.1', 'RFC 7252 §4.2'],
    },
    async (t) => {
      const l = await openLink(t);
      const mid = l.c.ep.ml.nextMid();
      await expectReset(l, { what: 'an Empty CON (0.00) with a Uri-Path option', mid, bytes: bytes(header({ tkl: 0, code: 0, mid }), PATH) }, 'RFC 7252 §4.1');
    },
  );

  for (const cls of [1, 6, 7]) {
    coapTest(
      SUITE,
      {
        id: `RFC7252_4.2_RESERVED_CLASS_${cls}`,
        title: `A CON with a code of the reserved class ${cls} is rejected with an RST carrying its Message ID`,
        refs: ['RFC 7252 §4.2', 'RFC 7252 §12.1'],
      },
      async (t) => {
        const l = await openLink(t);
        const mid = l.c.ep.ml.nextMid();
        const c = code(cls, 1);
        const m: RawCase = { what: `a CON with code ${cls}.01 (reserved class ${cls}) for /.well-known/core`, mid, bytes: conBytes({ mid, code: c, token: Uint8Array.of(0xc1, 0xa5) }) };
        await expectReset(l, m, 'RFC 7252 §4.2');
      },
    );
  }

  for (const version of [0, 2, 3]) {
    coapTest(
      SUITE,
      {
        id: `RFC7252_3_UNKNOWN_VERSION_${version}`,
        title: `A message with version ${version} is silently ignored, and the board still answers a ping`,
        refs: ['RFC 7252 §3'],
      },
      async (t) => {
        const l = await openLink(t);
        const mid = l.c.ep.ml.nextMid();
        const m: RawCase = { what: `a CON GET /.well-known/core with version ${version}`, mid, bytes: conBytes({ mid, version, token: Uint8Array.of(0x7e, 0x57) }) };
        await expectSilence(l, m, 'RFC 7252 §3');
      },
    );
  }
});
