// Interop with libcoap (Debian's libcoap3-bin, coap-server-notls) on 127.0.0.1: our Block1
// client PUTs 1 MiB into a resource the server creates (-d), our Block2 client GETs it back,
// and the two must be byte-identical. The server runs as a child process for this suite only.
import assert from 'node:assert/strict';
import { Manager } from '../../../../rig/index.js';
import { block1Put } from '../../../../protocols/coap/block/block1-client.js';
import { block2Get } from '../../../../protocols/coap/block/block2-client.js';
import { qblock1Put } from '../../../../protocols/coap/block/qblock1-client.js';
import { coapEndpoint, setProtocolCoap } from '../../../../protocols/coap/coap-protocol.js';
import { bodyOf, firstDifference } from './block-rig.js';
import { type LibcoapServer, startLibcoapServer } from '../../../helpers/libcoap.js';

describe('interop with libcoap coap-server-notls (RFC 7959)', function () {
  this.timeout(15_000);
  let server: LibcoapServer | undefined;
  let port = 0;
  let mgr: Manager | undefined;

  before(async () => {
    server = await startLibcoapServer(['-d', '10']);
    port = server.port;
  });

  after(async () => {
    await mgr?.shutdown();
    await server?.stop();
  });

  async function client(): Promise<ReturnType<typeof coapEndpoint>> {
    mgr ??= new Manager();
    const c = mgr.connect(`udp://127.0.0.1:${port}`, () => undefined);
    setProtocolCoap(c);
    await c.ready;
    return coapEndpoint(c);
  }

  it('PUT 1 MiB with Block1, GET it back with Block2: byte-identical', async function () {
    const ep = await client();
    const body = bodyOf(1 << 20, 99);
    const t0 = performance.now();
    const put = await block1Put(ep, { path: '/hilrig/big' }, body, { szx: 6 });
    const putS = (performance.now() - t0) / 1000;
    assert.equal(put.code, 0x41, `2.01 Created expected, got 0x${put.code.toString(16)} ${new TextDecoder().decode(put.body)}`);
    assert.equal(put.stats.requests, 1024);
    const t1 = performance.now();
    const get = await block2Get(ep, { path: '/hilrig/big' }, { szx: 6 });
    const getS = (performance.now() - t1) / 1000;
    assert.equal(get.code, 0x45);
    assert.equal(get.body.length, body.length);
    assert.equal(firstDifference(get.body, body), -1);
    this.test!.title += ` — PUT ${(body.length / 1e6 / putS).toFixed(2)} MB/s, GET ${(body.length / 1e6 / getS).toFixed(2)} MB/s`;
  });

  it('Q-Block1 PUT: Q-Block1 if the server has it, else the fallback to Block1 (RFC 9177 §4.1); GET back byte-identical', async function () {
    const ep = await client();
    const body = bodyOf(64 * 1024, 98);
    const put = await qblock1Put(ep, { path: '/hilrig/q' }, body, { clock: mgr!.clock });
    assert.ok(put.code === 0x41 || put.code === 0x44, `2.01 or 2.04 expected, got 0x${put.code.toString(16)}`);
    const get = await block2Get(ep, { path: '/hilrig/q' });
    assert.equal(firstDifference(get.body, body), -1);
    this.test!.title += put.usedQBlock ? ' — the server has Q-Block1' : ' — the server answered 4.02: fell back to Block1';
  });
});
