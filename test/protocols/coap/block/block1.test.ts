// Block1 uploads (RFC 7959 §2.3, §2.5, §2.9, §3.3) over real UDP: our client against our
// Block1Receiver, late negotiation of a smaller size, the receiver's 4.08 for a gap and 4.13
// with Size1, a large answer fetched with Block2, stale transfers, and the 1 MiB goodput.
import assert from 'node:assert/strict';
import { block1Put } from '../../../../protocols/coap/block/block1-client.js';
import { Block1Receiver } from '../../../../protocols/coap/block/block1-receiver.js';
import { AnswerCache } from '../../../../protocols/coap/block/answer-cache.js';
import { serveBlock2 } from '../../../../protocols/coap/block/serve-block2.js';
import { CoapBlockError } from '../../../../protocols/coap/block/block-error.js';
import type { BlockProgress } from '../../../../protocols/coap/block/block-progress.js';
import { block1 as block1Of, encodeBlock } from '../../../../protocols/coap/block-option.js';
import { CoapOptionNumber, size1, uriPath } from '../../../../protocols/coap/coap-options.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import type { Connection } from '../../../../rig/engine/index.js';
import { blockRig, bodyOf, type BlockRig, firstDifference } from './block-rig.js';

interface Board {
  rx: Block1Receiver;
  stored: Map<string, Uint8Array>;
  seen: CoapExchange[];
  serve: (x: CoapExchange, c: Connection) => void;
}

/** A small board: PUT/POST store a body (block-wise or not); /reverse answers with the body reversed, large. */
function board(opts: { maxBodySize?: number; maxSzx?: number } = {}): Board {
  const rx = new Block1Receiver({ maxBodySize: opts.maxBodySize ?? 2 << 20, maxSzx: opts.maxSzx });
  const cache = new AnswerCache();
  const stored = new Map<string, Uint8Array>();
  const seen: CoapExchange[] = [];
  const serve = (x: CoapExchange, c: Connection): void => {
    seen.push(x);
    const now = c.now();
    const path = uriPath(x.request).join('/');
    if (cache.serve(x, now)) return;
    if (x.request.code === 1) return serveBlock2(x, stored.get(path) ?? new Uint8Array(0));
    const out = rx.receive(x, now);
    if (out.kind === 'answered') return;
    stored.set(path, out.body);
    if (path === 'reverse') return cache.answer(x, out.body.slice().reverse(), now, { code: 0x44, options: out.echo, maxSzx: opts.maxSzx });
    x.respond({ code: 0x44, options: out.echo });
  };
  return { rx, stored, seen, serve };
}

const block1Text = (x: CoapExchange): string => {
  const b = block1Of(x.request);
  return b?.kind === 'ok' ? `${b.value.num}/${b.value.more ? 1 : 0}/${b.value.szx}` : '-';
};

describe('Block1 uploads (RFC 7959 §2.3) over UDP', () => {
  let r: BlockRig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('sends the blocks in order with Size1 on the first, each non-final one answered 2.31', async () => {
    const b = board();
    r = await blockRig(b.serve);
    const body = bodyOf(2500);
    const progress: BlockProgress[] = [];
    const res = await block1Put(r.ep, { path: '/store' }, body, { szx: 6, onProgress: (p) => progress.push(p) });
    assert.equal(res.code, 0x44);
    assert.equal(firstDifference(b.stored.get('store')!, body), -1);
    assert.deepEqual(b.seen.map(block1Text), ['0/1/6', '1/1/6', '2/0/6']);
    assert.deepEqual(b.seen.map((x) => size1(x.request)), [2500, undefined, undefined]);
    assert.deepEqual(
      progress.map((p) => [p.bytesDone, p.bytesTotal, p.blocks]),
      [
        [1024, 2500, 1],
        [2048, 2500, 2],
        [2500, 2500, 3],
      ],
    );
    const echo = block1Of(res.response.msg);
    assert.deepEqual(echo?.kind === 'ok' && echo.value, { num: 2, more: false, szx: 6 });
  });

  for (const n of [0, 1, 1023, 1024, 1025]) {
    it(`a body of ${n} bytes arrives whole (POST)`, async () => {
      const b = board();
      r = await blockRig(b.serve);
      const res = await block1Put(r.ep, { path: '/p' }, bodyOf(n, 3), { method: 'POST' });
      assert.equal(res.code, 0x44);
      assert.equal(firstDifference(b.stored.get('p')!, bodyOf(n, 3)), -1);
      assert.ok(b.seen.every((x) => x.request.code === 2));
    });
  }

  it('late negotiation: a server that wants 64-byte blocks gets them from the same offset', async () => {
    const b = board({ maxSzx: 2 });
    r = await blockRig(b.serve);
    const body = bodyOf(1300, 5);
    const res = await block1Put(r.ep, { path: '/small' }, body, { szx: 6 });
    assert.equal(firstDifference(b.stored.get('small')!, body), -1);
    // block 0 of 1024 bytes is taken; the rest goes at offset 1024 = NUM 16 of 64 bytes
    assert.deepEqual(b.seen.map(block1Text), ['0/1/6', '16/1/2', '17/1/2', '18/1/2', '19/1/2', '20/0/2']);
    assert.equal(res.stats.szx, 2);
  });

  it('the receiver answers a gap with 4.08 (RFC 7959 §2.9.2)', async () => {
    const b = board();
    r = await blockRig(b.serve);
    const block = (num: number, more: boolean) => ({ method: 'PUT' as const, path: '/gap', payload: bodyOf(more ? 64 : 10), options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx: 2 }) }] });
    assert.equal((await r.ep.request(block(0, true))).msg.code, 0x5f);
    const res = await r.ep.request(block(2, true));
    assert.equal(res.msg.code, 0x88);
    assert.match(new TextDecoder().decode(res.msg.payload), /RFC 7959 §2\.9\.2: expected the block at offset 64 \(NUM 1 of 64 bytes\), got NUM 2 \(offset 128\)/);
    // with the transfer gone, a later block is incomplete too
    assert.equal((await r.ep.request(block(3, false))).msg.code, 0x88);
    assert.equal(b.rx.active, 0);
  });

  it('the answer to a repeated block is the same 2.31, and the body is not duplicated', async () => {
    const b = board();
    r = await blockRig(b.serve);
    const block = (num: number, more: boolean) => ({ method: 'PUT' as const, path: '/again', payload: bodyOf(64, num + 10), options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx: 2 }) }] });
    await r.ep.request(block(0, true));
    await r.ep.request(block(1, true));
    assert.equal((await r.ep.request(block(1, true))).msg.code, 0x5f);
    assert.equal((await r.ep.request(block(2, false))).msg.code, 0x44);
    assert.equal(b.stored.get('again')!.length, 192);
  });

  it('a body announced larger than the limit gets 4.13 with Size1 at the first block, and the client names the limit', async () => {
    const b = board({ maxBodySize: 4000 });
    r = await blockRig(b.serve);
    const err = await block1Put(r.ep, { path: '/big' }, bodyOf(5000)).then(
      () => assert.fail('no 4.13'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CoapBlockError);
    assert.equal(err.code, 'PROTOCOL');
    assert.equal(err.message, 'RFC 7959 §2.9.3: block 0 of 5 (M=1) was answered 4.13 Request Entity Too Large: the body has 5000 bytes and it accepts at most 4000 bytes (Size1)');
    assert.equal(b.seen.length, 1);
  });

  it('without Size1 the receiver counts, and answers 4.13 at the block that passes the limit', async () => {
    const b = board({ maxBodySize: 4000 });
    r = await blockRig(b.serve);
    await assert.rejects(block1Put(r.ep, { path: '/big' }, bodyOf(5000), { size1: false }), /RFC 7959 §2\.9\.3: block 3 of 5 \(M=1\) was answered 4\.13 .* at most 4000 bytes/);
    assert.equal(b.seen.length, 4);
    assert.equal(b.rx.active, 0);
  });

  it('Block1 then Block2 (RFC 7959 §3.3): the large answer to the last block is fetched with the same method', async () => {
    const b = board({ maxSzx: 5 });
    r = await blockRig(b.serve);
    const body = bodyOf(2000, 9);
    const res = await block1Put(r.ep, { path: '/reverse' }, body, { method: 'POST', szx: 5 });
    assert.equal(res.code, 0x44);
    assert.equal(firstDifference(res.body, body.slice().reverse()), -1);
    const tail = b.seen.slice(4);
    assert.deepEqual(tail.map((x) => [x.request.code, block1Text(x), x.request.payload.length]), [
      [2, '-', 0],
      [2, '-', 0],
      [2, '-', 0],
    ]);
    assert.equal(res.stats.requests, 7);
    // the answer to the last block echoes its Block1; the follow-ups' answers carry only Block2
    const answers = r.received.filter((m) => m.code === 0x44);
    assert.deepEqual(
      answers.map((m) => [m.options.some((o) => o.number === CoapOptionNumber.BLOCK1), m.options.some((o) => o.number === CoapOptionNumber.BLOCK2)]),
      [
        [true, true],
        [false, true],
        [false, true],
        [false, true],
      ],
    );
  });

  it('drops a transfer idle longer than staleAfterMs', async () => {
    const rx = new Block1Receiver({ maxBodySize: 1000, staleAfterMs: 50 });
    let now = 0;
    r = await blockRig((x) => void rx.receive(x, now));
    await r.ep.request({ method: 'PUT', path: '/s', payload: bodyOf(16), options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num: 0, more: true, szx: 0 }) }] });
    assert.equal(rx.active, 1);
    now = 49;
    assert.equal(rx.expire(now), 0);
    now = 50;
    assert.equal(rx.expire(now), 1);
    assert.equal(rx.active, 0);
  });

  it('1 MiB in 1024-byte blocks against our own receiver (goodput)', async function () {
    const b = board();
    r = await blockRig(b.serve);
    const body = bodyOf(1 << 20, 11);
    const t0 = performance.now();
    const res = await block1Put(r.ep, { path: '/mib' }, body);
    const s = (performance.now() - t0) / 1000;
    assert.equal(firstDifference(b.stored.get('mib')!, body), -1);
    assert.equal(res.stats.requests, 1024);
    const mbps = body.length / 1e6 / s;
    this.test!.title += ` — ${mbps.toFixed(2)} MB/s`;
    assert.ok(mbps > 0.5, `goodput ${mbps.toFixed(2)} MB/s`);
  });
});
