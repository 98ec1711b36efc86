// The sender against real peers, end to end through the engine and the serial driver on socat
// pty pairs: lrzsz `rx` (XMODEM, checksum / CRC / 1K) and `rb` (YMODEM) write what they got to
// disk, and the files must be byte-identical: XMODEM has no length, so rx keeps the SUB padding
// of the last block (the prefix must equal the file, the rest must be SUB); YMODEM carries the
// name and size in block 0, so rb's file has the right name and exact size. Sizes 0, 1, 127, 128,
// 129, 1023, 1024, 1025 and ~100 KiB run side by side, one pty pair and one lrzsz each (lrzsz
// waits 1 s after the last EOT before it answers, so one by one would take half a minute).
// Also: a receiver on the other pty end that cancels, a board that prints its banner before
// starting, and one transfer paced at 115200 baud that takes the time the line needs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Connection, Ev, impairDriver, Manager } from '../../../rig/index.js';
import { serialDriver } from '../../../drivers/serial/serial-driver.js';
import { ACK, blockSizes, type BlockSize, CAN, CRC_REQUEST, decodeSenderFrame, SUB } from '../../../protocols/xmodem/xmodem-codec.js';
import { type XmodemEvents, type XmodemMode, type XmodemResult, XmodemError, XmodemEv, xmodemSend } from '../../../protocols/xmodem/xmodem-sender.js';
import { bytesSource } from '../../../protocols/xmodem/file-source.js';
import { openPtyPair, type PtyPair } from '../../helpers/pty-pair.js';
import { within } from '../../helpers/wait.js';
import { type PeerExit, spawnOnPty } from './lrzsz.js';

const SIZES = [0, 1, 127, 128, 129, 1023, 1024, 1025, 100 * 1024 + 37];
const serialUrl = (p: string): string => `serial://${p}?baud=115200`;
const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed + (i >> 9)) & 0xff);

interface Run {
  result: XmodemResult;
  dir: string;
  peer: PeerExit;
  /** real milliseconds from Started to the last block's ACK */
  dataMs: number;
  /** bytes of console text before the receiver's start */
  noiseBytes: number;
}

/** Everything a run opened, closed whatever happens. */
class Rigs {
  private readonly cleanups: (() => Promise<void>)[] = [];
  add(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }
  async closeAll(): Promise<void> {
    const all = this.cleanups.splice(0).reverse();
    for (const fn of all) await fn().catch(() => undefined);
  }
}

interface SendOptions {
  mode: XmodemMode;
  data: Uint8Array;
  name?: string;
  /** the receiver and its arguments, run in a fresh directory with stdio on the pty */
  peer: [string, ...string[]];
  /** a script to write into that directory first (the peer may run it) */
  script?: string;
  baud?: number;
}

async function sendTo(rigs: Rigs, o: SendOptions): Promise<Run> {
  const pair = await openPtyPair();
  rigs.add(() => pair.kill());
  const mgr = new Manager(o.baud ? { drivers: { serial: impairDriver(serialDriver, { baud: o.baud }) } } : {});
  rigs.add(() => mgr.shutdown());
  let startedAt = 0;
  let lastAck = 0;
  let noiseBytes = -1;
  const c = mgr.connect<XmodemEvents>(serialUrl(pair.b), (_c, ev, data) => {
    if (ev === XmodemEv.Started) {
      startedAt = performance.now();
      noiseBytes = data.noiseBytes;
    }
    if (ev === XmodemEv.Progress) lastAck = performance.now();
  });
  // our port is open before the receiver starts: serialport flushes the port when it opens it
  await within(c.ready, 5000, 'the rig side of the pty');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-xmodem-'));
  rigs.add(async () => fs.rmSync(dir, { recursive: true, force: true }));
  if (o.script) fs.writeFileSync(path.join(dir, 'board.sh'), o.script);
  const [cmd, ...args] = o.peer;
  const peer = spawnOnPty(cmd, args, pair.a, dir);
  rigs.add(async () => void (await peer.kill()));
  const result = await within(xmodemSend(c, { mode: o.mode, file: bytesSource(o.name ?? 'file.bin', o.data), startTimeoutMs: 10_000 }), 20_000, `${o.mode} of ${o.data.length} bytes to ${cmd}`);
  const exit = await within(peer.exited, 5000, `${cmd} to exit`);
  assert.equal(exit.code, 0, `${cmd} exit status; it said: ${exit.stderr}`);
  return { result, dir, peer: exit, dataMs: lastAck - startedAt, noiseBytes };
}

/** XMODEM: rx keeps whole blocks; the file's bytes first, then SUB to the end of the last block. */
function assertPadded(got: Buffer, data: Uint8Array, maxBlock: BlockSize, what: string): void {
  const wire = blockSizes(data.length, maxBlock).reduce((a, b) => a + b, 0);
  assert.equal(got.length, wire, `${what}: whole blocks`);
  assert.ok(got.subarray(0, data.length).equals(data), `${what}: the file's bytes`);
  assert.ok(got.subarray(data.length).every((b) => b === SUB), `${what}: SUB padding`);
}

describe('xmodem sender against lrzsz on a pty pair', function () {
  this.timeout(30_000);
  const rigs = new Rigs();
  afterEach(() => rigs.closeAll());

  const xmodemCases: { mode: XmodemMode; flags: string[]; check: 'crc' | 'checksum'; maxBlock: BlockSize }[] = [
    { mode: 'xmodem', flags: [], check: 'checksum', maxBlock: 128 },
    { mode: 'xmodem-crc', flags: ['-c'], check: 'crc', maxBlock: 128 },
    { mode: 'xmodem-1k', flags: ['-c'], check: 'crc', maxBlock: 1024 },
  ];
  for (const { mode, flags, check, maxBlock } of xmodemCases) {
    it(`${mode} to \`rx ${[...flags, '-b', '-q'].join(' ')}\`: every size arrives byte for byte, padded with SUB`, async () => {
      const runs = await Promise.all(
        SIZES.map(async (size) => ({ size, data: pattern(size, size), run: await sendTo(rigs, { mode, data: pattern(size, size), peer: ['rx', ...flags, '-b', '-q', 'out.bin'] }) })),
      );
      for (const { size, data, run } of runs) {
        assert.equal(run.result.check, check, `${size} bytes: the check rx asked for`);
        assert.deepEqual({ bytes: run.result.bytes, blocks: run.result.blocks, retries: run.result.retries }, { bytes: size, blocks: blockSizes(size, maxBlock).length, retries: 0 });
        // 0 bytes: the sender sends EOT right after the start, and rx makes an empty file
        assertPadded(fs.readFileSync(path.join(run.dir, 'out.bin')), data, maxBlock, `${mode} ${size} bytes`);
      }
    });
  }

  it('ymodem to `rb -b -q`: the file has the name and the exact size from block 0, for every size', async () => {
    const runs = await Promise.all(
      SIZES.map(async (size) => {
        const name = `fw-${size}.bin`;
        const data = pattern(size, size + 1);
        return { size, name, data, run: await sendTo(rigs, { mode: 'ymodem', data, name, peer: ['rb', '-b', '-q'] }) };
      }),
    );
    for (const { size, name, data, run } of runs) {
      assert.deepEqual(fs.readdirSync(run.dir), [name], `${size} bytes: one file, named as sent`);
      const got = fs.readFileSync(path.join(run.dir, name));
      assert.equal(got.length, size, `${size} bytes: exact size, padding dropped`);
      assert.ok(got.equals(data), `${size} bytes: byte-identical`);
      assert.equal(run.result.bytes, size);
    }
  });

  it("waits through a board's console banner ('C's in it) before rx starts", async () => {
    const banner = 'U-Boot 2024.01\r\nCPU: CRC32 ok\r\nHit Ctrl-C to stop\r\n## Ready for binary (xmodem) download\r\n';
    const printf = banner.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    const data = pattern(3000, 5);
    const run = await sendTo(rigs, { mode: 'xmodem-1k', data, peer: ['sh', 'board.sh'], script: `printf '${printf}'\nexec rx -c -b -q out.bin\n` });
    assert.equal(run.noiseBytes, banner.length, 'the whole banner was read as noise');
    assert.equal(run.result.retries, 0, "no 'C' of the banner started a block rx could not take");
    assertPadded(fs.readFileSync(path.join(run.dir, 'out.bin')), data, 1024, 'after the banner');
  });

  it('paced at 115200 baud on our side, the blocks take at least their bits on the line', async () => {
    const data = pattern(4 * 1024, 9);
    const run = await sendTo(rigs, { mode: 'xmodem-1k', data, peer: ['rx', '-c', '-b', '-q', 'out.bin'], baud: 115200 });
    const wireBytes = 4 * 1029;
    const minMs = (wireBytes * 10 * 1000) / 115200;
    assert.ok(run.dataMs >= minMs * 0.98, `4 blocks took ${run.dataMs.toFixed(1)} ms, the line needs ${minMs.toFixed(1)} ms`);
    assert.ok(run.dataMs < minMs * 4, `4 blocks took ${run.dataMs.toFixed(1)} ms: far slower than the line`);
    assertPadded(fs.readFileSync(path.join(run.dir, 'out.bin')), data, 1024, 'paced');
  });

  it("a receiver on the other end that sends CAN CAN after block 3: failed with 'receiver cancelled'", async () => {
    const pair: PtyPair = await openPtyPair();
    rigs.add(() => pair.kill());
    const mgr = new Manager();
    rigs.add(() => mgr.shutdown());
    // the board side: our codec's receiver half, answering through its own serial connection
    let blocks = 0;
    const board: Connection = mgr.connect(serialUrl(pair.a), (bc, ev) => {
      if (ev !== Ev.Recv) return;
      for (;;) {
        const r = decodeSenderFrame(bc.recv.view());
        if (r.kind === 'incomplete') return;
        bc.recv.consume(r.kind === 'ok' ? r.consumed : Math.min(bc.recv.length, r.skip ?? 1));
        if (r.kind === 'ok' && r.value.kind === 'block') bc.send(++blocks === 3 ? Uint8Array.of(CAN, CAN) : Uint8Array.of(ACK));
      }
    });
    const failed: string[] = [];
    const host = mgr.connect<XmodemEvents>(serialUrl(pair.b), (_c, ev, data) => {
      if (ev === XmodemEv.Failed) failed.push(data.reason);
    });
    await within(Promise.all([board.ready, host.ready]), 5000, 'both ends of the pty');
    const sending = xmodemSend(host, { mode: 'xmodem-crc', file: bytesSource('f', pattern(2000, 3)) });
    board.send(Uint8Array.of(CRC_REQUEST));
    const err = await within(sending.then(() => undefined, (e: unknown) => e), 10_000, 'the failure');
    assert.ok(err instanceof XmodemError, String(err));
    assert.equal(err.reason, 'receiver cancelled');
    assert.equal(err.progress.blocks, 2);
    assert.deepEqual(failed, ['receiver cancelled'], 'the Failed event says the same');
    assert.equal(blocks, 3, 'nothing was sent after the cancel');
  });
});
