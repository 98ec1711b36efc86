// The board's loadx/loady end to end: the virtual board in-process on a socat pty pair, the
// rig's XMODEM sender through the real serial driver after typing the command, and the image
// read back from the board's flash (slot 1). XMODEM keeps the SUB padding of the last block (it
// has no length), YMODEM cuts the file at the length in block 0. Then the shell must be back.
import assert from 'node:assert/strict';
import { blockSizes, type BlockSize, SUB } from '../../../protocols/xmodem/xmodem-codec.js';
import { bytesSource } from '../../../protocols/xmodem/file-source.js';
import { type XmodemMode, type XmodemResult, xmodemSend } from '../../../protocols/xmodem/xmodem-sender.js';
import { within } from '../../helpers/wait.js';
import { BoardRig, pattern, sha256Hex } from './xmodem-board-fixture.js';

const SIZES = [1, 128, 1024, 1025, 70 * 1024 + 13];
const VERSION_LINE = /^hilrig virtual board v\S+ \(.*\)$/;

/** What XMODEM leaves in the slot: the data, then SUB up to the end of the last block. */
function padded(data: Uint8Array, max: BlockSize): Uint8Array {
  const total = blockSizes(data.length, max).reduce((a, b) => a + b, 0);
  const out = new Uint8Array(total).fill(SUB);
  out.set(data);
  return out;
}

describe('virtual board: loadx / loady into slot 1', function () {
  this.timeout(15000);
  let rig: BoardRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  /** Type the command, send `data` with our sender, await the summary; returns the sender's result and the summary's size. */
  async function load(r: BoardRig, command: string, mode: XmodemMode, data: Uint8Array, name = 'image.bin'): Promise<{ result: XmodemResult; total: number; sha: string }> {
    const from = r.lines.length;
    await r.command(command, /^## Ready for binary \((xmodem|xmodem-crc|xmodem-1k|ymodem)\) download to slot 1 at 0x[0-9a-f]{8}, up to \d+ bytes \.\.\.$/);
    r.sending = true;
    const result = await within(xmodemSend(r.conn, { mode, file: bytesSource(name, data), blockTimeoutMs: 8000 }), 10_000, `the ${mode} transfer`);
    r.sending = false;
    const total = await r.expectLine(/^## Total Size {6}= 0x([0-9a-f]{8}) = (\d+) Bytes$/, from);
    assert.equal(parseInt(total[1]!, 16), Number(total[2]));
    const sha = await r.expectLine(/^## SHA-256 {9}= ([0-9a-f]{64})$/, from);
    return { result, total: Number(total[2]), sha: sha[1]! };
  }

  for (const size of SIZES) {
    it(`loadx (XMODEM-1K): ${size} bytes land in slot 1, padded with SUB to the last block`, async () => {
      rig = await BoardRig.start();
      const data = pattern(size, size);
      const { result, total, sha } = await load(rig, 'loadx', 'xmodem-1k', data);
      const want = padded(data, 1024);
      assert.equal(result.check, 'crc');
      assert.equal(result.retries, 0);
      assert.equal(total, want.length);
      assert.deepEqual(rig.slot.read(0, want.length), want);
      assert.equal(sha, sha256Hex(want));
      const st = rig.slot.status();
      assert.equal(st.state, 'complete');
      assert.equal(st.source, 'xmodem');
      assert.equal(Buffer.from(st.sha256).toString('hex'), sha256Hex(want));
      await rig.command('version', VERSION_LINE);
    });

    it(`loady (YMODEM): ${size} bytes land in slot 1, cut at the length in block 0`, async () => {
      rig = await BoardRig.start();
      const data = pattern(size, size + 7);
      const from = rig.lines.length;
      const { total, sha } = await load(rig, 'loady', 'ymodem', data, `fw-${size}.bin`);
      assert.equal(total, size);
      await rig.expectLine(new RegExp(`^## File Name {7}= fw-${size}\\.bin$`), from);
      assert.deepEqual(rig.slot.written(), data);
      assert.equal(sha, sha256Hex(data));
      assert.equal(rig.slot.status().name, `fw-${size}.bin`);
      await rig.command('version', VERSION_LINE);
    });
  }

  it('loadx xmodem asks with NAK: 128-byte blocks with the 8-bit checksum', async () => {
    rig = await BoardRig.start();
    const data = pattern(1025, 3);
    const { result, total } = await load(rig, 'loadx xmodem', 'xmodem', data);
    assert.equal(result.check, 'checksum');
    assert.equal(total, 9 * 128);
    assert.deepEqual(rig.slot.read(0, total), padded(data, 128));
  });

  it('loadx xmodem-crc asks with C and takes 128-byte CRC blocks', async () => {
    rig = await BoardRig.start();
    const data = pattern(300, 9);
    const { result, total } = await load(rig, 'loadx xmodem-crc', 'xmodem-crc', data);
    assert.equal(result.check, 'crc');
    assert.equal(total, 3 * 128);
    assert.deepEqual(rig.slot.read(0, total), padded(data, 128));
  });

  it('refuses an unknown mode and stays in the shell', async () => {
    rig = await BoardRig.start();
    await rig.command('loadx zmodem', /^loadx: expected one of xmodem, xmodem-crc, xmodem-1k \(default xmodem-1k\)/);
    await rig.command('version', VERSION_LINE);
  });

  it('gives up after its start tries and gives the line back to the shell', async () => {
    rig = await BoardRig.start({ xmodem: { startTries: 3, startIntervalMs: 200 } });
    const from = rig.lines.length;
    await rig.command('loadx', /^## Ready for binary/);
    await rig.expectLine(/^## Aborted \(xmodem-1k\): no sender: 3 start requests went unanswered; 0 bytes written to slot 1$/, from);
    // what the board sent between its Ready line and the Aborted line (once that is through the pty too)
    await rig.expectBytes([...Buffer.from('## Aborted')], 0);
    const raw = Buffer.from(rig.raw).toString('latin1');
    const between = raw.slice(raw.lastIndexOf('bytes ...\r\n'), raw.lastIndexOf('## Aborted'));
    assert.equal(between.replace('bytes ...\r\nuart:~$ ', '').replace(/\r\n$/, ''), 'CCC', 'three C start requests after the prompt');
    await rig.command('version', VERSION_LINE);
  });
});
