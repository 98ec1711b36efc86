// Every check of the block-wise clients, shown to catch a deliberately broken server over UDP:
// each server below breaks one rule of RFC 7959, and the transfer must fail naming that rule.
import assert from 'node:assert/strict';
import { block2 as block2Of, blockSize, encodeBlock } from '../../../../protocols/coap/block-option.js';
import { block1Put } from '../../../../protocols/coap/block/block1-client.js';
import { block2Get } from '../../../../protocols/coap/block/block2-client.js';
import { Block1Receiver } from '../../../../protocols/coap/block/block1-receiver.js';
import { CoapBlockError } from '../../../../protocols/coap/block/block-error.js';
import { CoapOptionNumber } from '../../../../protocols/coap/coap-options.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import { blockRig, bodyOf, type BlockRig, firstDifference } from './block-rig.js';

interface Block2Reply {
  num: number;
  more: boolean;
  szx: number;
  payload: Uint8Array;
  etag: Uint8Array | undefined;
  size2: number | undefined;
  /** leave the Block2 option out */
  noBlock2?: boolean;
  code: number;
}

/** A Block2 server with 64-byte blocks whose every answer passes through `tweak` first. */
function block2Server(body: Uint8Array, tweak: (b: Block2Reply, nth: number) => void): (x: CoapExchange) => void {
  let nth = 0;
  return (x) => {
    const req = block2Of(x.request);
    const num = req?.kind === 'ok' ? req.value.num : 0;
    const szx = 2;
    const size = blockSize(szx);
    const b: Block2Reply = { num, more: (num + 1) * size < body.length, szx, payload: body.subarray(num * size, (num + 1) * size), etag: Uint8Array.of(0xaa), size2: body.length, code: 0x45 };
    tweak(b, nth++);
    const options = [];
    if (!b.noBlock2) options.push({ number: CoapOptionNumber.BLOCK2, value: encodeBlock(b) });
    if (b.etag) options.push({ number: CoapOptionNumber.ETAG, value: b.etag });
    if (b.size2 !== undefined) options.push({ number: CoapOptionNumber.SIZE2, value: b.size2 });
    x.respond({ code: b.code, payload: b.payload, options });
  };
}

async function failure(p: Promise<unknown>): Promise<CoapBlockError> {
  const e = await p.then(
    () => assert.fail('the transfer succeeded against a broken server'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof CoapBlockError, `expected a CoapBlockError, got ${String(e)}`);
  assert.equal(e.code, 'PROTOCOL');
  return e;
}

const BODY = bodyOf(300, 2); // 5 blocks of 64 bytes: 64×4 + 44

describe('block-wise clients against broken servers (RFC 7959)', () => {
  let r: BlockRig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  describe('Block2', () => {
    it('the control: the unbroken server passes', async () => {
      r = await blockRig(block2Server(BODY, () => undefined));
      const res = await block2Get(r.ep, { path: '/x' }, { szx: 2 });
      assert.equal(firstDifference(res.body, BODY), -1);
    });

    it('M=0 on a block that is not the last', async () => {
      r = await blockRig(block2Server(BODY, (b) => b.num === 3 && (b.more = false)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.2: block 3 of 5 has M=0 but is not the last (Size2 announces 300 bytes, the body ends at 256)');
      assert.equal(e.rule, 'RFC 7959 §2.2');
    });

    it('M=1 on the last block', async () => {
      r = await blockRig(block2Server(BODY, (b) => b.num === 4 && (b.more = true)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.match(e.message, /^RFC 7959 §2\.2: block 4 of 5 has M=1 but carries 44 bytes, not the block size 64/);
    });

    it('M=1 on a full last block (Size2 says it ends there)', async () => {
      const body = bodyOf(256, 4);
      r = await blockRig(block2Server(body, (b) => b.num === 3 && (b.more = true)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.2: block 3 of 4 has M=1 but is the last (Size2 announces 256 bytes, this block ends at 256)');
    });

    it('a block other than the one asked for', async () => {
      r = await blockRig(
        block2Server(BODY, (b) => {
          if (b.num === 2) {
            b.num = 3;
            b.payload = BODY.subarray(192, 256);
          }
        }),
      );
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.4: asked for block 2 of 64 bytes (offset 128) but got block 3 of 64 bytes (offset 192)');
    });

    it('blocks larger than the client asked for', async () => {
      r = await blockRig(
        block2Server(BODY, (b) => {
          b.szx = 3;
          b.payload = BODY.subarray(b.num * 128, (b.num + 1) * 128);
          b.more = (b.num + 1) * 128 < BODY.length;
        }),
      );
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.4: block 0 came in 128-byte blocks (SZX 3), larger than the 64 bytes asked for');
    });

    it('a short block with M=1', async () => {
      r = await blockRig(block2Server(BODY, (b) => b.num === 1 && (b.payload = b.payload.subarray(0, 60))));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.2: block 1 of 5 has M=1 but carries 60 bytes, not the block size 64 (only the last block may be shorter)');
    });

    it('Size2 that does not match the body', async () => {
      r = await blockRig(block2Server(BODY, (b) => b.num === 4 && (b.size2 = 299)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §4: Size2 announced 299 bytes but the body has 300 (last block 4)');
    });

    it('a block without the Block2 option mid-transfer', async () => {
      r = await blockRig(block2Server(BODY, (b) => b.num === 2 && (b.noBlock2 = true)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.4: the response for block 2 carries no Block2 option (the transfer began block-wise)');
    });

    it('an error answer mid-transfer', async () => {
      r = await blockRig(block2Server(BODY, (b) => b.num === 2 && (b.code = 0xa0)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.4: the request for block 2 was answered 5.00 Internal Server Error after 2 blocks');
    });

    it('an ETag that changes once: the client starts again and gets the new representation whole', async () => {
      const next = bodyOf(300, 77);
      r = await blockRig(
        block2Server(BODY, (b, nth) => {
          if (nth >= 2) {
            b.etag = Uint8Array.of(0xbb);
            b.payload = next.subarray(b.num * 64, (b.num + 1) * 64);
          }
        }),
      );
      const res = await block2Get(r.ep, { path: '/x' }, { szx: 2 });
      assert.equal(res.restarts, 1);
      assert.equal(firstDifference(res.body, next), -1);
      assert.deepEqual(res.etag, Uint8Array.of(0xbb));
    });

    it('an ETag that keeps changing fails after the restarts, naming §2.4', async () => {
      r = await blockRig(block2Server(BODY, (b, nth) => (b.etag = Uint8Array.of(nth))));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.4: the ETag changed from 04 to 05 at block 1: the representation changed mid-transfer (after 2 restarts)');
    });

    it("with onEtagChange 'fail', the first change fails", async () => {
      r = await blockRig(block2Server(BODY, (b, nth) => nth === 3 && (b.etag = undefined)));
      const e = await failure(block2Get(r.ep, { path: '/x' }, { szx: 2, onEtagChange: 'fail' }));
      assert.equal(e.message, 'RFC 7959 §2.4: the ETag changed from aa to (none) at block 3: the representation changed mid-transfer');
    });
  });

  describe('Block1', () => {
    /** A Block1 server: the receiver's answer, unless `tweak` answers block `num` itself. */
    function block1Server(tweak: (x: CoapExchange, num: number, more: boolean) => boolean): (x: CoapExchange) => void {
      const rx = new Block1Receiver({ maxBodySize: 1 << 20 });
      return (x) => {
        const b = x.request.options.find((o) => o.number === CoapOptionNumber.BLOCK1)!.value;
        const v = b.length === 0 ? 0 : b.reduce((n, byte) => n * 256 + byte, 0);
        if (tweak(x, v >> 4, (v & 8) !== 0)) return;
        const out = rx.receive(x, 0);
        if (out.kind === 'complete') x.respond({ code: 0x44, options: out.echo });
      };
    }
    const echo = (num: number, more: boolean, szx = 2) => [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx }) }];

    it('the control: the unbroken server passes', async () => {
      r = await blockRig(block1Server(() => false));
      assert.equal((await block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 })).code, 0x44);
    });

    it('2.04 instead of 2.31 for a non-final block', async () => {
      r = await blockRig(block1Server((x, num) => num === 1 && (x.respond({ code: 0x44, options: echo(1, true) }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.3: block 1 of 5 (M=1) was answered 2.04 Changed, not 2.31 Continue: the server ended the upload before the last block');
    });

    it('2.31 without the Block1 option', async () => {
      r = await blockRig(block1Server((x, num) => num === 0 && (x.respond({ code: 0x5f }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.3: the 2.31 Continue for block 0 of 5 (M=1) carries no Block1 option');
    });

    it('2.31 acknowledging another block', async () => {
      r = await blockRig(block1Server((x, num) => num === 2 && (x.respond({ code: 0x5f, options: echo(1, true) }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.3: the answer to block 2 of 5 (M=1) acknowledges block 1');
    });

    it('2.31 for the last block', async () => {
      r = await blockRig(block1Server((x, num, more) => !more && (x.respond({ code: 0x5f, options: echo(num, false) }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.3: the last block (block 4 of 5 (M=0)) was answered 2.31 Continue; the server wants blocks the body does not have');
    });

    it('2.31 asking for larger blocks', async () => {
      r = await blockRig(block1Server((x, num) => num === 0 && (x.respond({ code: 0x5f, options: echo(0, true, 4) }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.5: the 2.31 for block 0 of 5 (M=1) asks for 256-byte blocks, larger than the 64 in use');
    });

    it('4.08 mid-upload: the client names the server losing track', async () => {
      r = await blockRig(block1Server((x, num) => num === 3 && (x.respond({ code: 0x88 }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.match(e.message, /^RFC 7959 §2\.9\.2: block 3 of 5 \(M=1\) was answered 4\.08 Request Entity Incomplete/);
    });

    it('4.13 without Size1 says the server gave no limit', async () => {
      r = await blockRig(block1Server((x, num) => num === 1 && (x.respond({ code: 0x8d }), true)));
      const e = await failure(block1Put(r.ep, { path: '/u' }, BODY, { szx: 2 }));
      assert.equal(e.message, 'RFC 7959 §2.9.3: block 1 of 5 (M=1) was answered 4.13 Request Entity Too Large: the body has 300 bytes and it gives no limit (no Size1)');
    });
  });
});
