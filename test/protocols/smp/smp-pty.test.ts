// SMP over a real serial pty pair (socat) through the engine and the serial driver: a board on
// one end answers echo requests with console text before, between and after its frames, and
// once sends a packet with a broken CRC; the rig on the other end must get every response, all
// the console text, and a Dropped event for the broken packet. A second board frames its
// answers the way Zephyr did before 2022 (length without the CRC).
import assert from 'node:assert/strict';
import { type Connection, Manager } from '../../../rig/index.js';
import { echoRequest, readEcho } from '../../../protocols/smp/smp-groups.js';
import { encodeSmp, isRequestOp, responseTo, type SmpMessage } from '../../../protocols/smp/smp-header.js';
import { sendSmp, SmpEv, type SmpEvents, type SmpSerialInfo, setProtocolSmpSerial, smpRequest, smpSerialStats } from '../../../protocols/smp/smp-protocol.js';
import { encodeSmpSerial } from '../../../protocols/smp/smp-serial-codec.js';
import { openPtyPair, type PtyPair } from '../../helpers/pty-pair.js';
import { waitFor, within } from '../../helpers/wait.js';

const serialUrl = (path: string): string => `serial://${path}?baud=115200`;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Side {
  conn: Connection;
  text: string;
  dropped: string[];
  serial: SmpSerialInfo[];
}

describe('SMP over a serial pty pair', function () {
  this.timeout(20000);
  let pair: PtyPair | undefined;
  let mgr: Manager | undefined;

  afterEach(async () => {
    await mgr?.shutdown();
    await pair?.kill();
    mgr = undefined;
    pair = undefined;
  });

  /** A board that answers echo with console chatter around the frames, and the rig's side. */
  async function open(boardOpts: Parameters<typeof setProtocolSmpSerial>[1] = {}): Promise<{ rig: Side; board: Connection; requests: SmpMessage[] }> {
    pair = await openPtyPair();
    mgr = new Manager();
    const requests: SmpMessage[] = [];
    const board = mgr.connect<SmpEvents>(
      serialUrl(pair.a),
      (c, ev, data) => {
        if (ev !== SmpEv.Message || !isRequestOp(data.message.op)) return;
        const req = data.message;
        requests.push(req);
        c.send(utf8(`[00:00:0${requests.length}] <inf> smp: echo, seq ${req.seq}\r\n`));
        sendSmp(c, responseTo(req, { r: String(req.body?.d) }));
        c.send(utf8('uart:~$ '));
      },
      { label: 'board' },
    );
    setProtocolSmpSerial(board, boardOpts);
    const rig: Side = { conn: undefined as unknown as Connection, text: '', dropped: [], serial: [] };
    rig.conn = mgr.connect<SmpEvents>(
      serialUrl(pair.b),
      (_c, ev, data) => {
        if (ev === SmpEv.Text) rig.text += data.text;
        if (ev === SmpEv.Dropped) rig.dropped.push(data.reason);
        if (ev === SmpEv.Message && data.serial) rig.serial.push(data.serial);
      },
      { label: 'rig' },
    );
    setProtocolSmpSerial(rig.conn, { timeoutMs: 5000 });
    await within(Promise.all([board.ready, rig.conn.ready]), 5000, 'both ports to open');
    return { rig, board, requests };
  }

  it('gets every response and all the console text, and drops a packet with a bad CRC', async () => {
    const { rig, board, requests } = await open();
    const boot = '*** Booting Zephyr OS build v3.7.0 ***\r\n';
    assert.ok(board.send(utf8(boot)));
    await waitFor(() => rig.text === boot, 'the boot banner');

    const long = 'x'.repeat(300); // a response over several frame lines
    assert.equal(readEcho(await within(smpRequest(rig.conn, echoRequest('hello')), 10000, 'echo hello')), 'hello');
    assert.equal(readEcho(await within(smpRequest(rig.conn, echoRequest(long)), 10000, 'echo long')), long);

    // a response whose CRC no longer matches: one base64 character changed on the wire
    const broken = encodeSmpSerial(encodeSmp(responseTo(requests[1]!, { r: 'late' })));
    broken[10] = broken[10] === 0x41 ? 0x42 : 0x41;
    assert.ok(board.send(broken));
    await waitFor(() => rig.dropped.length === 1, 'the Dropped event');
    assert.deepEqual(rig.dropped, ['bad-crc']);

    assert.equal(readEcho(await within(smpRequest(rig.conn, echoRequest('after')), 10000, 'echo after')), 'after');
    await waitFor(() => rig.text.endsWith('uart:~$ ') && rig.text.split('uart:~$ ').length === 4, 'the last prompt');
    assert.equal(
      rig.text,
      boot +
        '[00:00:01] <inf> smp: echo, seq 0\r\nuart:~$ ' +
        '[00:00:02] <inf> smp: echo, seq 1\r\nuart:~$ ' +
        '[00:00:03] <inf> smp: echo, seq 2\r\nuart:~$ ',
    );
    assert.deepEqual(
      requests.map((q) => q.seq),
      [0, 1, 2],
    );
    assert.ok(rig.serial.every((s) => s.longestLine <= 127 && !s.lengthExcludesCrc && s.crc === 'ok'));
    assert.ok(rig.serial[1]!.frames >= 3, `the long echo took ${rig.serial[1]!.frames} frames`);
    assert.deepEqual({ ...smpSerialStats(rig.conn), textBytes: 0, frameBytes: 0 }, { packets: 3, badCrc: 1, dropped: 0, lengthExcludesCrc: 0, missingCrc: 0, textBytes: 0, frameBytes: 0 });
  });

  it("understands a board that frames like Zephyr before 2022 (length without the CRC)", async () => {
    const { rig } = await open({ lengthExcludesCrc: true });
    const texts = ['a', 'y'.repeat(200)];
    for (const t of texts) assert.equal(readEcho(await within(smpRequest(rig.conn, echoRequest(t)), 10000, `echo of ${t.length}`)), t);
    assert.equal(rig.serial.length, 2);
    assert.ok(rig.serial.every((s) => s.lengthExcludesCrc));
    assert.equal(smpSerialStats(rig.conn)?.lengthExcludesCrc, 2);
  });
});
