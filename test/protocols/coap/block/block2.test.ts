// Block2 downloads (RFC 7959 §2.4) over real UDP: our client against our serveBlock2, early and
// late negotiation at every block size, bodies around the block boundaries, a server that picks
// smaller blocks, FETCH and NON.
import assert from 'node:assert/strict';
import { blockSize, decodeBlock } from '../../../../protocols/coap/block-option.js';
import { block2Get } from '../../../../protocols/coap/block/block2-client.js';
import { serveBlock2 } from '../../../../protocols/coap/block/serve-block2.js';
import type { BlockProgress } from '../../../../protocols/coap/block/block-progress.js';
import { CoapOptionNumber, getOption, uriPath } from '../../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../../protocols/coap/coap-types.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import { blockRig, bodyOf, type BlockRig, firstDifference } from './block-rig.js';

const sizesFor = (bs: number): number[] => [0, 1, bs - 1, bs, bs + 1, 3 * bs + 7];

/** A server with one representation per path: /n/<bytes>, served in blocks of at most maxSzx. */
function server(maxSzx: number, seen: CoapExchange[] = []): (x: CoapExchange) => void {
  return (x) => {
    seen.push(x);
    const [, n] = uriPath(x.request);
    serveBlock2(x, bodyOf(Number(n)), { maxSzx, contentFormat: 42, etag: Uint8Array.of(0xe7, Number(n) & 0xff) });
  };
}

const blockOf = (x: CoapExchange): string => {
  const v = getOption(x.request, CoapOptionNumber.BLOCK2);
  if (v === undefined) return '-';
  const r = decodeBlock(v);
  return r.kind === 'ok' ? `${r.value.num}/${r.value.szx}` : '?';
};

describe('Block2 downloads (RFC 7959 §2.4) over UDP', () => {
  let r: BlockRig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  for (let szx = 0; szx <= 6; szx++) {
    const bs = blockSize(szx);
    it(`early negotiation at SZX ${szx} (${bs} bytes): bodies of ${sizesFor(bs).join(', ')} bytes`, async () => {
      const seen: CoapExchange[] = [];
      r = await blockRig(server(6, seen));
      for (const n of sizesFor(bs)) {
        seen.length = 0;
        const res = await block2Get(r.ep, { path: `/n/${n}` }, { szx });
        assert.equal(firstDifference(res.body, bodyOf(n)), -1, `body of ${n} bytes`);
        assert.equal(res.code, 0x45);
        assert.equal(res.contentFormat, 42);
        const blocks = Math.max(1, Math.ceil(n / bs));
        assert.equal(res.stats.blocks, blocks, `blocks for ${n} bytes`);
        assert.deepEqual(seen.map(blockOf), Array.from({ length: blocks }, (_, i) => `${i}/${szx}`), `requests for ${n} bytes`);
      }
    });

    it(`late negotiation with a server of SZX ${szx} (${bs} bytes): bodies of ${sizesFor(bs).join(', ')} bytes`, async () => {
      const seen: CoapExchange[] = [];
      r = await blockRig(server(szx, seen));
      for (const n of sizesFor(bs)) {
        seen.length = 0;
        const res = await block2Get(r.ep, { path: `/n/${n}` });
        assert.equal(firstDifference(res.body, bodyOf(n)), -1, `body of ${n} bytes`);
        const blocks = n <= bs ? 1 : Math.ceil(n / bs);
        assert.equal(res.stats.blocks, blocks);
        // the first request asks for nothing; the following ones follow the server's size
        assert.deepEqual(seen.map(blockOf), ['-', ...Array.from({ length: blocks - 1 }, (_, i) => `${i + 1}/${szx}`)]);
        assert.equal(res.stats.szx, n <= bs ? 6 : szx);
      }
    });
  }

  it('a server that picks smaller blocks than asked: the client follows at the same offset, never larger', async () => {
    const seen: CoapExchange[] = [];
    r = await blockRig(server(2, seen));
    const res = await block2Get(r.ep, { path: '/n/300' }, { szx: 6 });
    assert.equal(firstDifference(res.body, bodyOf(300)), -1);
    assert.deepEqual(seen.map(blockOf), ['0/6', '1/2', '2/2', '3/2', '4/2']);
    assert.equal(res.stats.szx, 2);
  });

  it('1 MiB at 1024-byte blocks, with progress per block and Size2 as the total', async () => {
    r = await blockRig(server(6));
    const progress: BlockProgress[] = [];
    const res = await block2Get(r.ep, { path: `/n/${1 << 20}` }, { szx: 6, onProgress: (p) => progress.push(p) });
    assert.equal(firstDifference(res.body, bodyOf(1 << 20)), -1);
    assert.equal(progress.length, 1024);
    assert.deepEqual(progress.at(-1), { ...progress.at(-1)!, bytesDone: 1 << 20, bytesTotal: 1 << 20, blocks: 1024, direction: 'download' });
    assert.equal(res.stats.requests, 1024);
  });

  it('FETCH repeats its request payload in every block request (RFC 8132 §2.3.2), over NON', async () => {
    const seen: CoapExchange[] = [];
    r = await blockRig((x) => {
      seen.push(x);
      serveBlock2(x, bodyOf(600, 7), { maxSzx: 4 });
    });
    const res = await block2Get(r.ep, { method: 'FETCH', path: '/q', payload: 'filter', confirmable: false });
    assert.equal(firstDifference(res.body, bodyOf(600, 7)), -1);
    assert.deepEqual(seen.map(blockOf), ['-', '1/4', '2/4']);
    assert.ok(seen.every((x) => x.request.type === CoapType.NON && x.request.code === 5 && new TextDecoder().decode(x.request.payload) === 'filter'));
  });

  it('a first answer that is no success is the result, not an error', async () => {
    r = await blockRig((x) => x.respond({ code: 0x84, payload: 'no such thing' }));
    const res = await block2Get(r.ep, { path: '/missing' }, { szx: 2 });
    assert.equal(res.code, 0x84);
    assert.equal(new TextDecoder().decode(res.body), 'no such thing');
  });

  it('refuses a bad SZX and block options of its own', async () => {
    r = await blockRig(server(6));
    await assert.rejects(block2Get(r.ep, { path: '/n/1' }, { szx: 7 }), /block option "szx" must be an integer 0\.\.6/);
    await assert.rejects(block2Get(r.ep, { path: '/n/1', options: [{ number: 23, value: 0 }] }), /request option 23 is set by the block-wise transfer itself/);
  });
});
