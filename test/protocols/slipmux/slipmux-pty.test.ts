// End to end over a real serial pty pair through the engine and the serial driver: one side
// writes what a board would (console text, a diagnostic frame, a CoAP frame, a CoAP frame with
// a corrupted FCS); the other side, with setProtocolSlipmux, must see them in order.
import assert from 'node:assert/strict';
import { type Connection, Ev, type Handler, Manager } from '../../../rig/index.js';
import { encodeCoapFrame, encodeDiagnosticFrame } from '../../../protocols/slipmux/slipmux-codec.js';
import { setProtocolSlipmux, SlipmuxEv, type SlipmuxEvents, slipmuxStats } from '../../../protocols/slipmux/slipmux-protocol.js';
import { openPtyPair, type PtyPair } from '../../helpers/pty-pair.js';
import { waitFor, within } from '../../helpers/wait.js';
import { coapGet } from './slipmux-fixtures.js';

const serialUrl = (path: string): string => `serial://${path}?baud=115200`;

describe('slipmux over a serial pty pair', function () {
  this.timeout(20000);
  let pair: PtyPair | undefined;
  let mgr: Manager | undefined;

  afterEach(async () => {
    await mgr?.shutdown();
    await pair?.kill();
    mgr = undefined;
    pair = undefined;
  });

  it('delivers Text, Diagnostic, Coap and Dropped (bad FCS) in order, with the counters to match', async () => {
    pair = await openPtyPair();
    mgr = new Manager();
    const got: string[] = [];
    let coapBytes: Uint8Array | undefined;
    let text = '';
    const onBoard: Handler<SlipmuxEvents> = (_c, ev, data) => {
      switch (ev) {
        case SlipmuxEv.Text:
          // text comes in chunks as the port reads it: one entry per run of text
          if (got[got.length - 1] !== 'Text') got.push('Text');
          text += data.text;
          break;
        case SlipmuxEv.Diagnostic:
          got.push(`Diagnostic ${data.text}`);
          break;
        case SlipmuxEv.Coap:
          coapBytes = data.message;
          got.push('Coap');
          break;
        case SlipmuxEv.Dropped:
          got.push(`Dropped ${data.reason}`);
          break;
        case Ev.Error:
          got.push(`Error ${data.message}`);
          break;
      }
    };
    const host: Connection = mgr.connect<SlipmuxEvents>(serialUrl(pair.b), onBoard, { label: 'host' });
    setProtocolSlipmux(host);
    const board = mgr.connect(serialUrl(pair.a), () => undefined, { label: 'board' });
    await within(Promise.all([host.ready, board.ready]), 5000, 'both ports to open');

    const badFcs = encodeCoapFrame(coapGet);
    badFcs[badFcs.length - 2]! ^= 0x5a; // the FCS's low byte, never an END or ESC after this flip
    const bootLog = 'U-Boot SPL\r\nbooting hilrig test board...\r\n';
    assert.ok(board.send(new TextEncoder().encode(bootLog)));
    assert.ok(board.send(encodeDiagnosticFrame('sensor: 21.5 °C\n')));
    assert.ok(board.send(encodeCoapFrame(coapGet)));
    assert.ok(board.send(badFcs));

    await waitFor(() => got.some((g) => g.startsWith('Dropped')), 'the bad-FCS frame to be dropped', 10000);
    assert.deepEqual(got, ['Text', 'Diagnostic sensor: 21.5 °C\n', 'Coap', 'Dropped bad-fcs']);
    assert.equal(text, bootLog);
    assert.deepEqual(coapBytes, coapGet);
    assert.deepEqual(slipmuxStats(host), {
      frames: 2,
      badFcs: 1,
      unknownType: 0,
      oversize: 0,
      aborted: 0,
      malformed: 0,
      truncated: 0,
      textBytes: bootLog.length,
      discardedBytes: 0,
      sent: 0,
    });
  });
});
