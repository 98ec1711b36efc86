// A lossy link (the impairment layer, 20% loss both ways) between our client and libcoap's
// server: a 1 MiB block-wise PUT and GET still complete, byte-identical. Retransmission is the
// client's job; the manager clock runs 1000× faster so each lost datagram costs ms, not seconds.
// MAX_RETRANSMIT is raised for this link (see below).
import assert from 'node:assert/strict';
import { Manager, ScaledClock } from '../../../rig/index.js';
import { impairDriver } from '../../../drivers/impair/impair-driver.js';
import { udpDriver } from '../../../drivers/udp/udp-driver.js';
import { block1Put } from '../../../protocols/coap/block/block1-client.js';
import { block2Get } from '../../../protocols/coap/block/block2-client.js';
import { coapEndpoint, setProtocolCoap } from '../../../protocols/coap/coap-protocol.js';
import { type LibcoapServer, startLibcoapServer } from '../../helpers/libcoap.js';

describe('block-wise transfer over a 20% lossy link (both ways) to coap-server-notls', function () {
  this.timeout(60_000);
  let server: LibcoapServer;
  let mgr: Manager | undefined;
  before(async () => {
    server = await startLibcoapServer(['-d', '10']);
  });
  after(async () => {
    await mgr?.shutdown();
    await server.stop();
  });

  it('PUT then GET of 1 MiB completes, identical, with retransmissions counted', async () => {
    const lossy = impairDriver(udpDriver, { loss: 0.2, direction: 'both', seed: 7 });
    mgr = new Manager({ clock: new ScaledClock(1000), drivers: { udp: lossy } });
    const c = mgr.connect(`udp://127.0.0.1:${server.port}`, () => undefined);
    // With 20% loss each way a transmission gets through 64% of the time, so RFC 7252's
    // MAX_RETRANSMIT of 4 gives up on about one block in 170 (0.36^5): some block of 2048 would
    // fail. A lossy link is where transmission parameters are set per connection (§4.8).
    setProtocolCoap(c, { params: { maxRetransmit: 12 } });
    await c.ready;
    const ep = coapEndpoint(c);
    const body = new Uint8Array(1 << 20).map((_, i) => (i * 131 + (i >> 10)) & 0xff);
    const put = await block1Put(ep, { path: '/lossy/big' }, body, { szx: 6 });
    assert.equal(put.code >> 5, 2, `PUT answered 0x${put.code.toString(16)}`);
    const get = await block2Get(ep, { path: '/lossy/big' }, { szx: 6 });
    assert.equal(get.code, 0x45);
    assert.equal(Buffer.compare(Buffer.from(get.body), Buffer.from(body)), 0, 'the body read back differs');
    // with 20% loss each way about a third of the round trips lose a datagram
    const lost = lossy.stats.dropped;
    assert.ok(lost > 400, `expected hundreds of datagrams dropped, got ${lost}`);
    assert.ok(put.stats.transmissions > put.stats.requests, 'the client retransmitted');
  });
});
