// The virtual board's block-wise, Observe and discovery resources over real UDP on 127.0.0.1
// (TD_COAP_BLOCK, TD_COAP_OBS, TD_COAP_LINK) as a CoapEndpoint client sees them.
import assert from 'node:assert/strict';
import type { RunningBoard } from '../../../boards/virtual/virtual-board.js';
import { largeBody } from '../../../boards/virtual/coap/resources/large.js';
import { block1, block2, type BlockValue, encodeBlock } from '../../../protocols/coap/block-option.js';
import type { CoapResponse } from '../../../protocols/coap/client-requests.js';
import { qblock1Put } from '../../../protocols/coap/block/qblock1-client.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import type { CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import { CoapOptionNumber, contentFormat, getOption, locationPath, observeValue, size1, size2 } from '../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { attrValues, parseLinkFormat } from '../../../protocols/coap/link-format.js';
import { seqNewer } from '../../../protocols/coap/observe/index.js';
import { type Client, startBoard, text, udpClient } from './coap-board-fixture.js';

const blockOf = (r: CoapResponse, which: typeof block1 | typeof block2): BlockValue => {
  const b = which(r.msg);
  assert.ok(b?.kind === 'ok', 'a valid block option in the response');
  return b.value;
};

describe('virtual board CoAP server: block-wise, Observe and discovery over UDP', function () {
  this.timeout(20000);
  let board: RunningBoard | undefined;
  let client: Client | undefined;

  before(async () => {
    board = await startBoard({ coap: { obsPeriodMs: 300 } });
  });
  after(async () => {
    await board?.stop();
  });
  beforeEach(async () => {
    client = await udpClient(board!.endpoints.udp!);
  });
  afterEach(async () => {
    await client?.mgr.shutdown();
    client = undefined;
  });
  const req = (spec: CoapRequestSpec): Promise<CoapResponse> => client!.ep.request(spec);

  describe('block-wise (TD_COAP_BLOCK_01-06)', () => {
    /** GET the whole body block by block with SZX `szx`, checking every Block2. */
    async function getBlocks(path: string, szx: number, method: 'GET' | 'POST' = 'GET', from = 0, prefix: Uint8Array[] = []): Promise<{ body: Buffer; blocks: number }> {
      const parts = [...prefix];
      let blocks = 0;
      for (let num = from; ; num++) {
        const r = await req({ method, path, options: [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num, more: false, szx }) }] });
        assert.ok(r.msg.code === CoapCode.CONTENT || r.msg.code === CoapCode.CHANGED, `block ${num}: ${r.msg.code}`);
        const b = blockOf(r, block2);
        assert.deepEqual([b.num, b.szx], [num, szx]);
        parts.push(r.msg.payload.slice());
        blocks++;
        if (!b.more) break;
        assert.equal(r.msg.payload.length, 16 << szx, 'a non-final block is full');
      }
      return { body: Buffer.concat(parts), blocks };
    }

    /** PUT/POST a body in Block1 blocks; every non-final block must get 2.31 echoing it. */
    async function putBlocks(method: 'PUT' | 'POST', path: string, body: Uint8Array, szx: number): Promise<CoapResponse> {
      const size = 16 << szx;
      for (let num = 0; ; num++) {
        const more = (num + 1) * size < body.length;
        const r = await req({
          method,
          path,
          contentFormat: 0,
          payload: body.subarray(num * size, (num + 1) * size),
          options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx }) }],
        });
        const b = blockOf(r, block1);
        assert.deepEqual([b.num, b.more], [num, more], 'the Block1 echo');
        if (!more) return r;
        assert.equal(r.msg.code, CoapCode.CONTINUE, `block ${num} answered ${r.msg.code}`);
      }
    }

    it('/large: late negotiation gives 1024-byte block 0 with Size2; 64-byte blocks give the whole body', async () => {
      const whole = largeBody();
      assert.ok(whole.length > 1024);
      const first = await req({ method: 'GET', path: '/large' });
      assert.deepEqual(blockOf(first, block2), { num: 0, more: true, szx: 6 });
      assert.equal(size2(first.msg), whole.length);
      assert.equal(first.msg.payload.length, 1024);
      const got = await getBlocks('/large', 2);
      assert.equal(got.blocks, Math.ceil(whole.length / 64));
      assert.deepEqual(new Uint8Array(got.body), whole);
    });

    it('/large-update: a Block1 PUT (2.31 per block, 2.04 at the end), then GET returns it', async () => {
      const body = new TextEncoder().encode('0123456789abcdef'.repeat(90));
      const last = await putBlocks('PUT', '/large-update', body, 3);
      assert.equal(last.msg.code, CoapCode.CHANGED);
      const got = await getBlocks('/large-update', 4);
      assert.deepEqual(new Uint8Array(got.body), body);
    });

    it('/large-update also takes a body as a Q-Block1 burst of NON blocks (RFC 9177)', async () => {
      const body = new Uint8Array(12_000).map((_, i) => (i * 31) & 0xff);
      const r = await qblock1Put(client!.ep, { method: 'PUT', path: '/large-update' }, body, { szx: 6, clock: client!.mgr.clock, params: { nonTimeoutMs: 100 } });
      assert.equal(r.usedQBlock, true);
      assert.equal(r.code, CoapCode.CHANGED);
      const got = await getBlocks('/large-update', 6);
      assert.deepEqual(new Uint8Array(got.body), body);
    });

    it('/large-create: a Block1 POST makes a sub-resource (2.01, Location-Path) that GET returns and discovery lists', async () => {
      const body = new TextEncoder().encode('created by block1 '.repeat(40));
      const last = await putBlocks('POST', '/large-create', body, 4);
      assert.equal(last.msg.code, CoapCode.CREATED);
      const loc = locationPath(last.msg);
      assert.equal(loc[0], 'large-create');
      const got = await getBlocks(`/${loc.join('/')}`, 5);
      assert.deepEqual(new Uint8Array(got.body), body);
      const wk = await req({ method: 'GET', path: '/.well-known/core', query: `href=/${loc.join('/')}` });
      assert.equal(text(wk.msg.payload), `</${loc.join('/')}>;sz=${body.length};ct=0`);
    });

    it('/large-post: Block1 up, Block2 down: the answer (upper case) starts in the final Block1 response', async () => {
      const body = new TextEncoder().encode('two-way block-wise transfer; '.repeat(60));
      const last = await putBlocks('POST', '/large-post', body, 5);
      assert.equal(last.msg.code, CoapCode.CHANGED);
      // the client asked for no Block2 size: the server's own (1024 bytes) it is
      const b2 = blockOf(last, block2);
      assert.deepEqual(b2, { num: 0, more: true, szx: 6 });
      assert.equal(size2(last.msg), body.length);
      const rest = await getBlocks('/large-post', 6, 'POST', 1, [last.msg.payload.slice()]);
      assert.equal(text(rest.body), text(body).toUpperCase());
    });

    it('refuses an upload beyond 64 KiB with 4.13 and Size1, and a block out of order with 4.08', async () => {
      const big = await req({
        method: 'PUT',
        path: '/large-update',
        payload: new Uint8Array(1024),
        options: [
          { number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num: 0, more: true, szx: 6 }) },
          { number: CoapOptionNumber.SIZE1, value: 70_000 },
        ],
      });
      assert.equal(big.msg.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
      assert.equal(size1(big.msg), 65536);
      const gap = await req({ method: 'PUT', path: '/large-update', payload: new Uint8Array(64), options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num: 5, more: true, szx: 2 }) }] });
      assert.equal(gap.msg.code, CoapCode.REQUEST_ENTITY_INCOMPLETE);
    });
  });

  describe('Observe (TD_COAP_OBS_01-07)', () => {
    async function observe(path: string, count: number) {
      const seen: CoapResponse[] = [];
      const token = Uint8Array.of(0x0b, 0x5e, path.length);
      await new Promise<void>((resolve, reject) => {
        client!.ep.requestStream(
          { method: 'GET', path, token, options: [{ number: CoapOptionNumber.OBSERVE, value: 0 }] },
          (r) => {
            seen.push(r);
            if (seen.length === count) resolve();
            return seen.length < count;
          },
          reject,
        );
      });
      // deregister (RFC 7641 §3.6): a GET with Observe=1 and the same token
      const bye = await req({ method: 'GET', path, token, options: [{ number: CoapOptionNumber.OBSERVE, value: 1 }] });
      return { seen, bye };
    }

    it('/obs: registration, then CON notifications with increasing Observe values; Observe=1 ends it', async () => {
      const { seen, bye } = await observe('/obs', 3);
      assert.equal(seen[0]!.msg.type, CoapType.ACK);
      for (const n of seen.slice(1)) assert.equal(n.msg.type, CoapType.CON);
      const seqs = seen.map((r) => observeValue(r.msg));
      for (let i = 1; i < seqs.length; i++) assert.ok(seqNewer(seqs[i - 1]!, seqs[i]!), `Observe ${seqs[i]} after ${seqs[i - 1]}`);
      assert.match(text(seen[2]!.msg.payload), /^\/obs change \d+ at [\d.]+ s$/);
      assert.notEqual(text(seen[1]!.msg.payload), text(seen[2]!.msg.payload));
      assert.equal(bye.msg.code, CoapCode.CONTENT);
      assert.equal(observeValue(bye.msg), undefined, 'no Observe after deregistration');
      assert.ok(getOption(seen[1]!.msg, CoapOptionNumber.MAX_AGE), 'a Max-Age');
    });

    it('/obs-non: NON notifications', async () => {
      const { seen } = await observe('/obs-non', 3);
      for (const n of seen.slice(1)) assert.equal(n.msg.type, CoapType.NON);
    });
  });

  describe('/.well-known/core (TD_COAP_LINK_01-09)', () => {
    it('is link-format (Content-Format 40) listing the resources with rt, if, ct, sz and obs', async () => {
      const r = await req({ method: 'GET', path: '/.well-known/core', options: [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num: 0, more: false, szx: 6 }) }] });
      assert.equal(contentFormat(r.msg), 40);
      const parts = [r.msg.payload.slice()];
      for (let num = 1, b = blockOf(r, block2); b.more; num++) {
        const next = await req({ method: 'GET', path: '/.well-known/core', options: [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num, more: false, szx: 6 }) }] });
        parts.push(next.msg.payload.slice());
        b = blockOf(next, block2);
      }
      const doc = parseLinkFormat(text(Buffer.concat(parts)));
      assert.equal(doc.kind, 'ok');
      const links = doc.kind === 'ok' ? doc.value : [];
      const byTarget = new Map(links.map((l) => [l.target, l]));
      for (const p of ['/test', '/seg1/seg2/seg3', '/query', '/separate', '/large', '/large-update', '/large-create', '/large-post', '/obs', '/obs-non', '/location-query', '/multi-format', '/validate']) {
        assert.ok(byTarget.has(p), `${p} is listed`);
      }
      assert.equal(byTarget.get('/obs')!.attrs.get('obs'), true);
      assert.deepEqual(attrValues(byTarget.get('/large')!, 'sz'), [String(largeBody().length)]);
      assert.deepEqual(attrValues(byTarget.get('/multi-format')!, 'ct'), ['0', '41']);
      assert.deepEqual(attrValues(byTarget.get('/link1')!, 'if'), ['If1']);
    });

    it('filters by the query: rt, if with a wildcard, href with a wildcard, obs', async () => {
      const targets = async (query: string): Promise<string[]> => {
        const r = await req({ method: 'GET', path: '/.well-known/core', query });
        assert.equal(contentFormat(r.msg), 40);
        const doc = parseLinkFormat(text(r.msg.payload));
        return doc.kind === 'ok' ? doc.value.map((l) => l.target) : [];
      };
      assert.deepEqual(await targets('rt=Type1'), ['/link1', '/link3']);
      assert.deepEqual(await targets('if=If*'), ['/link1', '/link2']);
      assert.deepEqual(await targets('href=/link*'), ['/link1', '/link2', '/link3']);
      assert.deepEqual(await targets('obs'), ['/obs', '/obs-non']);
      assert.deepEqual(await targets('rt=NoSuchType'), []);
    });
  });
});
