// CoAP uploads (Block1, Q-Block1) to the virtual board's /large-update over UDP and over slipmux
// on its console pty, each read back with GET and compared; the board's 64 KiB limit answered
// 4.13 is the board refusing (a board error, exit 1 in the CLI).
import assert from 'node:assert/strict';
import { createCoapService } from '../../boards/virtual/services/coap.js';
import type { RunningBoard } from '../../boards/virtual/virtual-board.js';
import { coapUploadUri } from '../../rig/upload/coap-upload.js';
import { upload } from '../../rig/upload/upload.js';
import { UploadError } from '../../rig/upload/upload-errors.js';
import { within } from '../helpers/wait.js';
import { payload, recordProgress, startBoard, tempFiles, type TempFiles } from './upload-fixtures.js';

const coapOf = (udp: string): string => udp.replace(/^udp:/, 'coap:');

describe('CoAP upload (rig/upload) to the virtual board', function () {
  this.timeout(30000);
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

  it('Block1 PUT of 60 KiB to /large-update; GET returns the same bytes', async () => {
    board = await startBoard([createCoapService()]);
    const data = payload(60 * 1024, 11);
    const progress = recordProgress();
    const s = await within(upload({ file: files.write('blob.bin', data), target: `${coapOf(board.endpoints.udp!)}/large-update`, protocol: 'coap', progress }), 20000, 'the upload');
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.equal(s.verdict.checked, true);
    assert.match(s.verdict.detail, /^GET \/large-update returns the 61440 bytes uploaded/);
    assert.match(s.notes[0]!, /^Block1: 60 blocks, 60 round trips/);
    assert.equal(progress.updates.at(-1), data.length);
  });

  it('Q-Block1 with --resource and 512-byte blocks; read back the same', async () => {
    board = await startBoard([createCoapService()]);
    const data = payload(40_000, 12);
    const s = await within(upload({ file: files.write('blob.bin', data), target: coapOf(board.endpoints.udp!), resource: 'large-update', protocol: 'coap', qblock: true, chunk: 512, progress: recordProgress() }), 20000, 'the upload');
    assert.equal(s.verdict.ok, true, s.verdict.detail);
    assert.match(s.notes[0]!, /^Q-Block1: 79 blocks, \d+ round trips/);
  });

  it('over slipmux on the console pty (coap+serial) too', async () => {
    board = await startBoard([createCoapService()], { udp: false, pty: true });
    const data = payload(20_000, 13);
    const dev = board.endpoints.serial!.replace(/^serial:\/\//, '');
    const s = await within(upload({ file: files.write('blob.bin', data), target: `coap+serial://${dev}/large-update?baud=115200`, protocol: 'coap', progress: recordProgress() }), 20000, 'the upload');
    assert.equal(s.verdict.ok, true, s.verdict.detail);
  });

  it('a body over the board\'s limit is refused with 4.13 (a board error); a raised limit takes it', async () => {
    board = await startBoard([createCoapService()]);
    const big = files.write('big.bin', payload(70 * 1024, 14));
    await assert.rejects(upload({ file: big, target: `${coapOf(board.endpoints.udp!)}/large-update`, protocol: 'coap', progress: recordProgress() }), (e: unknown) => {
      assert.ok(e instanceof UploadError);
      assert.equal(e.kind, 'board');
      assert.match(e.message, /4\.13/);
      return true;
    });
    await board.stop();
    board = await startBoard([createCoapService({ maxBodyBytes: 128 * 1024 })]);
    const s = await upload({ file: big, target: `${coapOf(board.endpoints.udp!)}/large-update`, protocol: 'coap', progress: recordProgress() });
    assert.equal(s.verdict.ok, true, s.verdict.detail);
  });

  it('a target without a resource path is a usage error; --resource fills it in', async () => {
    assert.equal(coapUploadUri('coap://h:5683', 'fw'), 'coap://h:5683/fw');
    assert.equal(coapUploadUri('coap://h/old?x=1', '/new'), 'coap://h/new?x=1');
    assert.equal(coapUploadUri('coap+serial:///dev/ttyUSB0?baud=9600', 'fw'), 'coap+serial:///dev/ttyUSB0/fw?baud=9600');
    await assert.rejects(upload({ file: files.write('a.bin', payload(10)), target: 'coap://127.0.0.1', protocol: 'coap', progress: recordProgress() }), /which resource\? Give a path/);
  });
});
