// The board's XMODEM receiver when the line or the sender misbehaves: frames crafted with the
// codec and written to the pty by hand (a bad CRC, a bad complement, a repeat, a block out of
// sequence, the sender's CAN CAN), and our sender through a relay that flips one byte of one
// block on the wire. Also the bug mode xmodem-block-number-not-checked, which takes the block a
// correct receiver cancels on.
import assert from 'node:assert/strict';
import { ACK, CAN, CRC_REQUEST, encodeBlock, EOT, NAK, STX } from '../../../protocols/xmodem/xmodem-codec.js';
import { bytesSource } from '../../../protocols/xmodem/file-source.js';
import { xmodemSend } from '../../../protocols/xmodem/xmodem-sender.js';
import { serialDriver } from '../../../drivers/serial/serial-driver.js';
import { within } from '../../helpers/wait.js';
import { BoardRig, editingDriver, pattern } from './xmodem-board-fixture.js';

const crcBlock = (n: number, data: Uint8Array): Uint8Array => encodeBlock(n, data, { size: 128, check: 'crc' });
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('virtual board: the XMODEM receiver on a bad line', function () {
  this.timeout(15000);
  let rig: BoardRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  /** `loadx xmodem-crc`, then the board's first 'C'; returns where the next answer starts in rig.raw. */
  async function started(r: BoardRig): Promise<number> {
    const from = r.raw.length;
    await r.command('loadx xmodem-crc', /^## Ready for binary \(xmodem-crc\)/);
    const ready = await r.expectText('## Ready for binary (xmodem-crc)', from);
    const prompt = await r.expectText('uart:~$ ', ready);
    return r.expectBytes([CRC_REQUEST], prompt);
  }

  /** Send a frame and await the board's answer byte(s) after index `at`; returns the index after them. */
  async function answer(r: BoardRig, frame: Uint8Array, expect: number[], at: number): Promise<number> {
    r.write(frame);
    const end = await r.expectBytes(expect, at);
    assert.deepEqual(r.raw.slice(at, end), expect, `the board answered ${r.raw.slice(at, end).map((b) => b.toString(16)).join(' ')}`);
    return end;
  }

  const d1 = pattern(128, 1);
  const d2 = pattern(128, 2);
  const d4 = pattern(128, 4);

  it('NAKs a bad CRC and a bad complement, ACKs a repeat without writing it twice, cancels a block out of sequence', async () => {
    rig = await BoardRig.start();
    let at = await started(rig);
    const from = rig.lines.length;
    at = await answer(rig, crcBlock(1, d1), [ACK], at);
    // the sender did not hear our ACK and sends block 1 again: ACK, written once
    at = await answer(rig, crcBlock(1, d1), [ACK], at);
    const badCrc = crcBlock(2, d2);
    badCrc[40]! ^= 0x01;
    at = await answer(rig, badCrc, [NAK], at);
    const badComplement = crcBlock(2, d2);
    badComplement[2] = 0x00;
    at = await answer(rig, badComplement, [NAK], at);
    at = await answer(rig, crcBlock(2, d2), [ACK], at);
    // block 3 lost: block 4 is a loss of synchronization
    at = await answer(rig, crcBlock(4, d4), [CAN, CAN], at);
    await rig.expectLine(/^## Aborted \(xmodem-crc\): block 4 is out of sequence: expected 3 \(or 2 again\); 256 bytes written to slot 1$/, from);
    const st = rig.slot.status();
    assert.equal(st.state, 'aborted');
    assert.equal(st.length, 256);
    assert.deepEqual(rig.slot.written(), concat(d1, d2));
    await rig.command('version', /^hilrig virtual board v/);
  });

  it('with --bug xmodem-block-number-not-checked takes the block out of sequence and writes it', async () => {
    rig = await BoardRig.start({ bugs: ['xmodem-block-number-not-checked'] });
    let at = await started(rig);
    const from = rig.lines.length;
    at = await answer(rig, crcBlock(1, d1), [ACK], at);
    at = await answer(rig, crcBlock(2, d2), [ACK], at);
    at = await answer(rig, crcBlock(4, d4), [ACK], at);
    await answer(rig, Uint8Array.of(EOT), [ACK], at);
    await rig.expectLine(/^## Total Size {6}= 0x00000180 = 384 Bytes$/, from);
    assert.deepEqual(rig.slot.written(), concat(d1, d2, d4));
  });

  it("stops when the sender cancels with CAN CAN, keeping what was acknowledged", async () => {
    rig = await BoardRig.start();
    const at = await started(rig);
    const from = rig.lines.length;
    await answer(rig, crcBlock(1, d1), [ACK], at);
    rig.write(Uint8Array.of(CAN, CAN));
    await rig.expectLine(/^## Aborted \(xmodem-crc\): the sender cancelled \(CAN CAN\); 128 bytes written to slot 1$/, from);
    assert.equal(rig.slot.status().state, 'aborted');
    await rig.command('version', /^hilrig virtual board v/);
  });

  it('a block corrupted on the wire is NAKed and sent again: the image still lands whole', async () => {
    let flipped = 0;
    // the relay: the first transmission of block 3 gets one data bit flipped
    const driver = editingDriver(serialDriver, (bytes) => {
      if (flipped > 0 || bytes[0] !== STX || bytes[1] !== 3) return bytes;
      flipped++;
      const out = bytes.slice();
      out[500]! ^= 0x10;
      return out;
    });
    rig = await BoardRig.start({ driver });
    const data = pattern(5 * 1024 + 100, 11);
    const from = rig.lines.length;
    await rig.command('loadx', /^## Ready for binary \(xmodem-1k\)/);
    rig.sending = true;
    // a resend before the sender's own 8 s timeout can only answer a NAK
    const started = performance.now();
    const result = await within(xmodemSend(rig.conn, { mode: 'xmodem-1k', file: bytesSource('x.bin', data), blockTimeoutMs: 8000 }), 6000, 'the transfer');
    rig.sending = false;
    assert.equal(flipped, 1);
    assert.equal(result.retries, 1);
    assert.ok(performance.now() - started < 6000);
    await rig.expectLine(/^## Total Size {6}= 0x00001480 = 5248 Bytes$/, from);
    assert.deepEqual(rig.slot.read(0, data.length), data);
  });
});
