// Q-Block1 uploads (RFC 9177) over real UDP on a scaled clock (RFC timers, 100× faster): our
// client against our QBlock1Receiver, with and without 20% loss both ways through the
// impairment layer, compared with Block1 on the same link, and falling back to Block1 against a
// server without Q-Block1.
import assert from 'node:assert/strict';
import { type Clock, ScaledClock } from '../../../../rig/engine/index.js';
import { impairDriver } from '../../../../drivers/impair/impair-driver.js';
import { udpDriver } from '../../../../drivers/udp/udp-driver.js';
import { blockOption } from '../../../../protocols/coap/block-option.js';
import { block1Put } from '../../../../protocols/coap/block/block1-client.js';
import { Block1Receiver } from '../../../../protocols/coap/block/block1-receiver.js';
import { qblockParams } from '../../../../protocols/coap/block/qblock-params.js';
import { qblock1Put } from '../../../../protocols/coap/block/qblock1-client.js';
import { QBlock1Receiver } from '../../../../protocols/coap/block/qblock1-receiver.js';
import { DEFAULT_COAP_PARAMS } from '../../../../protocols/coap/coap-params.js';
import { CoapOptionNumber, getOption, size1, uriPath } from '../../../../protocols/coap/coap-options.js';
import { type CoapMessage, CoapType } from '../../../../protocols/coap/coap-types.js';
import { coapEndpoint } from '../../../../protocols/coap/coap-protocol.js';
import type { Connection } from '../../../../rig/engine/index.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import { blockRig, bodyOf, type BlockRig, firstDifference, type RigOptions } from './block-rig.js';
import { waitFor, within } from '../../../helpers/wait.js';

interface QBoard {
  stored: Map<string, Uint8Array>;
  seen: CoapMessage[];
  serve: (x: CoapExchange, c: Connection) => void;
  poll: (now: number) => void;
}

/** A board taking Q-Block1 (when `qblock`) and Block1 uploads into `stored`. */
function qboard(qblock: boolean): QBoard {
  const stored = new Map<string, Uint8Array>();
  const seen: CoapMessage[] = [];
  const qrx = new QBlock1Receiver({
    maxBodySize: 4 << 20,
    params: qblockParams(DEFAULT_COAP_PARAMS),
    onBody: (body, x) => (stored.set(uriPath(x.request).join('/'), body), { code: 0x44 }),
  });
  const rx = new Block1Receiver({ maxBodySize: 4 << 20 });
  return {
    stored,
    seen,
    poll: (now) => qrx.poll(now),
    serve: (x, c) => {
      seen.push(x.request);
      if (qblock && qrx.receive(x, coapEndpoint(c), c.now())) return;
      const out = rx.receive(x, c.now());
      if (out.kind === 'complete') {
        stored.set(uriPath(x.request).join('/'), out.body);
        x.respond({ code: 0x44, options: out.echo });
      }
    },
  };
}

const qnum = (m: CoapMessage): number | undefined => {
  const q = blockOption(m, CoapOptionNumber.Q_BLOCK1);
  return q?.kind === 'ok' ? q.value.num : undefined;
};

describe('Q-Block1 uploads (RFC 9177) over UDP', function () {
  this.timeout(30_000);
  let rigs: BlockRig[] = [];
  afterEach(async () => {
    for (const r of rigs) await r.close();
    rigs = [];
  });
  const start = async (b: QBoard, opts: RigOptions): Promise<BlockRig> => {
    const r = await blockRig(b.serve, { ...opts, onServerPoll: (now) => b.poll(now) });
    rigs.push(r);
    return r;
  };

  it('without loss: a CON first block learns support, then bursts of 10 NONs each confirmed by 2.31', async () => {
    const clock = new ScaledClock(100);
    const b = qboard(true);
    const r = await start(b, { clock, server: { server: true, recognizedOptions: [CoapOptionNumber.Q_BLOCK1] } });
    const body = bodyOf(100 * 1024 + 17, 31);
    const res = await within(qblock1Put(r.ep, { path: '/fw' }, body, { clock }), 20_000, 'the Q-Block1 upload');
    assert.equal(res.code, 0x44);
    assert.ok(res.usedQBlock);
    assert.equal(firstDifference(b.stored.get('fw')!, body), -1);
    const blocks = r.sent.filter((m) => qnum(m) !== undefined);
    assert.equal(blocks[0]!.type, CoapType.CON);
    assert.ok(blocks.slice(1).every((m) => m.type === CoapType.NON));
    // §4.3, §4.6: the same Request-Tag and Size1 on every block
    const tag = getOption(blocks[0]!, CoapOptionNumber.REQUEST_TAG);
    assert.ok(tag && blocks.every((m) => Buffer.compare(getOption(m, CoapOptionNumber.REQUEST_TAG)!, tag) === 0));
    assert.ok(blocks.every((m) => size1(m) === body.length));
    // a fresh token per block
    assert.equal(new Set(blocks.map((m) => Buffer.from(m.token).toString('hex'))).size, blocks.length);
    assert.equal(res.stats.blocks, 101);
    assert.equal(res.stats.resent, 0);
    // the probe, then sets 1-9, 10-19, ..., 100: eleven bursts
    assert.equal(res.stats.roundTrips, 12);
    // each full set was confirmed at once, so no pause ran out: far less than one NON_TIMEOUT (2 s) in all
    assert.equal(r.received.filter((m) => m.code === 0x5f).length, 10);
    assert.ok(res.stats.elapsedMs < 2000, `took ${res.stats.elapsedMs} clock ms`);
    // the server's endpoint keeps no exchange of the NON blocks it never answered (a leak per block otherwise)
    const serverEps = [...r.server.children.values()].map((c) => coapEndpoint(c));
    await waitFor(() => serverEps.every((e) => e.open.size === 0), 'the server endpoint to drop unanswered NON exchanges', 5000);
    // a second upload on the same endpoint skips the probe
    r.sent.length = 0;
    await qblock1Put(r.ep, { path: '/fw2' }, body.subarray(0, 3000), { clock });
    assert.ok(r.sent.filter((m) => qnum(m) !== undefined).every((m) => m.type === CoapType.NON));
    assert.equal(firstDifference(b.stored.get('fw2')!, body.subarray(0, 3000)), -1);
  });

  it('with 20% loss both ways: byte-identical, and far fewer round trips than Block1 on the same link', async function () {
    const clock: Clock = new ScaledClock(100);
    const b = qboard(true);
    const drv = impairDriver(udpDriver, { loss: 0.2, seed: 1 });
    const opts: RigOptions = { clock, clientDriver: drv, server: { server: true, recognizedOptions: [CoapOptionNumber.Q_BLOCK1] } };
    const body = bodyOf(64 * 1024, 41);
    const rq = await start(b, opts);
    const q = await within(qblock1Put(rq.ep, { path: '/q' }, body, { clock }), 25_000, 'the Q-Block1 upload under loss');
    assert.equal(q.code, 0x44);
    assert.equal(firstDifference(b.stored.get('q')!, body), -1);
    assert.ok(q.stats.resent > 0, 'blocks were lost and sent again');
    // Block1 on an impaired link of its own (MAX_RETRANSMIT raised so that 20% loss both ways cannot make it give up)
    const rb = await start(qboard(false), { ...opts, client: { params: { maxRetransmit: 10 } } });
    const b1 = await within(block1Put(rb.ep, { path: '/b' }, body), 25_000, 'the Block1 upload under loss');
    assert.equal(b1.code, 0x44);
    assert.ok(drv.stats.out.dropped > 20 && drv.stats.in.dropped > 10, `the link lost datagrams both ways (${drv.stats.out.dropped} out, ${drv.stats.in.dropped} in)`);
    const ratio = b1.stats.roundTrips / q.stats.roundTrips;
    this.test!.title += ` — Q-Block1 ${q.stats.roundTrips} round trips (${q.stats.requests} requests, ${q.stats.resent} resent, ${(q.stats.elapsedMs / 1000).toFixed(0)} s) vs Block1 ${b1.stats.roundTrips} (${b1.stats.transmissions} transmissions, ${(b1.stats.elapsedMs / 1000).toFixed(0)} s)`;
    assert.ok(ratio >= 2.5, `Block1 needed ${b1.stats.roundTrips} round trips, Q-Block1 ${q.stats.roundTrips}`);
  });

  it('falls back to Block1 when the server answers the CON probe 4.02 Bad Option (RFC 9177 §4.1), and remembers', async () => {
    const clock = new ScaledClock(100);
    const b = qboard(false);
    const r = await start(b, { clock });
    const body = bodyOf(5000, 51);
    const res = await within(qblock1Put(r.ep, { path: '/old' }, body, { clock }), 10_000, 'the upload');
    assert.equal(res.usedQBlock, false);
    assert.equal(res.code, 0x44);
    assert.equal(firstDifference(b.stored.get('old')!, body), -1);
    // the probe never reaches the server's handler: its endpoint rejects the critical option
    assert.deepEqual(
      r.sent.map((m) => [m.type, qnum(m) !== undefined ? 'Q' : 'B']),
      [[0, 'Q'], ...Array.from({ length: 5 }, () => [0, 'B'])],
    );
    assert.equal(b.seen.length, 5);
    assert.ok(r.received.some((m) => m.code === 0x82 && m.type === CoapType.ACK), 'the server answered 4.02');
    b.seen.length = 0;
    await qblock1Put(r.ep, { path: '/old2' }, body, { clock });
    assert.ok(b.seen.every((m) => qnum(m) === undefined), 'no second probe');
  });
});
