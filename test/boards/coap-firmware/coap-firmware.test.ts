// The board's CoAP firmware resource over real UDP on 127.0.0.1: PUT /fw streams a Block1 upload
// into slot 1 (2.31 per block, 2.04 at the end), GET /fw reads it back with Block2, /fw/status
// gives its size and SHA-256 as text or CBOR. A block past the next expected one is 4.08 (the
// bug mode coap-block1-gap-accepted takes it and leaves the hole erased), an image larger than
// the slot is 4.13 with Size1; a Q-Block1 upload lands the same way.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type RunningBoard, VirtualBoard } from '../../../boards/virtual/virtual-board.js';
import { boardUploadSlot } from '../../../boards/virtual/xmodem/upload-slot.js';
import { block1, encodeBlock } from '../../../protocols/coap/block-option.js';
import { block1Put } from '../../../protocols/coap/block/block1-client.js';
import { block2Get } from '../../../protocols/coap/block/block2-client.js';
import { qblock1Put } from '../../../protocols/coap/block/qblock1-client.js';
import type { CoapResponse } from '../../../protocols/coap/client-requests.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, size1 } from '../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../protocols/coap/content-formats.js';
import type { CoapEvents } from '../../../protocols/coap/coap-events.js';
import { coapEndpoint, setProtocolCoap } from '../../../protocols/coap/coap-protocol.js';
import { decodeCbor } from '../../../protocols/smp/smp-cbor.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { impairDriver } from '../../../drivers/impair/impair-driver.js';
import { udpDriver } from '../../../drivers/udp/udp-driver.js';
import { Manager, ScaledClock } from '../../../rig/index.js';
import { within } from '../../helpers/wait.js';
import { type Client, startBoard, text, udpClient } from '../coap/coap-board-fixture.js';

const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 167 + seed + (i >> 10)) & 0xff);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('virtual board CoAP server: the firmware resource /fw', function () {
  this.timeout(20000);
  let board: RunningBoard | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.mgr.shutdown();
    await board?.stop();
    board = client = undefined;
  });

  async function start(bugs: string[] = []): Promise<Client> {
    board = await startBoard({ bugs });
    client = await udpClient(board.endpoints.udp!);
    return client;
  }

  /** One PUT /fw block of 1024 bytes (SZX 6). */
  const putBlock = (c: Client, num: number, more: boolean, payload: Uint8Array, extra: { number: number; value: number }[] = []): Promise<CoapResponse> =>
    c.ep.request({ method: 'PUT', path: '/fw', payload, options: [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx: 6 }) }, ...extra] });

  it('PUT ~200 KiB with Block1, then GET it back whole; /fw/status has its size and SHA-256', async () => {
    const c = await start();
    const image = pattern(200 * 1024 + 333, 1);
    const put = await block1Put(c.ep, { path: '/fw' }, image, { szx: 6 });
    assert.equal(put.code, CoapCode.CHANGED);
    // block1Put fails on anything but 2.31 Continue (echoing Block1) for a non-final block
    assert.equal(put.stats.blocks, Math.ceil(image.length / 1024));
    assert.equal(put.stats.requests, put.stats.blocks, 'one request per block');
    // in the flash, as the board wrote it
    assert.deepEqual(boardUploadSlot().read(0, image.length), image);
    const got = await block2Get(c.ep, { path: '/fw' });
    assert.equal(got.code, CoapCode.CONTENT);
    assert.deepEqual(got.body, image);
    const st = await c.ep.request({ method: 'GET', path: '/fw/status' });
    assert.equal(st.msg.code, CoapCode.CONTENT);
    const lines = text(st.msg.payload);
    assert.match(lines, /^state: complete$/m);
    assert.match(lines, /^source: coap$/m);
    assert.match(lines, new RegExp(`^size: ${image.length}$`, 'm'));
    assert.match(lines, new RegExp(`^sha256: ${sha256(image)}$`, 'm'));
    const cbor = await c.ep.request({ method: 'GET', path: '/fw/status', accept: ContentFormat.CBOR });
    const decoded = decodeCbor(cbor.msg.payload);
    assert.ok(decoded.ok);
    const map = decoded.value as { state: string; size: number; sha256: Uint8Array };
    assert.equal(map.state, 'complete');
    assert.equal(map.size, image.length);
    assert.equal(Buffer.from(map.sha256).toString('hex'), sha256(image));
  });

  it('answers a block past the next expected one with 4.08 and drops the upload', async () => {
    const c = await start();
    const r0 = await putBlock(c, 0, true, pattern(1024, 2));
    assert.equal(r0.msg.code, CoapCode.CONTINUE);
    const b = block1(r0.msg);
    assert.ok(b?.kind === 'ok' && b.value.num === 0 && b.value.more, '2.31 echoes Block1 of block 0');
    const r2 = await putBlock(c, 2, true, pattern(1024, 3));
    assert.equal(r2.msg.code, CoapCode.REQUEST_ENTITY_INCOMPLETE);
    assert.match(text(r2.msg.payload), /RFC 7959 §2\.9\.2: expected the block at offset 1024, got NUM 2 \(offset 2048\)/);
    // the upload is gone: block 1 now has no body to continue either
    const r1 = await putBlock(c, 1, true, pattern(1024, 4));
    assert.equal(r1.msg.code, CoapCode.REQUEST_ENTITY_INCOMPLETE);
    const st = boardUploadSlot().status();
    assert.equal(st.state, 'aborted');
    assert.equal(st.length, 1024);
  });

  it('with --bug coap-block1-gap-accepted takes the block after a gap: 2.31, 2.04, and the hole stays erased', async () => {
    const c = await start(['coap-block1-gap-accepted']);
    const b0 = pattern(1024, 5);
    const b2 = pattern(1024, 6);
    const b3 = pattern(100, 7);
    assert.equal((await putBlock(c, 0, true, b0)).msg.code, CoapCode.CONTINUE);
    assert.equal((await putBlock(c, 2, true, b2)).msg.code, CoapCode.CONTINUE);
    assert.equal((await putBlock(c, 3, false, b3)).msg.code, CoapCode.CHANGED);
    const got = await block2Get(c.ep, { path: '/fw' });
    const want = new Uint8Array(3 * 1024 + 100).fill(0xff);
    want.set(b0, 0);
    want.set(b2, 2048);
    want.set(b3, 3072);
    assert.deepEqual(got.body, want);
  });

  it('answers 4.13 with Size1 = what fits when the image is larger than the slot', async () => {
    const c = await start();
    const capacity = boardUploadSlot().capacity;
    const r = await putBlock(c, 0, true, pattern(1024, 8), [{ number: CoapOptionNumber.SIZE1, value: capacity + 1 }]);
    assert.equal(r.msg.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
    assert.equal(size1(r.msg), capacity);
  });

  it('takes a Q-Block1 upload (NON bursts) into the slot as well', async () => {
    const c = await start();
    const image = pattern(60 * 1024 + 5, 9);
    const r = await qblock1Put(c.ep, { method: 'PUT', path: '/fw' }, image, { szx: 6, clock: c.mgr.clock, params: { nonTimeoutMs: 100 } });
    assert.equal(r.usedQBlock, true);
    assert.equal(r.code, CoapCode.CHANGED);
    assert.deepEqual(boardUploadSlot().written(), image);
    assert.equal(boardUploadSlot().status().state, 'complete');
  });

  it('a Q-Block1 upload over a link losing 20% both ways: blocks ahead of a gap wait, the missing ones are asked for, the image lands', async () => {
    // board and client on a clock 100 times faster than real time (RFC 9177's timers are seconds)
    const clock = new ScaledClock(100);
    board = await new VirtualBoard({ drivers: defaultDrivers }).start({ udp: '127.0.0.1:0', clock });
    const mgr = new Manager({ drivers: { udp: impairDriver(udpDriver, { loss: 0.2, seed: 5 }) }, clock });
    const conn = mgr.connect<CoapEvents>(board.endpoints.udp!, () => undefined);
    setProtocolCoap(conn, { params: { maxRetransmit: 10 } });
    client = { mgr, conn, ep: coapEndpoint(conn), inbox: [], malformed: [], unmatched: [] };
    await within(conn.ready, 5000, 'the client socket');
    const image = pattern(64 * 1024 + 21, 12);
    const r = await within(qblock1Put(client.ep, { method: 'PUT', path: '/fw' }, image, { szx: 6, clock: mgr.clock }), 15_000, 'the upload under loss');
    assert.equal(r.usedQBlock, true);
    assert.equal(r.code, CoapCode.CHANGED);
    assert.ok(r.stats.resent > 0, 'blocks were lost and sent again');
    assert.deepEqual(boardUploadSlot().written(), image);
  });
});
