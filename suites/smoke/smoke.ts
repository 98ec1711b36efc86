// The smoke suite: three quick checks that a board speaks CoAP at all, before the long coap
// suite. `hilrig run --suite smoke` against a new board or a new rig answers "is the link right"
// in a second. Two checks send raw bytes so that they see exactly what the board answers
// (the endpoint would hide a wrong Message ID by retransmitting).
import { CoapCode, describeCode, formatCode } from '../../protocols/coap/coap-codes.js';
import { serializeCoap } from '../../protocols/coap/coap-codec.js';
import { hex } from '../../protocols/coap/coap-describe.js';
import { contentFormat } from '../../protocols/coap/coap-options.js';
import { resolveParams } from '../../protocols/coap/coap-params.js';
import { buildRequest } from '../../protocols/coap/coap-request.js';
import { COAP_TYPE_NAMES, type CoapMessage, CoapType, emptyMessage } from '../../protocols/coap/coap-types.js';
import { ContentFormat } from '../../protocols/coap/content-formats.js';
import { check, coapTest, inconclusive, type CoapClient, type TestContext } from '../../rig/runner/suite-api.js';
import { LinkDead } from '../../rig/runner/verdicts.js';

const SUITE = 'smoke';
const typeName = (m: CoapMessage): string => COAP_TYPE_NAMES[m.type] ?? `T${m.type}`;

/**
 * Send `bytes` as a CON is sent (RFC 7252 §4.2: the same bytes again after ACK_TIMEOUT, doubling,
 * MAX_RETRANSMIT times) until a message matching `pred` arrives. Undefined when none did; the
 * board is then either ignoring this message (it answers a ping) or gone (it does not).
 */
async function sendCon(t: TestContext, c: CoapClient, bytes: Uint8Array, pred: (m: CoapMessage) => boolean): Promise<CoapMessage | undefined> {
  const p = resolveParams(t.rig.coapParams);
  let wait = p.ackTimeoutMs;
  for (let i = 0; i <= p.maxRetransmit; i++) {
    const answer = c.waitFor(pred, wait);
    c.sendRaw(bytes);
    const m = await answer;
    if (m) return m;
    wait *= 2;
  }
  return undefined;
}

/** No answer to `what`: the board broke §4.2 if it still answers a ping, else the link is dead (and later tests say so at once). */
async function silent(t: TestContext, c: CoapClient, what: string): Promise<never> {
  if (await c.alive()) check(false, 'RFC 7252 §4.2', `no answer to ${what}, though the board answers a ping`);
  t.rig.linkDead = `no answer to ${what}, nor to a ping`;
  throw new LinkDead(`the board answers nothing, not even a ping (${what}): is it on ${c.c.url}?`);
}

coapTest(SUITE, {
  id: 'SMOKE_01',
  title: 'GET /test is answered 2.05 in an ACK carrying the request\'s Message ID and token',
  refs: ['RFC 7252 §4.2', 'RFC 7252 §5.2.1', 'RFC 7252 §5.3.2', 'ETSI CoAP plugtest TD_COAP_CORE_01'],
  needs: ['/test'],
}, async (t) => {
  const c = await t.coap();
  const mid = Math.floor(Math.random() * 0x10000);
  const token = Uint8Array.of(0x5e, 0x01, mid >> 8, mid & 0xff);
  const req = buildRequest({ method: 'GET', path: '/test' }, mid, token);
  const tokenHex = hex(token);
  const answer = await sendCon(t, c, serializeCoap(req), (m) => m.mid === mid || (m.code !== 0 && hex(m.token) === tokenHex));
  if (!answer) return silent(t, c, `CON GET /test (MID 0x${mid.toString(16)})`);
  check(answer.type === CoapType.ACK || answer.type === CoapType.CON, 'RFC 7252 §5.2', `the answer to a CON request is an ACK (or a separate CON), got ${typeName(answer)}`);
  check(answer.mid === mid || answer.type !== CoapType.ACK, 'RFC 7252 §4.2', `an ACK carries the Message ID of the CON it acknowledges: sent 0x${mid.toString(16)}, got 0x${answer.mid.toString(16)}`);
  if (answer.type === CoapType.ACK && answer.code === 0) {
    t.note('the board sent an empty ACK first; the response follows as a separate CON');
    const separate = await c.waitFor((m) => m.code !== 0 && m.type !== CoapType.ACK, resolveParams(t.rig.coapParams).ackTimeoutMs * 16);
    if (!separate) return silent(t, c, 'GET /test after its empty ACK (the separate response)');
    return checkContent(separate, tokenHex);
  }
  checkContent(answer, tokenHex);
});

function checkContent(res: CoapMessage, tokenHex: string): void {
  check(hex(res.token) === tokenHex, 'RFC 7252 §5.3.2', `a response echoes its request's token: sent ${tokenHex}, got ${hex(res.token) || '(empty)'}`);
  check(res.code === CoapCode.CONTENT, 'RFC 7252 §5.9.1.1', `GET of an existing resource is answered 2.05 Content, got ${describeCode(res.code)}`);
}

coapTest(SUITE, {
  id: 'SMOKE_02',
  title: 'GET /multi-format with Accept: application/cbor returns CBOR or 4.06 Not Acceptable',
  refs: ['RFC 7252 §5.10.4', 'ETSI CoAP plugtest TD_COAP_CORE_20'],
  needs: ['/multi-format in application/cbor (60)'],
}, async (t) => {
  const c = await t.coap();
  const res = await c.ep.request({ method: 'GET', path: '/multi-format', accept: ContentFormat.CBOR });
  const code = res.msg.code;
  if (code === CoapCode.NOT_FOUND) inconclusive('the board has no /multi-format resource (4.04)');
  if (code === CoapCode.NOT_ACCEPTABLE) inconclusive('the board does not offer /multi-format as application/cbor (4.06 Not Acceptable, as §5.10.4 asks): nothing to check the representation against');
  check(code === CoapCode.CONTENT, 'RFC 7252 §5.10.4', `with an Accept the server cannot meet it answers 4.06; with one it can, 2.05: got ${formatCode(code)}`);
  const cf = contentFormat(res.msg);
  check(cf === ContentFormat.CBOR, 'RFC 7252 §5.10.4', `the response to Accept: 60 carries Content-Format 60, got ${cf === undefined ? 'none' : cf}`);
});

coapTest(SUITE, {
  id: 'SMOKE_03',
  title: 'An empty CON (CoAP ping) is answered with a RST carrying its Message ID',
  refs: ['RFC 7252 §4.2', 'RFC 7252 §4.3'],
}, async (t) => {
  const c = await t.coap();
  const mid = Math.floor(Math.random() * 0x10000);
  const answer = await sendCon(t, c, serializeCoap(emptyMessage(CoapType.CON, mid)), (m) => m.code === 0 && m.type !== CoapType.CON);
  if (!answer) return silent(t, c, `an empty CON (MID 0x${mid.toString(16)})`);
  check(answer.type === CoapType.RST, 'RFC 7252 §4.3', `an empty CON is answered with RST, got ${typeName(answer)}`);
  check(answer.mid === mid, 'RFC 7252 §4.2', `a RST carries the Message ID of the message it rejects: sent 0x${mid.toString(16)}, got 0x${answer.mid.toString(16)}`);
});
