// The SMP uploader against the virtual board's own SMP server (boards/virtual/services/smp.ts:
// Zephyr's img_mgmt rules on a NOR flash model with MCUboot's slots), over its UDP socket and its
// console pty. The uploader's verdict comes from the board's image list; the test also reads the
// secondary slot back from the flash model and compares bytes.
import assert from 'node:assert/strict';
import { createSmpService, type SmpService } from '../../boards/virtual/services/smp.js';
import type { RunningBoard } from '../../boards/virtual/virtual-board.js';
import { impairDriver } from '../../drivers/impair/impair-driver.js';
import { serialDriver } from '../../drivers/serial/serial-driver.js';
import { udpDriver } from '../../drivers/udp/udp-driver.js';
import { parseImage, TlvType } from '../../protocols/mcuboot/image.js';
import { IoBuf } from '../../rig/engine/iobuf.js';
import { runImageAction } from '../../rig/upload/smp-image-commands.js';
import { upload, type UploadRequest } from '../../rig/upload/upload.js';
import { waitFor, within } from '../helpers/wait.js';
import { cuttable, recordProgress, type RecordedProgress, startBoard, tempFiles, type TempFiles, testImageBytes } from './upload-fixtures.js';

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '-');
const imageHash = (image: Uint8Array): Uint8Array => {
  const r = parseImage(image);
  if (r.kind !== 'ok') throw new Error('test image does not parse');
  return r.value.tlvs.find((t) => t.type === TlvType.SHA256)!.value;
};

describe('SMP upload against the virtual board SMP server', function () {
  this.timeout(60000);
  let board: RunningBoard | undefined;
  let smp: SmpService;
  let files: TempFiles;
  beforeEach(() => {
    files = tempFiles();
    // answers as soon as the flash model has done its work: no 100 ms board polls per chunk
    smp = createSmpService({ flashTimeScale: 0 });
  });
  afterEach(async () => {
    await board?.stop();
    board = undefined;
    files.remove();
  });

  async function boot(link: 'udp' | 'serial', opts: { powerCutAt?: number } = {}): Promise<string> {
    board = await startBoard([smp], link === 'serial' ? { udp: false, pty: true, ...opts } : opts);
    return link === 'serial' ? `${board.endpoints.serial!}?baud=115200` : board.endpoints.udp!;
  }

  function run(target: string, file: string, extra: Partial<UploadRequest> = {}, progress: RecordedProgress = recordProgress()): ReturnType<typeof upload> {
    return within(upload({ file, target, protocol: 'smp', progress, timeoutMs: 2000, reconnectMs: 10000, ...extra }), 50000, `upload to ${target}`);
  }

  const slot1 = (n: number): Uint8Array => smp.flash.read(1, 0, n);

  for (const link of ['udp', 'serial'] as const) {
    for (const window of [1, 3]) {
      it(`${link}, window ${window}: a 200 KiB image lands in slot 1; the image list shows its hash, bootable`, async () => {
        const target = await boot(link);
        const image = testImageBytes(200, '3.1.0+9', window);
        const s = await run(target, files.write('app.signed.bin', image), { window });
        assert.equal(s.verdict.ok, true, s.verdict.detail);
        assert.match(s.verdict.detail, new RegExp(`slot 1 holds the image \\(version 3\\.1\\.0[.+]9, hash ${hex(imageHash(image))}\\)$`));
        assert.deepEqual(slot1(image.length), image);
        const list = await runImageAction({ kind: 'list' }, { target });
        assert.equal(list.kind, 'state');
        const s1 = list.kind === 'state' ? list.state.images.find((i) => i.slot === 1) : undefined;
        assert.equal(hex(s1?.hash), hex(imageHash(image)));
        assert.equal(s1?.bootable, true);
      });
    }
  }

  it('udp: the chunks fill the board\'s 2048-byte buffer and the window is buf_count - 1', async () => {
    const target = await boot('udp');
    const progress = recordProgress();
    const s = await run(target, files.write('a.bin', testImageBytes(64)), {}, progress);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    const plan = progress.notes.find((n) => n.startsWith('smp: ') && n.includes('chunks'))!;
    assert.match(plan, /window 3 \(board: buf_size 2048, buf_count 4\)/);
    assert.ok(Number(/(\d+)-byte chunks/.exec(plan)![1]) > 1900, plan);
  });

  it('udp over a bad link (5% loss, 5% duplicates, 5% reordered, both ways): window 4 still lands every byte', async () => {
    const target = await boot('udp');
    const image = testImageBytes(200, '1.0.1', 3);
    const driver = impairDriver(udpDriver, { loss: 0.05, duplicate: 0.05, reorder: 0.05, seed: 20240601 });
    const s = await run(target, files.write('a.bin', image), { window: 4, timeoutMs: 300, drivers: { udp: driver } });
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(slot1(image.length), image);
    assert.match(s.notes[0]!, /[1-9]\d* timeouts/);
  });

  it('serial: resumes at the board\'s offset after our side of the port is closed mid-upload', async () => {
    const target = await boot('serial');
    const image = testImageBytes(160);
    const driver = cuttable(serialDriver);
    const progress = recordProgress();
    let cut = false;
    progress.onUpdate = (done) => {
      if (!cut && done > image.length / 2) cut = driver.cut();
    };
    const s = await run(target, files.write('a.bin', image), { drivers: { serial: driver } }, progress);
    assert.ok(cut);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(slot1(image.length), image);
    const resumed = progress.notes.find((n) => /answered the chunk at 0 with off [1-9]\d*; going on/.test(n));
    assert.ok(resumed, progress.notes.join('\n'));
    assert.match(s.notes[0]!, /0 restarts, 1 reconnects/);
  });

  it('serial: `reboot` typed on the console mid-upload makes the board forget the upload; it starts over and completes', async () => {
    const target = await boot('serial');
    const image = testImageBytes(160);
    const progress = recordProgress();
    let rebooted = false;
    progress.onUpdate = (done) => {
      if (!rebooted && done > image.length / 2) {
        rebooted = true;
        // the line as the board's console receives it (the uploader holds the port itself)
        const typed = new IoBuf();
        typed.append(new TextEncoder().encode('reboot\n'));
        board!.runtime.serialInput(typed);
      }
    };
    const s = await run(target, files.write('a.bin', image), {}, progress);
    assert.ok(rebooted);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(slot1(image.length), image);
    assert.match(s.notes[0]!, /[1-9]\d* restarts/);
    assert.equal(board!.runtime.bootCount(), 2);
  });

  it('udp: a power cut in the middle of a flash write resets the board; the upload starts over and completes', async () => {
    const target = await boot('udp', { powerCutAt: 100 * 1024 });
    const image = testImageBytes(200);
    const progress = recordProgress();
    const s = await run(target, files.write('a.bin', image), {}, progress);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(slot1(image.length), image);
    assert.ok(board!.runtime.bootCount() >= 2, 'the board reset');
    assert.ok(progress.notes.some((n) => /off 0 \(it lost the upload/.test(n) || /no answer/.test(n)), progress.notes.join('\n'));
  });

  it('image test then list: slot 1 pending; reset boots it (active); confirm makes it permanent', async () => {
    const target = await boot('udp');
    const image = testImageBytes(32, '4.0.0');
    const s = await run(target, files.write('a.bin', image));
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    const hash = imageHash(image);
    const tested = await runImageAction({ kind: 'test', hash }, { target });
    const pending = tested.kind === 'state' ? tested.state.images.find((i) => i.slot === 1) : undefined;
    assert.equal(pending?.pending, true);
    const boots = board!.runtime.bootCount();
    assert.deepEqual(await runImageAction({ kind: 'reset' }, { target }), { kind: 'done', what: 'the board is resetting' });
    await waitFor(() => board!.runtime.bootCount() > boots, 'the board to reset');
    const after = await runImageAction({ kind: 'list' }, { target });
    const active = after.kind === 'state' ? after.state.images.find((i) => i.active) : undefined;
    assert.equal(active?.version, '4.0.0');
    assert.equal(active?.confirmed, false);
    const confirmed = await runImageAction({ kind: 'confirm' }, { target });
    const now = confirmed.kind === 'state' ? confirmed.state.images.find((i) => i.active) : undefined;
    assert.equal(now?.confirmed, true);
  });
});
