// The Q-Block1 receiver alone (RFC 9177 §4.3, §5, §7.2), fed exchanges directly with the clock
// time as a number: 2.31 per complete set, 4.08 with the CBOR list at once for a gap before a
// new set and after NON_RECEIVE_TIMEOUT otherwise (doubling), giving up, duplicates, bad requests.
import assert from 'node:assert/strict';
import { encodeBlock } from '../../../../protocols/coap/block-option.js';
import { DEFAULT_COAP_PARAMS } from '../../../../protocols/coap/coap-params.js';
import { CoapOptionNumber } from '../../../../protocols/coap/coap-options.js';
import { type CoapMessage, type CoapOption, CoapType } from '../../../../protocols/coap/coap-types.js';
import { CoapExchange, type ExchangeSink, type ResponseSpec } from '../../../../protocols/coap/server-exchange.js';
import { decodeMissingBlocks, MISSING_BLOCKS_CBOR_SEQ } from '../../../../protocols/coap/block/missing-blocks-cbor.js';
import { qblockParams } from '../../../../protocols/coap/block/qblock-params.js';
import { QBlock1Receiver } from '../../../../protocols/coap/block/qblock1-receiver.js';
import { bodyOf } from './block-rig.js';

interface Answer {
  token: number;
  spec: ResponseSpec;
  at: number;
}

const SIZE = 1024;

function setup(total: number, lastLen = SIZE) {
  const answers: Answer[] = [];
  const acks: number[] = [];
  const sink: ExchangeSink = {
    respond: (x, spec) => answers.push({ token: x.request.token[0]!, spec, at: now }),
    acknowledge: (x) => acks.push(x.request.token[0]!),
  };
  const bodies: Uint8Array[] = [];
  const rx = new QBlock1Receiver({ maxBodySize: 1 << 20, params: qblockParams(DEFAULT_COAP_PARAMS), onBody: (b) => (bodies.push(b), { code: 0x44 }) });
  const size1 = (total - 1) * SIZE + lastLen;
  const body = bodyOf(size1, 21);
  let now = 0;
  let token = 0;
  const block = (num: number, opts: { type?: CoapType; tag?: boolean; size1?: number } = {}): boolean => {
    const options: CoapOption[] = [{ number: CoapOptionNumber.Q_BLOCK1, value: encodeBlock({ num, more: num < total - 1, szx: 6 }) }];
    if (opts.size1 !== -1) options.push({ number: CoapOptionNumber.SIZE1, value: encodeUintLoose(opts.size1 ?? size1) });
    if (opts.tag !== false) options.push({ number: CoapOptionNumber.REQUEST_TAG, value: Uint8Array.of(9) });
    options.sort((a, b) => a.number - b.number);
    const msg: CoapMessage = { version: 1, type: opts.type ?? CoapType.NON, code: 3, mid: token, token: Uint8Array.of(token++ & 0xff), options, payload: body.subarray(num * SIZE, (num + 1) * SIZE) };
    return rx.receive(new CoapExchange(msg, 'udp://peer', sink, now), sink, now);
  };
  return {
    rx,
    answers,
    acks,
    bodies,
    body,
    block,
    at: (t: number) => {
      now = t;
      rx.poll(t);
    },
  };
}

const encodeUintLoose = (n: number): Uint8Array => {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Uint8Array.from(out);
};

const missingOf = (a: Answer): number[] => {
  assert.equal(a.spec.code, 0x88);
  assert.equal(a.spec.contentFormat, MISSING_BLOCKS_CBOR_SEQ);
  const r = decodeMissingBlocks(a.spec.payload as Uint8Array);
  assert.equal(r.kind, 'ok');
  return r.kind === 'ok' ? r.value : [];
};

describe('Q-Block1 receiver (RFC 9177 §4.3, §7.2)', () => {
  it('answers 2.31 with Q-Block1 NUM 9 when set 0 is complete, on the last block token, and 2.04 at the end', () => {
    const s = setup(15, 100);
    for (let n = 0; n < 10; n++) assert.ok(s.block(n));
    assert.equal(s.answers.length, 1);
    assert.equal(s.answers[0]!.spec.code, 0x5f);
    assert.equal(s.answers[0]!.token, 9);
    const q = s.answers[0]!.spec.options!.find((o) => o.number === CoapOptionNumber.Q_BLOCK1)!;
    assert.deepEqual(q.value, encodeBlock({ num: 9, more: true, szx: 6 }));
    for (let n = 10; n < 15; n++) s.block(n);
    assert.deepEqual(
      s.answers.map((a) => [a.spec.code, a.token]),
      [
        [0x5f, 9],
        [0x44, 14],
      ],
    );
    assert.deepEqual(s.bodies[0], s.body);
  });

  it('a block of a new set with gaps in an earlier one gets 4.08 listing them at once', () => {
    const s = setup(25);
    for (const n of [0, 1, 2, 4, 5, 6, 7, 8]) s.block(n);
    assert.equal(s.answers.length, 0);
    s.block(10);
    assert.deepEqual(missingOf(s.answers[0]!), [3, 9]);
    assert.equal(s.answers[0]!.token, 8, 'the token of the block that showed the gap');
    s.block(11); // same set: no second 4.08
    assert.equal(s.answers.length, 1);
    s.block(3);
    s.block(9); // set 0 complete, and 10, 11 of set 1 there: 2.31 for set 0
    assert.equal(s.answers[1]!.spec.code, 0x5f);
  });

  it('after NON_RECEIVE_TIMEOUT without blocks asks for the missing ones, the wait doubling, then gives the body up', () => {
    const s = setup(3, 10);
    s.block(0);
    s.block(2);
    s.at(3999);
    assert.equal(s.answers.length, 0);
    const times: number[] = [];
    for (let t = 4000; t <= 4000 + 8000 + 16000 + 32000 + 64000; t += 1000) {
      const before = s.answers.length;
      s.at(t);
      if (s.answers.length > before) times.push(t);
    }
    assert.deepEqual(times, [4000, 12000, 28000, 60000], 'NON_RECEIVE_TIMEOUT × 2^(n-1), NON_MAX_RETRANSMIT (4) times');
    assert.ok(s.answers.every((a) => missingOf(a).join() === '1'));
    assert.equal(s.rx.active, 0, 'the partial body is discarded');
  });

  it('a duplicate after completion is answered with the final response again', () => {
    const s = setup(2, 5);
    s.block(0);
    s.block(1);
    s.block(1);
    assert.deepEqual(
      s.answers.map((a) => a.spec.code),
      [0x44, 0x44],
    );
    assert.equal(s.bodies.length, 1, 'the resource sees the body once');
  });

  it('a CON block is acknowledged and not answered until the body is complete (§4.3)', () => {
    const s = setup(3, 5);
    s.block(0, { type: CoapType.CON });
    assert.deepEqual(s.acks, [0]);
    assert.equal(s.answers.length, 0);
  });

  it('refuses a Q-Block1 request without Request-Tag or Size1 (4.00), and a Size1 above the limit (4.13 with Size1)', () => {
    const s = setup(3);
    s.block(0, { tag: false });
    s.block(0, { size1: -1 });
    s.block(0, { size1: 2 << 20 });
    assert.deepEqual(
      s.answers.map((a) => a.spec.code),
      [0x80, 0x80, 0x8d],
    );
    assert.match(String(s.answers[0]!.spec.payload), /RFC 9177 §4\.3: a request with Q-Block1 must carry Request-Tag and Size1/);
    assert.deepEqual(s.answers[2]!.spec.options, [{ number: CoapOptionNumber.SIZE1, value: 1 << 20 }]);
  });

  it('refuses a block that does not fit Size1 (4.00), and leaves requests without Q-Block1 alone', () => {
    const s = setup(3, 10);
    s.block(5);
    assert.equal(s.answers[0]!.spec.code, 0x80);
    assert.match(String(s.answers[0]!.spec.payload), /RFC 9177 §4\.6: block 5/);
    const plain: CoapMessage = { version: 1, type: CoapType.NON, code: 3, mid: 1, token: Uint8Array.of(1), options: [], payload: new Uint8Array(0) };
    const sink: ExchangeSink = { respond: () => assert.fail(), acknowledge: () => assert.fail() };
    assert.equal(s.rx.receive(new CoapExchange(plain, 'p', sink, 0), sink, 0), false);
  });
});
