// CoAP over slipmux on a real serial pty pair, sharing the line with console text, and CoAP URLs.
import assert from 'node:assert/strict';
import { Manager } from '../../rig/index.js';
import { connectCoap, coapUrlToTransport } from '../../rig/coap/connect-coap.js';
import { CoapEv } from '../../protocols/coap/coap-events.js';
import { SlipmuxEv } from '../../protocols/slipmux/slipmux-events.js';
import { openPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { waitFor } from '../helpers/wait.js';

describe('connectCoap', () => {
  it('maps CoAP URLs to transports (default port 5683)', () => {
    assert.deepEqual(coapUrlToTransport('coap://127.0.0.1'), { transport: 'udp://127.0.0.1:5683', carrier: 'udp' });
    assert.deepEqual(coapUrlToTransport('coap://[::1]:5684'), { transport: 'udp://[::1]:5684', carrier: 'udp' });
    assert.deepEqual(coapUrlToTransport('coap+serial:///dev/ttyUSB0?baud=921600'), { transport: 'serial:///dev/ttyUSB0?baud=921600', carrier: 'slipmux' });
    assert.throws(() => coapUrlToTransport('http://x'), /not a CoAP URL/);
  });

  describe('over slipmux on a pty pair', () => {
    let pty: PtyPair;
    let mgr: Manager;
    beforeEach(async () => {
      pty = await openPtyPair();
      mgr = new Manager();
    });
    afterEach(async () => {
      await mgr.shutdown();
      await pty.kill();
    });

    it('a GET and its response cross the serial line while console text still reaches the user', async () => {
      const text: string[] = [];
      const board = connectCoap(mgr, `coap+serial://${pty.a}?baud=115200`, (c, ev, data) => {
        if (ev === CoapEv.Request) {
          c.send(new TextEncoder().encode('<inf> coap: GET served\r\n'));
          data.respond({ code: 0x45, payload: 'over the wire', contentFormat: 0 });
        }
      }, { server: true });
      const rig = connectCoap(mgr, `coap+serial://${pty.b}?baud=115200`, (_c, ev, data) => {
        if (ev === SlipmuxEv.Text) text.push(data.text);
      });
      await Promise.all([board.c.ready, rig.c.ready]);
      const res = await rig.ep.request({ method: 'GET', path: '/test' });
      assert.equal(new TextDecoder().decode(res.msg.payload), 'over the wire');
      assert.equal(rig.carrier, 'slipmux');
      await waitFor(() => text.join('').includes('GET served'), 'the console line');
      assert.match(text.join(''), /<inf> coap: GET served/);
    });
  });
});
