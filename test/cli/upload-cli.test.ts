// `hilrig upload` as users run it: the bundled CLI in a child process, against the virtual
// board's SMP server (in this process, over UDP on 127.0.0.1 and its pty) and against lrzsz's
// rx / rb on a socat pty pair (XMODEM, YMODEM: the received file must be byte-identical).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSmpService } from '../../boards/virtual/services/smp.js';
import type { RunningBoard } from '../../boards/virtual/virtual-board.js';
import { CLI } from '../helpers/cli.js';
import { openPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { waitFor, within } from '../helpers/wait.js';
import { spawnOnPty, type PtyPeer } from '../protocols/xmodem/lrzsz.js';
import { payload, startBoard, tempFiles, type TempFiles, testImageBytes } from '../upload/upload-fixtures.js';

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/** `hilrig upload ARGS`, with stderr readable while it runs. */
function hilrig(args: string[], cwd?: string): { child: ChildProcess; err: () => string; done: Promise<Ran> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const done = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
  return { child, err: () => err, done };
}

const run = (args: string[]): Promise<Ran> => within(hilrig(args).done, 30000, `hilrig ${args.join(' ')}`);

describe('hilrig upload (CLI)', function () {
  this.timeout(40000);
  let files: TempFiles;
  let board: RunningBoard | undefined;
  let pair: PtyPair | undefined;
  let peer: PtyPeer | undefined;
  beforeEach(() => {
    files = tempFiles('hilrig-upload-cli-');
  });
  afterEach(async () => {
    await peer?.kill();
    await pair?.kill();
    await board?.stop();
    board = pair = peer = undefined;
    files.remove();
  });

  it('--help lists every option with its default, the targets and the exit codes', async () => {
    const r = await run(['upload', '--help']);
    assert.equal(r.code, 0);
    for (const opt of ['--target', '--protocol', '--chunk', '--window', '--raw', '--resource', '--qblock', '--timeout', '--reconnect', '--progress']) assert.ok(r.out.includes(opt), opt);
    assert.match(r.out, /udp:\/\/HOST\[:PORT\] +SMP over UDP \(port 1337 by default\)/);
    assert.match(r.out, /Exit codes: 0 uploaded and verified/);
  });

  it('usage problems exit 2 and say what is wrong', async () => {
    const img = files.write('a.bin', testImageBytes(1));
    const cases: [string[], RegExp][] = [
      [['upload', '--bogus', img], /unknown option '--bogus'/],
      [['upload', img], /--target URL is required/],
      [['upload', '--target', 'udp://127.0.0.1:9', '--protocol', 'zmodem', img], /--protocol zmodem: expected one of smp, xmodem, ymodem, coap/],
      [['upload', '--target', 'serial:///dev/null', '--protocol', 'xmodem', '--window', '2', img], /--window is for --protocol smp/],
      [['upload', '--target', 'udp://127.0.0.1:9', '--window', '0', img], /--window 0: expected a whole number from 1 to 64/],
      [['upload', '--target', 'udp://127.0.0.1:9', path.join(files.dir, 'missing.bin')], /cannot read .*missing\.bin: ENOENT/],
      [['upload', '--target', 'tcp://127.0.0.1:9', img], /cannot tell the protocol from the URL/],
    ];
    for (const [args, want] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, want);
    }
  });

  it('a file that is not an MCUboot image is refused (exit 2) naming the magic; --raw sends it, and this board refuses the header (exit 1)', async () => {
    board = await startBoard([createSmpService({ flashTimeScale: 0 })]);
    const blob = files.write('blob.bin', payload(5000));
    const refused = await run(['upload', '--target', board.endpoints.udp!, blob]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /is not an MCUboot image: .*0x96f3b83d.*Pass --raw/s);
    // the board checks the first chunk is an image header: it refuses the raw blob (exit 1, its reason)
    const raw = await run(['upload', '--target', board.endpoints.udp!, '--raw', blob]);
    assert.equal(raw.code, 1, raw.err);
    assert.match(raw.err, /the board refused the upload: image group: 23 \(IMG_MGMT_ERR_INVALID_IMAGE_HEADER_MAGIC/);
  });

  for (const link of ['udp', 'serial'] as const) {
    it(`smp over ${link}: uploads, verifies with the image list, prints goodput, exit 0; lines every 10% when not a TTY`, async () => {
      board = await startBoard([createSmpService({ flashTimeScale: 0 })], link === 'serial' ? { udp: false, pty: true } : {});
      const target = link === 'serial' ? `${board.endpoints.serial!}?baud=115200` : board.endpoints.udp!;
      const img = files.write('app.signed.bin', testImageBytes(128, '1.4.2'));
      const r = await run(['upload', '--target', target, img]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^uploaded 128\.\d KiB in \d+\.\d\d s with smp: goodput [\d.]+ (KiB|MiB)\/s \(\d+ bytes\)$/m);
      assert.match(r.out, /^verified: image list: slot 1 holds the image \(version 1\.4\.2, hash [0-9a-f]{64}\)$/m);
      const lines = r.err.split('\n').filter((l) => /^upload: \d+%/.test(l));
      assert.deepEqual(lines.map((l) => Number(/(\d+)%/.exec(l)![1]) - (Number(/(\d+)%/.exec(l)![1]) % 10)), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
      assert.ok(!r.err.includes('\r'), 'no carriage returns in a log');
    });
  }

  it('--progress bar draws in place with bytes, rate and ETA', async () => {
    board = await startBoard([createSmpService({ flashTimeScale: 0 })]);
    const img = files.write('a.bin', testImageBytes(64));
    const r = await run(['upload', '--target', board.endpoints.udp!, '--progress', 'bar', '--window', '1', img]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /\r\[#{24}\] 100% {2}64\.\d KiB\/64\.\d KiB {2}[\d.]+ (KiB|MiB)\/s {2}ETA 0s\x1b\[K\n/);
  });

  it('a board that does not answer SMP is exit 3 (link), and says so', async () => {
    board = await startBoard([]);
    const r = await run(['upload', '--target', board.endpoints.udp!, '--timeout', '300', files.write('a.bin', testImageBytes(2))]);
    assert.equal(r.code, 3);
    assert.match(r.err, /hilrig upload: no SMP answer from udp:\/\/127\.0\.0\.1:\d+/);
  });

  /** Start the CLI on one end of a pty pair, and the lrzsz receiver on the other once the CLI has the port open. */
  async function toLrzsz(protocol: 'xmodem' | 'ymodem', file: string, receiver: [string, ...string[]]): Promise<{ ran: Ran; dir: string }> {
    pair = await openPtyPair();
    const dir = fs.mkdtempSync(path.join(files.dir, 'rx-'));
    const cli = hilrig(['upload', '--target', `serial://${pair.b}?baud=115200`, '--protocol', protocol, file]);
    // serialport flushes the port when it opens it: the receiver's first 'C' must come after
    await within(waitFor(() => cli.err().includes('waiting for the receiver to start'), 'the CLI to open the port', 10000), 11000, 'the CLI');
    const [cmd, ...args] = receiver;
    peer = spawnOnPty(cmd, args, pair.a, dir);
    const ran = await within(cli.done, 30000, `hilrig upload --protocol ${protocol}`);
    const exit = await within(peer.exited, 5000, `${cmd} to exit`);
    assert.equal(exit.code, 0, `${cmd}: ${exit.stderr}`);
    return { ran, dir };
  }

  it('xmodem to lrzsz `rx -c`: the received file is the file (64 KiB: whole 1K blocks, no padding)', async () => {
    const data = payload(64 * 1024, 5);
    const { ran, dir } = await toLrzsz('xmodem', files.write('fw.bin', data), ['rx', '-c', '-b', '-q', 'out.bin']);
    assert.equal(ran.code, 0, ran.err);
    assert.match(ran.out, /^verified: the receiver acknowledged all 64 blocks \(0 resent\)/m);
    assert.ok(fs.readFileSync(path.join(dir, 'out.bin')).equals(data));
  });

  it('ymodem to lrzsz `rb`: the file arrives with its name and exact size', async () => {
    const data = payload(50_001, 6);
    const { ran, dir } = await toLrzsz('ymodem', files.write('image-v2.bin', data), ['rb', '-b', '-q']);
    assert.equal(ran.code, 0, ran.err);
    assert.match(ran.out, /with ymodem: goodput/);
    assert.deepEqual(fs.readdirSync(dir), ['image-v2.bin']);
    assert.ok(fs.readFileSync(path.join(dir, 'image-v2.bin')).equals(data));
  });
});
