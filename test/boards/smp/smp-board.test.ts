// The virtual board's SMP server, end to end: the rig's SMP clients over the real serial driver
// (a socat pty) and real UDP, against the board's img_mgmt on its flash model.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { factoryImage } from '../../../boards/virtual/smp/board-flash.js';
import { encodeSmpSerial } from '../../../protocols/smp/smp-serial-codec.js';
import { encodeSmp, SmpGroup, type SmpMessage, SmpOp } from '../../../protocols/smp/smp-header.js';
import {
  echoRequest,
  imageEraseRequest,
  imageStateRequest,
  imageStateWriteRequest,
  mcumgrParamsRequest,
  readEcho,
  readImageState,
  readMcumgrParams,
  resetRequest,
  smpErrorOf,
  type SmpResponseError,
  uploadRequest,
} from '../../../protocols/smp/smp-groups.js';
import { SmpEv, type SmpSerialInfo, smpRequest } from '../../../protocols/smp/smp-protocol.js';
import { testImage } from '../flash/test-image.js';
import { waitFor, within } from '../../helpers/wait.js';
import { BUF_SIZE, bootNumber, chunkRequest, imageHash, type SmpBoard, startSmpBoard, upload } from './smp-board-fixture.js';

const KiB = 1024;
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');
const image100k = testImage({ size: 100 * KiB, version: '2.0.0', seed: 7 });

describe('virtual board: SMP server', function () {
  this.timeout(15000);
  let board: SmpBoard | undefined;
  afterEach(async () => {
    await board?.stop();
    board = undefined;
  });

  it('answers echo, MCUmgr parameters and unknown commands over serial and UDP, in SMP v1 and v2', async () => {
    board = await startSmpBoard();
    const frames: SmpSerialInfo[] = [];
    const { serial, udp } = board;
    const onSerial = serial.handler;
    serial.handler = (c, ev, data) => {
      if (ev === SmpEv.Message && (data as { serial?: SmpSerialInfo }).serial) frames.push((data as { serial: SmpSerialInfo }).serial);
      onSerial(c, ev, data);
    };
    const long = 'x'.repeat(300);
    assert.equal(readEcho(await smpRequest(serial, echoRequest(long))), long);
    assert.ok(frames.every((f) => f.longestLine <= 127 && f.crc === 'ok'), JSON.stringify(frames));
    const v1 = await smpRequest(udp, { ...echoRequest('v1'), version: 0 });
    assert.equal(v1.version, 0);
    assert.deepEqual(v1.body, { r: 'v1' });
    const v2 = await smpRequest(udp, echoRequest('v2'));
    assert.equal(v2.version, 1);
    // reserved Ver bits 2: MGMT_ERR_UNSUPPORTED_TOO_NEW, answered in SMP v2
    const v3 = await smpRequest(udp, { ...echoRequest('v3'), version: 2 });
    assert.deepEqual([v3.version, v3.body?.rc], [1, 13]);
    assert.deepEqual(readMcumgrParams(await smpRequest(serial, mcumgrParamsRequest())), { bufSize: 2048, bufCount: 4 });
    assert.deepEqual(readMcumgrParams(await smpRequest(udp, mcumgrParamsRequest())), { bufSize: 2048, bufCount: 4 });
    // task statistics (0/2) is not served: MGMT_ERR_ENOTSUP
    const taskStat = await smpRequest(udp, { op: SmpOp.Read, group: SmpGroup.Os, id: 2, body: {} });
    assert.deepEqual(taskStat.body?.rc, 8);
    // a group the board does not serve is not claimed as SMP: the echo service after it sends it back
    const echoed: SmpMessage[] = [];
    const onUdp = udp.handler;
    udp.handler = (c, ev, data) => {
      if (ev === SmpEv.Message) echoed.push((data as { message: SmpMessage }).message);
      onUdp(c, ev, data);
    };
    await assert.rejects(smpRequest(udp, { op: SmpOp.Write, group: 0x2a, id: 0, body: { x: 1 }, timeoutMs: 300 }), /no response within 300 ms/);
    assert.deepEqual(echoed.map((m) => [m.op, m.group, m.body]), [[SmpOp.Write, 0x2a, { x: 1 }]]);
  });

  it('rejects a request larger than buf_size with MGMT_ERR_EMSGSIZE', async () => {
    board = await startSmpBoard({ pty: false });
    const res = await smpRequest(board.udp, echoRequest('y'.repeat(BUF_SIZE)));
    assert.equal(res.body?.rc, 7);
    assert.match(String(res.body?.rsn), /does not fit the 2048-byte SMP buffer/);
  });

  it('lists the factory image in slot 0 of a fresh board, running and confirmed', async () => {
    board = await startSmpBoard({ pty: false });
    const { images } = readImageState(await smpRequest(board.udp, imageStateRequest()));
    assert.deepEqual(images, [
      { slot: 0, version: '1.0.0', hash: imageHash(factoryImage()), bootable: true, pending: false, confirmed: true, active: true, permanent: false },
    ]);
  });

  it('uploads a 100 KiB image over serial; test and reset swap it in, pending then active; confirm keeps it', async () => {
    board = await startSmpBoard();
    const c = board.serial;
    const run = await within(upload(c, image100k.bytes), 10000, 'the upload');
    assert.equal(run.last.off, image100k.bytes.length);
    assert.equal(run.last.match, true);
    assert.ok(run.answers.length > 50, `${run.answers.length} chunks for 100 KiB with buf_size 2048`);
    let list = readImageState(await smpRequest(c, imageStateRequest())).images;
    assert.equal(list.length, 2);
    assert.deepEqual(list[1], { slot: 1, version: '2.0.0', hash: image100k.hash, bootable: true, pending: false, confirmed: false, active: false, permanent: false });
    assert.equal(board.service.flash.flash.stats.doubleWrites, 0);

    list = readImageState(await smpRequest(c, imageStateWriteRequest({ hash: image100k.hash, confirm: false }))).images;
    assert.equal(list[1]?.pending, true);
    assert.equal(list[1]?.permanent, false);

    assert.deepEqual((await smpRequest(c, resetRequest())).body, {});
    await bootNumber(board, 2);
    assert.ok(board.lines.some((l) => /<inf> mcuboot: Swap type: test$/.test(l)), board.lines.join('\n'));
    list = readImageState(await smpRequest(c, imageStateRequest())).images;
    assert.deepEqual(list.map((i) => [i.slot, i.version, hex(i.hash), i.active, i.confirmed, i.pending]), [
      [0, '2.0.0', hex(image100k.hash), true, false, false],
      [1, '1.0.0', hex(imageHash(factoryImage())), false, true, false],
    ]);

    list = readImageState(await smpRequest(c, imageStateWriteRequest({ confirm: true }))).images;
    assert.equal(list[0]?.confirmed, true);
    assert.equal(list[1]?.confirmed, false);
    // confirmed: the next reset does not revert
    await smpRequest(c, resetRequest());
    await bootNumber(board, 3);
    list = readImageState(await smpRequest(c, imageStateRequest())).images;
    assert.deepEqual([list[0]?.version, list[0]?.confirmed, list[0]?.active], ['2.0.0', true, true]);
  });

  it('uploads over UDP in SMP v1: rc 0 and off in every answer, match at the end', async () => {
    board = await startSmpBoard({ pty: false });
    const run = await upload(board.udp, image100k.bytes, { version: 0 });
    for (const a of run.answers) {
      assert.equal(a.version, 0);
      assert.equal(a.body?.rc, 0);
      assert.equal(typeof a.body?.off, 'number');
    }
    assert.equal(run.answers.at(-1)?.body?.match, true);
    const list = readImageState(await smpRequest(board.udp, imageStateRequest())).images;
    assert.equal(hex(list[1]?.hash), hex(image100k.hash));
    assert.equal(list[1]?.bootable, true);
  });

  it('answers a retransmitted chunk with the expected off and does not write it again', async () => {
    board = await startSmpBoard({ pty: false });
    const file = image100k.bytes;
    const first = await upload(board.udp, file, { until: 1 });
    const second = await upload(board.udp, file, { from: first.last.off, until: first.last.off + 1 });
    const flash = board.service.flash.flash;
    const written = flash.stats.bytesWritten;
    const again = await smpRequest(board.udp, chunkRequest(file, first.last.off));
    assert.deepEqual(again.body, { rc: 0, off: second.last.off });
    assert.equal(flash.stats.bytesWritten, written, 'the retransmission was written');
    const rest = await upload(board.udp, file, { from: second.last.off });
    assert.equal(rest.last.match, true);
    assert.equal(flash.stats.doubleWrites, 0);
    assert.equal(flash.stats.corruptedBytes, 0);
    const list = readImageState(await smpRequest(board.udp, imageStateRequest())).images;
    assert.equal(list[1]?.bootable, true);
  });

  it('answers a chunk at an unexpected off with the expected off, writing nothing', async () => {
    board = await startSmpBoard({ pty: false });
    const file = image100k.bytes;
    const first = await upload(board.udp, file, { until: 1 });
    const flash = board.service.flash.flash;
    const written = flash.stats.bytesWritten;
    for (const off of [first.last.off + 512, first.last.off - 100, 7]) {
      const res = await smpRequest(board.udp, chunkRequest(file, off));
      assert.deepEqual(res.body, { rc: 0, off: first.last.off }, `chunk at ${off}`);
    }
    assert.equal(flash.stats.bytesWritten, written);
  });

  it('resumes an interrupted upload: the first chunk again, same sha and len, gets the offset reached', async () => {
    board = await startSmpBoard({ pty: false });
    const file = image100k.bytes;
    const part = await upload(board.udp, file, { until: 10 * KiB });
    const resumed = await smpRequest(board.udp, chunkRequest(file, 0));
    assert.deepEqual(resumed.body, { rc: 0, off: part.last.off });
    const rest = await upload(board.udp, file, { from: part.last.off });
    assert.equal(rest.last.match, true);
  });

  it('refuses an image larger than the slot: IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE in v2, rc in v1', async () => {
    board = await startSmpBoard({ pty: false });
    const area = board.service.flash.imageArea(1);
    const big = new Uint8Array(area + 1);
    big.set(image100k.bytes.subarray(0, 4 * KiB));
    const written = board.service.flash.flash.stats.bytesWritten;
    const v2 = await smpRequest(board.udp, uploadRequest(big, 0, 1024));
    assert.deepEqual(v2.body?.err, { group: 1, rc: 30 });
    const v1 = await smpRequest(board.udp, { ...uploadRequest(big, 0, 1024), version: 0 });
    assert.equal(v1.body?.rc, 1); // img_mgmt_translate_error_code: INVALID_IMAGE_TOO_LARGE -> MGMT_ERR_EUNKNOWN
    assert.equal(board.service.flash.flash.stats.bytesWritten, written);
    // exactly the image area fits
    const fits = await smpRequest(board.udp, uploadRequest(big.subarray(0, area), 0, 1024));
    assert.equal(smpErrorOf(fits.body), undefined);
  });

  it('checks the sha at the end: a mismatch is an error and leaves no image to test', async () => {
    board = await startSmpBoard({ pty: false });
    const wrongSha = new Uint8Array(createHash('sha256').update('another file').digest());
    const withWrongSha = (body: Record<string, unknown>, off: number): void => {
      if (off === 0) body.sha = wrongSha;
    };
    await assert.rejects(upload(board.udp, image100k.bytes, { edit: withWrongSha }), (e: SmpResponseError) => {
      assert.deepEqual(e.response.body?.err, { group: 1, rc: 24 });
      return true;
    });
    const list = readImageState(await smpRequest(board.udp, imageStateRequest())).images;
    assert.equal(list.length, 1, 'slot 1 still lists an image');
    const test = await smpRequest(board.udp, imageStateWriteRequest({ hash: image100k.hash, confirm: false }));
    assert.deepEqual(test.body?.err, { group: 1, rc: 8 });
  });

  it('erases slot 1 on request, and refuses to erase the running slot', async () => {
    board = await startSmpBoard({ pty: false });
    await upload(board.udp, image100k.bytes);
    assert.equal(readImageState(await smpRequest(board.udp, imageStateRequest())).images.length, 2);
    assert.deepEqual((await smpRequest(board.udp, imageEraseRequest())).body, { rc: 0 });
    assert.equal(readImageState(await smpRequest(board.udp, imageStateRequest())).images.length, 1);
    assert.deepEqual((await smpRequest(board.udp, imageEraseRequest(0))).body?.err, { group: 1, rc: 9 });
  });

  it('loses the upload state on a shell reboot, keeps the flash', async () => {
    board = await startSmpBoard();
    const part = await upload(board.serial, image100k.bytes, { until: 4 * KiB });
    board.serial.send(new TextEncoder().encode('reboot\r\n'));
    await bootNumber(board, 2);
    const res = await smpRequest(board.serial, chunkRequest(image100k.bytes, part.last.off));
    assert.deepEqual(res.body, { rc: 0, off: 0 });
    assert.deepEqual(board.service.flash.read(1, 0, 1024), image100k.bytes.subarray(0, 1024));
  });

  it('keeps console text working between SMP frames on the serial line', async () => {
    board = await startSmpBoard();
    const enc = new TextEncoder();
    const frame = encodeSmpSerial(encodeSmp({ op: SmpOp.Write, version: 1, flags: 0, group: 0, seq: 200, id: 0, body: { d: 'in between' } }));
    const unmatched: SmpMessage[] = [];
    const onSerial = board.serial.handler;
    board.serial.handler = (c, ev, data) => {
      if (ev === SmpEv.Unmatched) unmatched.push((data as { message: SmpMessage }).message);
      onSerial(c, ev, data);
    };
    const bytes = new Uint8Array([...enc.encode('echo before\r\n'), ...frame, ...enc.encode('echo after\r\n')]);
    board.serial.send(bytes);
    await waitFor(() => /(^|\n)after\r\n/.test(board!.serialText()) && unmatched.length === 1, 'the echo answer and both console lines');
    assert.deepEqual(unmatched[0]?.body, { r: 'in between' });
    assert.match(board.serialText(), /before\r\n[^]*after\r\n/);
    assert.doesNotMatch(board.serialText(), /command not found/);
    // and a request through the client right after a shell command
    board.serial.send(enc.encode('version\r\n'));
    assert.equal(readEcho(await smpRequest(board.serial, echoRequest('still'))), 'still');
    await waitFor(() => /hilrig virtual board v/.test(board!.serialText()), 'the version line');
  });

  it('delays each answer by the flash time on the board clock (flashTimeScale 1)', async () => {
    board = await startSmpBoard({ pty: false, smp: { flashTimeScale: 1 } });
    const t0 = Date.now();
    await smpRequest(board.udp, chunkRequest(image100k.bytes, 0));
    const firstChunk = Date.now() - t0;
    // one sector erased (85 ms) and ~1.9 KiB programmed (~20 ms) on an nRF52840
    assert.ok(firstChunk >= 100, `the first chunk was answered after ${firstChunk} ms`);
    const t1 = Date.now();
    readEcho(await smpRequest(board.udp, echoRequest('quick')));
    assert.ok(Date.now() - t1 < firstChunk, 'an echo waits for no flash');
  });
});
