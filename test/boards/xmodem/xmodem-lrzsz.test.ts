// A sender nobody here wrote: lrzsz's `sx -k` (XMODEM-1K) and `sb` (YMODEM) on the rig's end of
// the pty, after the rig typed loadx / loady and let go of the port. The image must land in slot
// 1 byte for byte (XMODEM with its SUB padding, YMODEM cut at its length, under its own name).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { blockSizes, SUB } from '../../../protocols/xmodem/xmodem-codec.js';
import { within } from '../../helpers/wait.js';
import { type PtyPeer, spawnOnPty } from '../../protocols/xmodem/lrzsz.js';
import { BoardRig, pattern } from './xmodem-board-fixture.js';

const hasLrzsz = spawnSync('sx', ['--version'], { stdio: 'ignore' }).status === 0 && spawnSync('sb', ['--version'], { stdio: 'ignore' }).status === 0;

describe('virtual board: loadx / loady with lrzsz as the sender', function () {
  this.timeout(15000);
  let rig: BoardRig | undefined;
  let peer: PtyPeer | undefined;
  let dir: string | undefined;
  before(function () {
    if (!hasLrzsz) this.skip();
  });
  afterEach(async () => {
    await peer?.kill();
    await rig?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    rig = peer = dir = undefined;
  });

  /** Type `command`, wait for the prompt after the Ready line, let go of the port, run the lrzsz sender on it. */
  async function sendWith(command: string, sender: string[], name: string, data: Uint8Array): Promise<BoardRig> {
    const r = (rig = await BoardRig.start());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-loadx-'));
    fs.writeFileSync(path.join(dir, name), data);
    const from = r.raw.length;
    await r.command(command, /^## Ready for binary/);
    await r.expectText('uart:~$ ', await r.expectText('## Ready for binary', from));
    // the port is lrzsz's now (the board's 'C' comes every second, so none is missed for good)
    await r.mgr.shutdown();
    const [cmd, ...args] = sender;
    peer = spawnOnPty(cmd!, [...args, name], r.board.endpoints.serial!.replace(/^serial:\/\//, ''), dir);
    const exit = await within(peer.exited, 10_000, `${cmd} to finish`);
    // not socat's exit code: the board's summary after the end finds lrzsz gone (a broken pipe)
    assert.match(exit.stderr, /Transfer complete/, `${cmd} did not finish: ${exit.stderr}`);
    return r;
  }

  it('sx -k (XMODEM-1K) into loadx: the file and its SUB padding', async () => {
    const data = pattern(20 * 1024 + 77, 5);
    const r = await sendWith('loadx', ['sx', '-k', '-v'], 'app.bin', data);
    const total = blockSizes(data.length, 1024).reduce((a, b) => a + b, 0);
    await r.expectLine(new RegExp(`^## Total Size {6}= 0x[0-9a-f]{8} = ${total} Bytes$`));
    const got = r.slot.read(0, total);
    assert.deepEqual(got.subarray(0, data.length), data);
    assert.ok(got.subarray(data.length).every((b) => b === SUB));
  });

  it('sb (YMODEM) into loady: the file under its name, cut at its length', async () => {
    const data = pattern(33 * 1024 + 5, 6);
    const r = await sendWith('loady', ['sb', '-v'], 'fw-1.2.3.bin', data);
    await r.expectLine(/^## File Name {7}= fw-1\.2\.3\.bin$/);
    await r.expectLine(new RegExp(`^## Total Size {6}= 0x[0-9a-f]{8} = ${data.length} Bytes$`));
    assert.deepEqual(r.slot.written(), data);
  });
});
