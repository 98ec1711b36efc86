// CoAP over slipmux on the virtual board's serial console, through a real socat pty and the
// serial driver: the rig frames its requests with encodeCoapFrame (sendCoapOverSlipmux), reads
// the board's frames with setProtocolSlipmux, and the shell keeps working between frames.
import assert from 'node:assert/strict';
import type { RunningBoard } from '../../../boards/virtual/virtual-board.js';
import { largeBody } from '../../../boards/virtual/coap/resources/large.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { type Connection, Ev, Manager } from '../../../rig/index.js';
import { block2, encodeBlock } from '../../../protocols/coap/block-option.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { CoapEndpoint } from '../../../protocols/coap/coap-endpoint.js';
import { CoapOptionNumber, locationPath } from '../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { sendCoapOverSlipmux, setProtocolSlipmux, SlipmuxEv, type SlipmuxEvents } from '../../../protocols/slipmux/slipmux-protocol.js';
import { waitFor, within } from '../../helpers/wait.js';
import { startBoard, text } from './coap-board-fixture.js';

describe('virtual board CoAP server: CoAP over slipmux on a serial pty', function () {
  this.timeout(20000);
  let board: RunningBoard | undefined;
  let mgr: Manager | undefined;
  let conn: Connection | undefined;
  let ep: CoapEndpoint | undefined;
  let console_ = '';
  const dropped: string[] = [];

  before(async () => {
    board = await startBoard({ udp: false, pty: true });
    mgr = new Manager({ drivers: defaultDrivers });
    const c = mgr.connect<SlipmuxEvents>(`${board.endpoints.serial!}?baud=115200`, (_c, ev, data) => {
      if (ev === SlipmuxEv.Coap) ep?.receive(data.message);
      else if (ev === SlipmuxEv.Text) console_ += data.text;
      else if (ev === SlipmuxEv.Dropped) dropped.push(data.reason);
      else if (ev === Ev.Poll) ep?.poll(data.now);
    });
    setProtocolSlipmux(c);
    conn = c;
    ep = new CoapEndpoint({ send: (b) => void sendCoapOverSlipmux(c, b), now: () => mgr!.clock.now(), emit: () => undefined, peer: () => 'serial' });
    await within(c.ready, 5000, 'the rig side of the pty');
  });
  after(async () => {
    ep?.destroy('test over');
    await mgr?.shutdown();
    await board?.stop();
  });

  it('answers GET and POST /test in slipmux frames', async () => {
    const get = await ep!.request({ method: 'GET', path: '/test' });
    assert.equal(get.msg.type, CoapType.ACK);
    assert.equal(get.msg.code, CoapCode.CONTENT);
    assert.match(text(get.msg.payload), /^Type: 0 \(CON\)\nCode: 1 \(GET\)/);
    const post = await ep!.request({ method: 'POST', path: '/test', payload: 'x' });
    assert.equal(post.msg.code, CoapCode.CREATED);
    assert.deepEqual(locationPath(post.msg), ['location1', 'location2', 'location3']);
    assert.deepEqual(dropped, []);
  });

  it('keeps the shell on the same line: a command between two frames runs, and the frames are answered', async () => {
    const first = ep!.request({ method: 'GET', path: '/seg1/seg2/seg3' });
    conn!.send(new TextEncoder().encode('echo between frames\r\n'));
    const second = ep!.request({ method: 'GET', path: '/query', query: 'a=1' });
    assert.equal((await first).msg.code, CoapCode.CONTENT);
    assert.match(text((await second).msg.payload), /\nQuery: a=1$/);
    await waitFor(() => /\r\nbetween frames\r\n/.test(console_), 'the echo command\'s output on the console');
    // a bare line feed right after a frame's closing END is console input, not a diagnostic frame
    conn!.send(new TextEncoder().encode('\necho after a line feed\r\n'));
    await waitFor(() => /\r\nafter a line feed\r\n/.test(console_), 'the second echo');
    assert.equal((await ep!.request({ method: 'GET', path: '/test' })).msg.code, CoapCode.CONTENT);
    assert.ok(!console_.includes('command not found'), console_);
  });

  it('serves /large block-wise over the serial line', async () => {
    const parts: Uint8Array[] = [];
    for (let num = 0; ; num++) {
      const r = await ep!.request({ method: 'GET', path: '/large', options: [{ number: CoapOptionNumber.BLOCK2, value: encodeBlock({ num, more: false, szx: 5 }) }] });
      const b = block2(r.msg);
      assert.ok(b?.kind === 'ok');
      parts.push(r.msg.payload.slice());
      if (!b.value.more) break;
    }
    assert.deepEqual(new Uint8Array(Buffer.concat(parts)), largeBody());
  });
});
