// The CoAP service's bug modes: each one changes exactly the behaviour it names. Every test runs
// the same exchange twice, against a board with the bug (the rule is broken, visibly) and against
// a board without it (the rule holds), over real UDP on 127.0.0.1.
import assert from 'node:assert/strict';
import { bugRewrite, coapBugModes } from '../../../boards/virtual/services/coap-bugs.js';
import type { RunningBoard } from '../../../boards/virtual/virtual-board.js';
import { block2, encodeBlock } from '../../../protocols/coap/block-option.js';
import { type CoapResponse, CoapRequestError } from '../../../protocols/coap/client-requests.js';
import { parseCoap, serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, contentFormat, observeValue, size2 } from '../../../protocols/coap/coap-options.js';
import { buildRequest, type CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import type { OutKind } from '../../../protocols/coap/coap-endpoint.js';
import { type CoapMessage, CoapType, emptyMessage } from '../../../protocols/coap/coap-types.js';
import { seqNewer } from '../../../protocols/coap/observe/index.js';
import { type Client, parsed, rawPeer, startBoard, text, udpClient } from './coap-board-fixture.js';

/** A client that gives up on an unanswered CON quickly (one transmission, 150-225 ms). */
const FAST = { ackTimeoutMs: 150, maxRetransmit: 0 };

describe('virtual board CoAP server: bug modes', function () {
  this.timeout(20000);
  let good: RunningBoard | undefined;
  let bad: RunningBoard | undefined;
  const clients: Client[] = [];

  before(async () => {
    good = await startBoard({ coap: { obsPeriodMs: 250 } });
  });
  after(async () => {
    await good?.stop();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.mgr.shutdown();
    await bad?.stop();
    bad = undefined;
  });

  /** A client of the board without bugs and one of a board with `bug`. */
  async function pair(bug: string, params = {}): Promise<{ right: Client; wrong: Client }> {
    bad = await startBoard({ bugs: [bug], coap: { obsPeriodMs: 250 } });
    const right = await udpClient(good!.endpoints.udp!, params);
    const wrong = await udpClient(bad.endpoints.udp!, params);
    clients.push(right, wrong);
    return { right, wrong };
  }

  const failure = async (p: Promise<unknown>): Promise<CoapRequestError> => {
    const e = await p.then(
      () => assert.fail('the request succeeded'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof CoapRequestError, String(e));
    return e;
  };

  it('declares twelve modes, each citing the RFC section it breaks', () => {
    assert.equal(coapBugModes.length, 12);
    for (const m of coapBugModes) assert.match(m.rule, /^RFC \d+ §\d+(\.\d+)*/, m.name);
  });

  it('each rewriting mode changes only the messages its rule is about', () => {
    const msg = (type: CoapType, code: number, payload: string, options: CoapMessage['options'] = []): CoapMessage => ({
      version: 1,
      type,
      code,
      mid: 0x100,
      token: Uint8Array.of(1, 2),
      options,
      payload: new TextEncoder().encode(payload),
    });
    const b2 = [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num: 0, more: true, szx: 2 }) }];
    const samples: [string, OutKind, CoapMessage][] = [
      ['piggybacked 2.05 with Block2', 'piggybacked', msg(CoapType.ACK, CoapCode.CONTENT, 'x', b2)],
      ['piggybacked 2.31', 'piggybacked', msg(CoapType.ACK, CoapCode.CONTINUE, '')],
      ['piggybacked 2.04 empty', 'piggybacked', msg(CoapType.ACK, CoapCode.CHANGED, '')],
      ['empty ACK', 'empty-ack', emptyMessage(CoapType.ACK, 0x100)],
      ['separate', 'separate', msg(CoapType.CON, CoapCode.CONTENT, 'x')],
      ['NON response', 'non-response', msg(CoapType.NON, CoapCode.CONTENT, 'x')],
      ['notification', 'notification', msg(CoapType.CON, CoapCode.CONTENT, 'x')],
      ['RST', 'rst', emptyMessage(CoapType.RST, 0x100)],
      ['request', 'request', msg(CoapType.CON, CoapCode.GET, '')],
    ];
    const expected: Record<string, string[]> = {
      'ack-wrong-mid': ['piggybacked 2.05 with Block2', 'piggybacked 2.31', 'piggybacked 2.04 empty', 'empty ACK'],
      'token-not-echoed': ['piggybacked 2.05 with Block2', 'piggybacked 2.31', 'piggybacked 2.04 empty', 'separate', 'NON response', 'notification'],
      'piggyback-as-con': ['piggybacked 2.05 with Block2', 'piggybacked 2.31', 'piggybacked 2.04 empty'],
      'non-response-as-con': ['NON response'],
      'block1-no-continue': ['piggybacked 2.31'],
      'block2-wrong-m-bit': ['piggybacked 2.05 with Block2'],
      'empty-payload-marker': ['piggybacked 2.31', 'piggybacked 2.04 empty'],
    };
    const bytes = (m: CoapMessage | Uint8Array): string => Buffer.from(m instanceof Uint8Array ? m : serializeCoap(m)).toString('hex');
    for (const mode of coapBugModes) {
      const rewrite = bugRewrite((n) => n === mode.name);
      const changed = rewrite ? samples.filter(([, kind, m]) => bytes(rewrite(m, kind)) !== bytes(m)).map(([name]) => name) : [];
      assert.deepEqual(changed, expected[mode.name] ?? [], mode.name);
    }
    assert.equal(bugRewrite(() => false), undefined, 'no rewriting without a bug');
  });

  it('ack-wrong-mid: the piggybacked ACK carries another Message ID (RFC 7252 §4.2)', async () => {
    const { right, wrong } = await pair('ack-wrong-mid', FAST);
    const ok = await right.ep.request({ method: 'GET', path: '/test' });
    assert.equal(ok.msg.mid, ok.request.mid);
    const e = await failure(wrong.ep.request({ method: 'GET', path: '/test' }));
    assert.equal(e.reason, 'gave-up');
    const ack = wrong.inbox.find((m) => m.type === CoapType.ACK);
    assert.ok(ack, 'an ACK arrived');
    assert.equal(ack.code, CoapCode.CONTENT);
    assert.equal(ack.mid, (e.request.mid + 1) & 0xffff);
  });

  it('token-not-echoed: the response carries a token the client did not send (RFC 7252 §5.3.2)', async () => {
    const { right, wrong } = await pair('token-not-echoed');
    const ok = await right.ep.request({ method: 'GET', path: '/test' });
    assert.deepEqual(ok.msg.token, ok.request.token);
    const e = await failure(wrong.ep.request({ method: 'GET', path: '/test' }));
    assert.equal(e.reason, 'token-mismatch');
  });

  it('duplicate-processed: a duplicate CON is processed again instead of answered from the cache (RFC 7252 §4.5)', async () => {
    bad = await startBoard({ bugs: ['duplicate-processed'] });
    const post = serializeCoap(buildRequest({ method: 'POST', path: '/test', payload: 'once' }, 0x7777, Uint8Array.of(7))).slice();
    const twice = async (target: string): Promise<[string, string, boolean]> => {
      const raw = await rawPeer(target);
      try {
        raw.send(post);
        const a = await raw.next();
        raw.send(post);
        const b = await raw.next();
        return [text(parsed(a).payload), text(parsed(b).payload), Buffer.compare(a, b) === 0];
      } finally {
        raw.close();
      }
    };
    const [first, again, same] = await twice(good!.endpoints.udp!);
    assert.ok(same, 'the duplicate gets the same bytes');
    assert.equal(again, first);
    const [bFirst, bAgain] = await twice(bad.endpoints.udp!);
    assert.equal(bFirst, 'POST 1 processed');
    assert.equal(bAgain, 'POST 2 processed');
  });

  it('piggyback-as-con: the response to a CON comes as a CON instead of in the ACK (RFC 7252 §5.2.1)', async () => {
    const { right, wrong } = await pair('piggyback-as-con');
    assert.equal((await right.ep.request({ method: 'GET', path: '/test' })).msg.type, CoapType.ACK);
    const r = await wrong.ep.request({ method: 'GET', path: '/test' });
    assert.equal(r.msg.type, CoapType.CON);
    assert.equal(r.msg.code, CoapCode.CONTENT);
  });

  it('block2-wrong-m-bit: a block that is not the last says M=0 (RFC 7959 §2.2)', async () => {
    const { right, wrong } = await pair('block2-wrong-m-bit');
    const spec: CoapRequestSpec = { method: 'GET', path: '/large', options: [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num: 0, more: false, szx: 2 }) }] };
    const more = (r: CoapResponse): boolean => {
      const b = block2(r.msg);
      assert.ok(b?.kind === 'ok');
      assert.ok(size2(r.msg)! > 64, 'the body is longer than this block');
      return b.value.more;
    };
    assert.equal(more(await right.ep.request(spec)), true);
    assert.equal(more(await wrong.ep.request(spec)), false);
  });

  it('block1-no-continue: a non-final Block1 block is answered 2.04 instead of 2.31 (RFC 7959 §2.3)', async () => {
    const { right, wrong } = await pair('block1-no-continue');
    const spec: CoapRequestSpec = { method: 'PUT', path: '/large-update', payload: new Uint8Array(64).fill(0x41), options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num: 0, more: true, szx: 2 }) }] };
    assert.equal((await right.ep.request(spec)).msg.code, CoapCode.CONTINUE);
    assert.equal((await wrong.ep.request(spec)).msg.code, CoapCode.CHANGED);
  });

  it('observe-seq-not-increasing: each notification has an older Observe value than the last (RFC 7641 §4.4)', async () => {
    const { right, wrong } = await pair('observe-seq-not-increasing');
    const seqs = (c: Client): Promise<number[]> =>
      new Promise((resolve, reject) => {
        const got: number[] = [];
        c.ep.requestStream(
          { method: 'GET', path: '/obs', options: [{ number: CoapOptionNumber.OBSERVE, value: 0 }] },
          (r) => {
            got.push(observeValue(r.msg)!);
            if (got.length === 3) resolve(got);
            return got.length < 3;
          },
          reject,
        );
      });
    const newer = (s: number[]): boolean[] => s.slice(1).map((v, i) => seqNewer(s[i]!, v));
    assert.deepEqual(newer(await seqs(right)), [true, true]);
    assert.deepEqual(newer(await seqs(wrong)), [false, false]);
  });

  it('core-wrong-content-format: /.well-known/core without Content-Format 40 (RFC 6690 §5, §7.1)', async () => {
    const { right, wrong } = await pair('core-wrong-content-format');
    const spec: CoapRequestSpec = { method: 'GET', path: '/.well-known/core', query: 'rt=Type1' };
    assert.equal(contentFormat((await right.ep.request(spec)).msg), 40);
    const r = await wrong.ep.request(spec);
    assert.equal(contentFormat(r.msg), 0);
    assert.equal(text(r.msg.payload), '</link1>;rt="Type1 Type2";if="If1";title="Link test resource link1",</link3>;rt="Type1 Type3";if="foo";title="Link test resource link3"');
  });

  it('unknown-critical-ignored: an unrecognized critical option is ignored instead of 4.02 (RFC 7252 §5.4.1)', async () => {
    const { right, wrong } = await pair('unknown-critical-ignored');
    const spec: CoapRequestSpec = { method: 'GET', path: '/test', options: [{ number: 65001, value: 'must understand' }] };
    assert.equal((await right.ep.request(spec)).msg.code, CoapCode.BAD_OPTION);
    assert.equal((await wrong.ep.request(spec)).msg.code, CoapCode.CONTENT);
  });

  it('empty-payload-marker: a response without payload ends with a payload marker (RFC 7252 §3)', async () => {
    const { right, wrong } = await pair('empty-payload-marker', FAST);
    const ok = await right.ep.request({ method: 'DELETE', path: '/test' });
    assert.equal(ok.msg.code, CoapCode.DELETED);
    assert.equal(ok.msg.payload.length, 0);
    const e = await failure(wrong.ep.request({ method: 'DELETE', path: '/test' }));
    assert.equal(e.reason, 'gave-up');
    assert.ok(wrong.malformed.length > 0, 'the client saw a malformed message');
    const m = wrong.malformed[0]!;
    assert.match(m.rule, /payload marker followed by a zero-length payload/);
    assert.equal(m.bytes[m.bytes.length - 1], 0xff);
    const r = parseCoap(m.bytes.subarray(0, m.bytes.length - 1));
    assert.ok(r.kind === 'ok' && r.value.code === CoapCode.DELETED, 'without the marker it is the 2.02');
  });

  it('separate-never-sent: /separate gets its empty ACK, then nothing (RFC 7252 §5.2.2)', async () => {
    const { right, wrong } = await pair('separate-never-sent');
    const spec: CoapRequestSpec = { method: 'GET', path: '/separate', timeoutMs: 1500 };
    const ok = await right.ep.request(spec);
    assert.equal(ok.msg.type, CoapType.CON);
    const e = await failure(wrong.ep.request(spec));
    assert.equal(e.reason, 'timeout');
    assert.ok(wrong.inbox.some((m) => m.type === CoapType.ACK && m.code === 0 && m.mid === e.request.mid), 'the empty ACK came');
    assert.equal(wrong.inbox.length, 1, 'and nothing else');
  });

  it('non-response-as-con: the response to a NON request is a CON (RFC 7252 §5.2.3)', async () => {
    const { right, wrong } = await pair('non-response-as-con');
    const spec: CoapRequestSpec = { method: 'GET', path: '/test', confirmable: false };
    assert.equal((await right.ep.request(spec)).msg.type, CoapType.NON);
    const r = await wrong.ep.request(spec);
    assert.equal(r.msg.type, CoapType.CON);
    assert.equal(r.msg.code, CoapCode.CONTENT);
  });
});
