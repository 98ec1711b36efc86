// The SMP uploader against a board over real parts: the virtual board's UDP socket on
// 127.0.0.1 and its console on a socat pty pair, with an SMP server that answers as Zephyr's
// img_mgmt does. Every upload ends byte-checked twice: the uploader's own verification (the
// image list shows the image's hash in slot 1) and the test's comparison of slot 1's bytes.
import assert from 'node:assert/strict';
import type { RunningBoard } from '../../boards/virtual/virtual-board.js';
import { serialDriver } from '../../drivers/serial/serial-driver.js';
import { udpDriver } from '../../drivers/udp/udp-driver.js';
import { parseImage, TlvType } from '../../protocols/mcuboot/image.js';
import { upload, type UploadRequest } from '../../rig/upload/upload.js';
import { UploadError } from '../../rig/upload/upload-errors.js';
import { within } from '../helpers/wait.js';
import { fakeSmpService, type FakeSmp } from './fake-smp-service.js';
import { cuttable, payload, recordProgress, type RecordedProgress, startBoard, tempFiles, type TempFiles, testImageBytes } from './upload-fixtures.js';

const hashOf = (image: Uint8Array): Uint8Array => {
  const r = parseImage(image);
  if (r.kind !== 'ok') throw new Error('test image does not parse');
  return r.value.tlvs.find((t) => t.type === TlvType.SHA256)!.value;
};

describe('SMP upload (rig/upload) against a board', function () {
  this.timeout(60000);
  let board: RunningBoard | undefined;
  let files: TempFiles;
  beforeEach(() => {
    files = tempFiles();
  });
  afterEach(async () => {
    await board?.stop();
    board = undefined;
    files.remove();
  });

  async function boot(fake: FakeSmp, link: 'udp' | 'serial'): Promise<string> {
    board = await startBoard([fake.service], link === 'serial' ? { udp: false, pty: true } : {});
    return link === 'serial' ? `${board.endpoints.serial!}?baud=115200` : board.endpoints.udp!.replace(/^udp:\/\//, 'udp://');
  }

  function run(target: string, file: string, extra: Partial<UploadRequest> = {}, progress: RecordedProgress = recordProgress()): Promise<Awaited<ReturnType<typeof upload>>> {
    return within(upload({ file, target, protocol: 'smp', progress, timeoutMs: 2000, reconnectMs: 10000, ...extra }), 50000, `upload of ${file} to ${target}`);
  }

  for (const link of ['udp', 'serial'] as const) {
    for (const window of [1, 4]) {
      it(`${link}: a ${link === 'udp' ? 192 : 96} KiB image with window ${window} lands byte for byte in slot 1, verified by its hash`, async () => {
        const fake = fakeSmpService({ bufSize: link === 'udp' ? 2048 : 1024, bufCount: 8 });
        const target = await boot(fake, link);
        const image = testImageBytes(link === 'udp' ? 192 : 96);
        const progress = recordProgress();
        const s = await run(target, files.write('app.signed.bin', image), { window }, progress);
        assert.equal(s.verdict.ok, true, s.verdict.detail);
        assert.equal(s.verdict.checked, true);
        assert.match(s.verdict.detail, new RegExp(`slot 1 holds the image \\(version 2\\.3\\.4\\+5, hash ${Buffer.from(hashOf(image)).toString('hex')}`));
        assert.deepEqual(fake.slot1()?.bytes, image);
        assert.equal(fake.slot1()?.bootable, true);
        assert.equal(s.bytes, image.length);
        assert.ok(s.seconds > 0);
        assert.match(progress.notes[1]!, new RegExp(`window ${window} \\(board: buf_size ${link === 'udp' ? 2048 : 1024}, buf_count 8; --window ${window}\\)`));
        // no resends on a clean link: each offset once, every request within the board's buffer
        assert.equal(new Set(fake.offsets).size, fake.offsets.length);
        assert.deepEqual(fake.oversize, []);
        assert.equal(progress.updates.at(-1), image.length);
      });
    }
  }

  it('sizes chunks from buf_size and the window from buf_count - 1; every request fits the buffer', async () => {
    const fake = fakeSmpService({ bufSize: 512, bufCount: 4 });
    const target = await boot(fake, 'udp');
    const image = testImageBytes(64);
    const progress = recordProgress();
    const s = await run(target, files.write('a.bin', image), {}, progress);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.match(progress.notes[1]!, /window 3 \(board: buf_size 512, buf_count 4\)/);
    const [, rest] = /smp: (\d+)-byte chunks/.exec(progress.notes[1]!)!;
    assert.ok(Number(rest) > 400 && Number(rest) < 512, `chunk ${rest} for a 512-byte buffer`);
    assert.deepEqual(fake.oversize, []);
  });

  it('serial: the packet (length, message, CRC) fits buf_size too', async () => {
    const fake = fakeSmpService({ bufSize: 300, bufCount: 2 });
    const target = await boot(fake, 'serial');
    const image = testImageBytes(16);
    const s = await run(target, files.write('a.bin', image));
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(fake.oversize, []);
    assert.deepEqual(fake.slot1()?.bytes, image);
  });

  it('falls back to 128-byte chunks and window 1 when the board does not answer MCUmgr parameters', async () => {
    const fake = fakeSmpService({ params: false });
    const target = await boot(fake, 'udp');
    const image = testImageBytes(16);
    const progress = recordProgress();
    const s = await run(target, files.write('a.bin', image), {}, progress);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.match(progress.notes[1]!, /smp: 128-byte chunks \(128 in the first\), window 1 \(defaults/);
    assert.deepEqual(fake.slot1()?.bytes, image);
  });

  for (const link of ['udp', 'serial'] as const) {
    it(`${link}: resumes at the board's offset after our side of the link is closed mid-upload`, async () => {
      const fake = fakeSmpService({ bufSize: 1024, bufCount: 4 });
      const target = await boot(fake, link);
      const image = testImageBytes(128);
      const driver = cuttable(link === 'udp' ? udpDriver : serialDriver);
      const progress = recordProgress();
      let cutAt = -1;
      progress.onUpdate = (done) => {
        if (cutAt < 0 && done > image.length * 0.4) {
          cutAt = done;
          assert.ok(driver.cut());
        }
      };
      const s = await run(target, files.write('a.bin', image), { drivers: { [link]: driver } }, progress);
      assert.equal(s.verdict.ok, true, s.verdict.detail);
      assert.deepEqual(fake.slot1()?.bytes, image);
      assert.equal(driver.connects, 2, 'the link was opened again once');
      // the second first-chunk was answered with where the board stood, not taken as a new upload
      const restartIdx = fake.offsets.lastIndexOf(0);
      assert.ok(restartIdx > 0, 'a second first chunk came');
      const resumed = progress.notes.find((n) => /answered the chunk at 0 with off (\d+)/.test(n));
      assert.ok(resumed, progress.notes.join('\n'));
      const resumedAt = Number(/with off (\d+)/.exec(resumed)![1]);
      assert.ok(resumedAt >= cutAt && resumedAt < image.length, `resumed at ${resumedAt}, cut at ${cutAt}`);
      assert.ok(s.notes[0]!.includes('1 reconnects'), s.notes[0]);
      // what went twice is at most the window in flight when the plug was pulled
      assert.equal(fake.offsets.filter((o) => o > 0 && o < resumedAt).length, new Set(fake.offsets.filter((o) => o > 0 && o < resumedAt)).size);
    });
  }

  it('serial: a port that stays away for a while is reopened with retries; the upload resumes', async () => {
    const fake = fakeSmpService({ bufSize: 1024, bufCount: 4 });
    const target = await boot(fake, 'serial');
    const image = testImageBytes(64);
    const driver = cuttable(serialDriver);
    const progress = recordProgress();
    let cut = false;
    progress.onUpdate = (done) => {
      if (!cut && done > image.length / 3) {
        cut = driver.cut();
        driver.refuse = 3;
      }
    };
    const s = await run(target, files.write('a.bin', image), { drivers: { serial: driver } }, progress);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(fake.slot1()?.bytes, image);
    assert.equal(driver.connects, 1 + 3 + 1, 'three failed opens, then one that worked');
    assert.ok(progress.notes.some((n) => /link lost \(.*cut by the test\)\); reopening serial:\/\/.* for up to 10 s/.test(n)), progress.notes.join('\n'));
  });

  it('serial: a port that does not come back within --reconnect is a link error', async () => {
    const fake = fakeSmpService({ bufSize: 1024, bufCount: 4 });
    const target = await boot(fake, 'serial');
    const image = testImageBytes(64);
    const driver = cuttable(serialDriver);
    const progress = recordProgress();
    progress.onUpdate = (done) => {
      if (driver.refuse === 0 && done > image.length / 3) {
        driver.refuse = Infinity;
        driver.cut();
      }
    };
    const t0 = Date.now();
    await assert.rejects(run(target, files.write('a.bin', image), { drivers: { serial: driver }, reconnectMs: 1000 }, progress), (e: unknown) => {
      assert.ok(e instanceof UploadError);
      assert.equal(e.kind, 'link');
      assert.match(e.message, /the link did not come back before the deadline: cannot open serial:\/\/.*no such port/);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
  });

  it('serial: a board reset mid-upload (reboot on its console) restarts the upload, which completes', async () => {
    let rebooted = false;
    const fake = fakeSmpService({
      bufSize: 1024,
      bufCount: 4,
      onChunk: (off, ctx) => {
        if (!rebooted && off > 48 * 1024) {
          rebooted = true;
          ctx.reboot();
        }
      },
    });
    const target = await boot(fake, 'serial');
    const image = testImageBytes(96);
    const progress = recordProgress();
    const s = await run(target, files.write('a.bin', image), { window: 3 }, progress);
    assert.ok(rebooted);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(fake.slot1()?.bytes, image);
    assert.ok(progress.notes.some((n) => /with off 0 \(it lost the upload: a reset\?\)/.test(n)), progress.notes.join('\n'));
    assert.match(s.notes[0]!, /[1-9]\d* restarts/);
  });

  it('udp: a board reset through the board API mid-upload restarts it too', async () => {
    const fake = fakeSmpService({ bufSize: 2048, bufCount: 4 });
    const target = await boot(fake, 'udp');
    const image = testImageBytes(128);
    const progress = recordProgress();
    let rebooted = false;
    progress.onUpdate = (done) => {
      if (!rebooted && done > image.length / 2) {
        rebooted = true;
        board!.runtime.reboot();
      }
    };
    const s = await run(target, files.write('a.bin', image), {}, progress);
    assert.ok(rebooted);
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.deepEqual(fake.slot1()?.bytes, image);
  });

  it('refuses a file that is not an MCUboot image, naming the magic; --raw sends it and the board checks the sha', async () => {
    const fake = fakeSmpService();
    const target = await boot(fake, 'udp');
    const blob = files.write('blob.bin', payload(10_000, 3));
    await assert.rejects(run(target, blob), (e: unknown) => {
      assert.ok(e instanceof UploadError);
      assert.equal(e.kind, 'usage');
      assert.match(e.message, /blob\.bin is not an MCUboot image: .*ih_magic must be 0x96f3b83d.*magic 0x96f3b83d \(bytes 3d b8 f3 96\).*Pass --raw/);
      return true;
    });
    assert.equal(fake.offsets.length, 0, 'nothing was sent');
    const s = await run(target, blob, { raw: true });
    assert.equal(s.verdict.ok, true);
    assert.equal(s.verdict.checked, true);
    assert.match(s.verdict.detail, /"match": true/);
    assert.deepEqual(fake.slot1()?.bytes, payload(10_000, 3));
  });

  it('refuses an image whose SHA-256 TLV does not match its contents', async () => {
    const fake = fakeSmpService();
    const target = await boot(fake, 'udp');
    const image = testImageBytes(8);
    image[100] ^= 0xff;
    await assert.rejects(run(target, files.write('bad.bin', image)), /SHA256 TLV \([0-9a-f]{64}\) does not match its contents/);
    assert.equal(fake.offsets.length, 0);
  });

  it('a board that does not answer is a link error, quickly', async () => {
    // the board runs only the shell: UDP datagrams go nowhere
    board = await startBoard([]);
    const image = files.write('a.bin', testImageBytes(4));
    const t0 = Date.now();
    await assert.rejects(run(board.endpoints.udp!, image, { timeoutMs: 300 }), (e: unknown) => {
      assert.ok(e instanceof UploadError);
      assert.equal(e.kind, 'link');
      assert.match(e.message, /no SMP answer from udp:\/\/127\.0\.0\.1:\d+/);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
  });
});
