// The XMODEM/YMODEM sender inside the engine, over an in-memory stream link with a scripted
// receiver and a virtual clock: the order of frames and answers, retries and their limit,
// timeouts in clock time, cancel, console noise before the start, EOT handling, YMODEM's
// block 0 and end of batch, options, and the protocol it borrows the connection from.
import assert from 'node:assert/strict';
import { type Connection, Ev, type Handler, Manager, PROTO_EV_BASE, VirtualClock } from '../../../rig/index.js';
import { setProtocolLines } from '../../../protocols/console/console-protocol.js';
import { ACK, CAN, CRC_REQUEST, decodeBlock, decodeYmodemHeader, EOT, NAK, SOH, STX, SUB } from '../../../protocols/xmodem/xmodem-codec.js';
import {
  setProtocolXmodemSend,
  XMODEM_EV_BASE,
  XmodemError,
  XmodemEv,
  type XmodemEvents,
  type XmodemFailed,
  type XmodemFile,
  xmodemSend,
} from '../../../protocols/xmodem/xmodem-sender.js';
import { bytesSource } from '../../../protocols/xmodem/file-source.js';
import { within } from '../../helpers/wait.js';
import { type MemoryLink, memoryLink, scriptedReceiver } from './xmodem-fixtures.js';

const pattern = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
/** let every queued microtask and immediate run (the link answers asynchronously) */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('xmodem sender', () => {
  let mgr: Manager;
  let clock: VirtualClock;
  let link: MemoryLink;
  let c: Connection;
  let seen: { ev: number; data: unknown }[];

  beforeEach(async () => {
    clock = new VirtualClock();
    link = memoryLink();
    mgr = new Manager({ clock, pollMs: 0, drivers: { mem: link.driver } });
    seen = [];
    c = mgr.connect('mem://board', (_c, ev, data) => void seen.push({ ev, data }));
    await within(c.ready, 2000, 'the memory link');
  });
  afterEach(async () => {
    await mgr.shutdown();
  });

  const xmodemEvents = (): number[] => seen.filter((s) => s.ev > PROTO_EV_BASE).map((s) => s.ev);
  const failedEvent = (): XmodemFailed | undefined => seen.find((s) => s.ev === XmodemEv.Failed)?.data as XmodemFailed | undefined;
  /** the receiver's start byte, then the quiet time that makes it a start */
  const start = (byte: number = CRC_REQUEST): void => {
    link.feed(Uint8Array.of(byte));
    clock.advance(20);
  };

  it('numbers its events from PROTO_EV_BASE * 4', () => {
    assert.equal(XMODEM_EV_BASE, PROTO_EV_BASE * 4);
    assert.deepEqual(Object.values(XmodemEv), [1, 2, 3, 4].map((i) => XMODEM_EV_BASE + i));
    const h: Handler<XmodemEvents> = (_c, ev, data) => {
      if (ev === XmodemEv.Progress) void data.bytes;
      else if (ev === XmodemEv.Failed) void data.reason.length;
      else if (ev === XmodemEv.Done) void data.seconds;
    };
    assert.equal(typeof h, 'function');
  });

  it('sends 128-byte CRC blocks after a C, padded with SUB, then EOT; events in order', async () => {
    const data = pattern(300);
    const rx = scriptedReceiver(link);
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', data) });
    start();
    const r = await within(sending, 2000, 'the transfer');
    assert.deepEqual(rx.frames, ['block 1', 'block 2', 'block 3', 'eot']);
    assert.deepEqual(Buffer.concat(rx.data).subarray(0, 300), Buffer.from(data));
    assert.ok(rx.data[2]!.subarray(300 - 256).every((b) => b === SUB), 'the last block is padded with SUB');
    assert.deepEqual({ ...r, seconds: 0 }, { bytes: 300, blocks: 3, retries: 0, seconds: 0, check: 'crc' });
    assert.deepEqual(xmodemEvents(), [XmodemEv.Started, XmodemEv.Progress, XmodemEv.Progress, XmodemEv.Progress, XmodemEv.Done]);
    assert.ok(seen.some((s) => s.ev === Ev.Recv), 'generic events go on to the user handler');
    assert.equal(c.recv.length, 0, 'the receiver bytes were consumed');
    assert.equal(c.proto, undefined, 'the connection is handed back');
  });

  it("uses the checksum when the receiver starts with NAK ('xmodem'), and 128-byte blocks in 'xmodem-1k'", async () => {
    for (const mode of ['xmodem', 'xmodem-1k'] as const) {
      link.written.length = 0;
      const rx = scriptedReceiver(link, { check: 'checksum' });
      const sending = xmodemSend(c, { mode, file: bytesSource('f', pattern(2000)) });
      start(NAK);
      const r = await within(sending, 2000, mode);
      assert.equal(r.check, 'checksum');
      assert.equal(rx.frames.filter((f) => f.startsWith('block')).length, 16, `${mode}: 2000 bytes in 16 blocks of 128`);
      assert.ok(link.written.every((w) => w[0] !== STX));
      assert.equal(link.written[0]!.length, 132, 'one check byte');
    }
  });

  it("sends 1K blocks in 'xmodem-1k' after a C, with a 128-byte block for a short tail", async () => {
    const data = pattern(2100);
    const rx = scriptedReceiver(link);
    const sending = xmodemSend(c, { mode: 'xmodem-1k', file: bytesSource('f', data) });
    start();
    await within(sending, 2000, 'the transfer');
    assert.deepEqual(
      link.written.map((w) => [w[0], w.length]),
      [[STX, 1029], [STX, 1029], [SOH, 133], [EOT, 1]],
    );
    assert.deepEqual(Buffer.concat(rx.data).subarray(0, 2100), Buffer.from(data));
  });

  it('sends a block again after a NAK and counts the retry', async () => {
    const rx = scriptedReceiver(link, { answer: (n, attempt) => (n === 2 && attempt < 3 ? 'nak' : 'ack') });
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(400)) });
    start();
    const r = await within(sending, 2000, 'the transfer');
    assert.deepEqual(rx.frames, ['block 1', 'block 2', 'block 2', 'block 2', 'block 3', 'block 4', 'eot']);
    assert.deepEqual(link.written[1], link.written[2], 'the same bytes again');
    assert.equal(r.retries, 2);
    const last = seen.filter((s) => s.ev === XmodemEv.Progress).at(-1)?.data;
    assert.deepEqual(last, { bytes: 400, size: 400, blocks: 4, retries: 2 });
  });

  it('sends a block again when no answer comes within blockTimeoutMs of clock time', async () => {
    const rx = scriptedReceiver(link, { answer: (n, attempt) => (n === 2 && attempt === 1 ? 'silent' : 'ack') });
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(256)), blockTimeoutMs: 3000 });
    start();
    await settle();
    assert.deepEqual(rx.frames, ['block 1', 'block 2']);
    clock.advance(2999);
    await settle();
    assert.deepEqual(rx.frames, ['block 1', 'block 2'], 'not before its time');
    clock.advance(1);
    const r = await within(sending, 2000, 'the transfer');
    assert.deepEqual(rx.frames, ['block 1', 'block 2', 'block 2', 'eot']);
    assert.equal(r.retries, 1);
  });

  it("fails with 'too many retries on block 17' and cancels the receiver", async () => {
    const rx = scriptedReceiver(link, { answer: (n) => (n === 17 ? 'nak' : 'ack') });
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(128 * 20)), retries: 3 });
    start();
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.ok(err instanceof XmodemError);
    assert.equal(err.reason, 'too many retries on block 17');
    assert.equal(err.kind, 'retries');
    assert.equal(err.code, 'PROTOCOL');
    assert.equal(err.progress.blocks, 16);
    assert.equal(rx.frames.filter((f) => f === 'block 17').length, 4, 'sent once and retried 3 times');
    await settle();
    assert.equal(rx.frames.at(-1), 'cancel', 'CAN CAN tells the receiver to stop');
    assert.equal(failedEvent()?.reason, 'too many retries on block 17');
  });

  it("fails with 'no start from receiver in 60 s' after 60 s of clock time, sending nothing", async () => {
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(10)) });
    clock.advance(59_999);
    await settle();
    assert.equal(failedEvent(), undefined);
    clock.advance(1);
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.ok(err instanceof XmodemError && err.reason === 'no start from receiver in 60 s' && err.code === 'TIMEOUT');
    assert.equal(link.written.length, 0, 'no CAN to a receiver that never started');
  });

  it("fails with 'receiver cancelled' on CAN CAN mid-transfer, and sends nothing after it", async () => {
    const rx = scriptedReceiver(link, { answer: (n) => (n === 3 ? 'cancel' : 'ack') });
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(1000)) });
    start();
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.ok(err instanceof XmodemError);
    assert.equal(err.reason, 'receiver cancelled');
    assert.equal(err.kind, 'cancelled');
    assert.deepEqual(err.progress, { bytes: 256, size: 1000, blocks: 2, retries: 0 });
    await settle();
    assert.deepEqual(rx.frames, ['block 1', 'block 2', 'block 3']);
  });

  it("waits through a board's console text, 'C's in it included, for a lone C", async () => {
    const rx = scriptedReceiver(link);
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(100)) });
    const banner = 'U-Boot 2024.01 (Jan 01 2024)\r\nCPU: CRC32 engine ok\r\nHit any key; press C';
    link.feed(banner);
    clock.advance(5);
    link.feed('trl-C to stop\r\n## Ready for binary (xmodem) download\r\n');
    clock.advance(1000);
    await settle();
    assert.equal(link.written.length, 0, "no 'C' inside the text started the transfer");
    link.feed(Uint8Array.of(CRC_REQUEST));
    clock.advance(19);
    await settle();
    assert.equal(link.written.length, 0, 'a lone C counts only after 20 ms of quiet');
    clock.advance(1);
    const r = await within(sending, 2000, 'the transfer');
    assert.equal(r.bytes, 100);
    assert.deepEqual(rx.frames, ['block 1', 'eot']);
    const started = seen.find((s) => s.ev === XmodemEv.Started)?.data as { noiseBytes: number };
    assert.equal(started.noiseBytes, banner.length + 'trl-C to stop\r\n## Ready for binary (xmodem) download\r\n'.length);
  });

  it('sends EOT again when the receiver NAKs the first one, without counting a retry', async () => {
    const rx = scriptedReceiver(link, { eot: (attempt) => (attempt === 1 ? 'nak' : 'ack') });
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(10)) });
    start();
    const r = await within(sending, 2000, 'the transfer');
    assert.deepEqual(rx.frames, ['block 1', 'eot', 'eot']);
    assert.equal(r.retries, 0);
  });

  it('an XMODEM file of 0 bytes is an EOT right after the start', async () => {
    const rx = scriptedReceiver(link);
    const sending = xmodemSend(c, { mode: 'xmodem', file: bytesSource('f', new Uint8Array(0)) });
    start();
    const r = await within(sending, 2000, 'the transfer');
    assert.deepEqual(rx.frames, ['eot']);
    assert.deepEqual({ ...r, seconds: 0 }, { bytes: 0, blocks: 0, retries: 0, seconds: 0, check: 'crc' });
  });

  it('YMODEM: block 0 with name and size, ACK then C, data, EOT, C, the empty block 0', async () => {
    const data = pattern(1500);
    const rx = scriptedReceiver(link, { ymodem: true });
    const sending = xmodemSend(c, { mode: 'ymodem', file: { ...bytesSource('fw.bin', data), mtime: 1_700_000_000 } });
    start();
    const r = await within(sending, 2000, 'the transfer');
    // 1500 = 1024 + 476: the tail goes in four 128-byte blocks (532 bytes on the wire, not 1029)
    assert.deepEqual(rx.frames, ['block 0', 'block 1', 'block 2', 'block 3', 'block 4', 'block 5', 'eot', 'batch-end']);
    assert.deepEqual(decodeYmodemHeader(rx.header!), { kind: 'ok', value: { name: 'fw.bin', size: 1500, mtime: 1_700_000_000 }, consumed: 128 });
    assert.deepEqual(Buffer.concat(rx.data).subarray(0, 1500), Buffer.from(data));
    assert.deepEqual(link.written.map((w) => w.length), [133, 1029, 133, 133, 133, 133, 1, 133]);
    assert.deepEqual({ ...r, seconds: 0 }, { bytes: 1500, blocks: 5, retries: 0, seconds: 0, check: 'crc' });
  });

  it('YMODEM: sends no data block before the C that follows the ACK of block 0', async () => {
    scriptedReceiver(link, { ymodem: true });
    link.onWrite = undefined; // this test answers by hand
    const sending = xmodemSend(c, { mode: 'ymodem', file: bytesSource('a.bin', pattern(10)), blockTimeoutMs: 5000 });
    start();
    await settle();
    assert.equal(link.written.length, 1);
    link.feed(Uint8Array.of(ACK));
    await settle();
    assert.equal(link.written.length, 1, 'waits for the C');
    link.feed(Uint8Array.of(CRC_REQUEST));
    await settle();
    assert.equal(link.written.length, 2);
    const b = decodeBlock(link.written[1]!);
    assert.ok(b.kind === 'ok' && b.value.number === 1);
    link.feed(Uint8Array.of(ACK));
    await settle();
    assert.deepEqual([...link.written[2]!], [EOT]);
    link.feed(Uint8Array.of(ACK, CRC_REQUEST));
    await settle();
    assert.deepEqual([...link.written[3]!.subarray(0, 3)], [SOH, 0, 0xff]);
    link.feed(Uint8Array.of(ACK));
    await within(sending, 2000, 'the transfer');
  });

  it('YMODEM with a file of 0 bytes: block 0 says size 0, no data block, EOT, end of batch', async () => {
    const rx = scriptedReceiver(link, { ymodem: true });
    const sending = xmodemSend(c, { mode: 'ymodem', file: bytesSource('empty.bin', new Uint8Array(0)) });
    start();
    const r = await within(sending, 2000, 'the transfer');
    assert.deepEqual(rx.frames, ['block 0', 'eot', 'batch-end']);
    assert.deepEqual(decodeYmodemHeader(rx.header!), { kind: 'ok', value: { name: 'empty.bin', size: 0 }, consumed: 128 });
    assert.equal(r.bytes, 0);
  });

  it('reads the file a block at a time through a promise, and fails naming the offset when a read fails', async () => {
    const data = pattern(3000);
    const reads: [number, number][] = [];
    const file: XmodemFile = {
      name: 'f',
      size: data.length,
      read: async (offset, length) => {
        reads.push([offset, length]);
        if (offset >= 2048) throw new Error('EIO: flash image unreadable');
        return data.subarray(offset, offset + length);
      },
    };
    const rx = scriptedReceiver(link);
    const sending = xmodemSend(c, { mode: 'xmodem-1k', file });
    start();
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.deepEqual(reads, [[0, 1024], [1024, 1024], [2048, 952]], 'one read per block, never the whole file');
    assert.ok(err instanceof XmodemError && err.kind === 'read');
    assert.equal(err.reason, 'cannot read the file at offset 2048');
    assert.match(err.message, /EIO: flash image unreadable/);
    await settle();
    assert.deepEqual(rx.frames.slice(0, 2), ['block 1', 'block 2']);
    assert.ok(rx.frames.length > 2 && rx.frames.slice(2).every((f) => f === 'cancel'), 'then CAN CAN to the receiver');
  });

  it('fails when the connection closes mid-transfer', async () => {
    scriptedReceiver(link, { answer: (n) => (n === 2 ? 'silent' : 'ack') });
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(1000)) });
    start();
    await settle();
    link.hangUp();
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.ok(err instanceof XmodemError && err.kind === 'closed' && err.reason === 'connection closed');
    assert.ok(seen.some((s) => s.ev === Ev.Close), 'the user handler still gets Close');
  });

  it('borrows the connection from the protocol set before and gives it back', async () => {
    setProtocolLines(c, { idleFlushMs: 0 });
    const lines = c.proto;
    scriptedReceiver(link);
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(10)) });
    assert.equal(c.proto?.name, 'xmodem-send');
    start();
    await within(sending, 2000, 'the transfer');
    assert.equal(c.proto, lines);
    link.feed('## Total Size = 0x0000000a\r\n');
    const line = seen.find((s) => s.ev === 900)?.data as { line: { text: string } } | undefined;
    assert.equal(line?.line.text, '## Total Size = 0x0000000a');
  });

  it("'xmodem-crc' does not take a NAK start, and says so when it gives up", async () => {
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(10)), startTimeoutMs: 1000 });
    start(NAK);
    clock.advance(1000);
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.ok(err instanceof XmodemError);
    assert.match(err.message, /no start from receiver in 1 s .*1 NAK \(checksum\) requests not taken: mode xmodem-crc needs CRC/);
    assert.equal(link.written.length, 0);
  });

  it('a C after a NAK-started first block restarts it with CRC', async () => {
    const sending = xmodemSend(c, { mode: 'xmodem', file: bytesSource('f', pattern(10)) });
    start(NAK);
    await settle();
    assert.equal(link.written[0]!.length, 132, 'checksum block');
    const rx = scriptedReceiver(link);
    link.feed(Uint8Array.of(CRC_REQUEST));
    const r = await within(sending, 2000, 'the transfer');
    assert.equal(link.written[1]!.length, 133, 'the same block with CRC');
    assert.equal(r.check, 'crc');
    assert.deepEqual(rx.frames, ['block 1', 'eot']);
  });

  it('throws TypeError naming a bad option; the promise API rejects with it', async () => {
    const file = bytesSource('f', pattern(1));
    assert.throws(() => setProtocolXmodemSend(c, { mode: 'zmodem' as 'xmodem', file }), /option "mode" must be one of xmodem, xmodem-crc, xmodem-1k, ymodem/);
    assert.throws(() => setProtocolXmodemSend(c, { mode: 'xmodem', file, retry: 3 } as never), /unknown option "retry"/);
    assert.throws(() => setProtocolXmodemSend(c, { mode: 'xmodem', file, retries: -1 }), /option "retries"/);
    assert.throws(() => setProtocolXmodemSend(c, { mode: 'xmodem', file: { ...file, size: 1.5 } }), /option "file.size"/);
    assert.throws(() => setProtocolXmodemSend(c, { mode: 'ymodem', file: { ...file, name: '' } }), /option "file.name"/);
    await assert.rejects(xmodemSend(c, { mode: 'xmodem', file, blockTimeoutMs: 0 }), TypeError);
    assert.equal(c.proto, undefined, 'a refused transfer does not touch the connection');
  });

  it('refuses a second transfer on a connection that is sending one', async () => {
    const file = bytesSource('f', pattern(10));
    const first = xmodemSend(c, { mode: 'xmodem-crc', file, startTimeoutMs: 100 });
    await assert.rejects(xmodemSend(c, { mode: 'xmodem-crc', file }), /already sending a file/);
    clock.advance(100);
    await assert.rejects(first, /no start from receiver in 0.1 s/);
  });

  it('a lone CAN is noise; CAN CAN while waiting to start is a cancel', async () => {
    const sending = xmodemSend(c, { mode: 'xmodem-crc', file: bytesSource('f', pattern(10)) });
    link.feed(Uint8Array.of(CAN, 0x41));
    clock.advance(100);
    await settle();
    assert.equal(failedEvent(), undefined);
    link.feed(Uint8Array.of(CAN));
    link.feed(Uint8Array.of(CAN));
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 2000, 'the failure');
    assert.ok(err instanceof XmodemError && err.reason === 'receiver cancelled');
    assert.equal(link.written.length, 0);
  });
});
