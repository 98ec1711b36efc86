// `hilrig image`: info on image files (built here the way imgtool lays them out), and the
// mcumgr-style commands against the virtual board's SMP server over UDP, through the bundled CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSmpService, type SmpService } from '../../boards/virtual/services/smp.js';
import type { RunningBoard } from '../../boards/virtual/virtual-board.js';
import { buildTestImage, TlvType } from '../../protocols/mcuboot/image.js';
import { CLI } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { payload, startBoard, tempFiles, type TempFiles, testImageBytes } from '../upload/upload-fixtures.js';

function hilrig(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'image', ...args], { timeout: 20000, encoding: 'utf8' }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

describe('hilrig image (CLI)', function () {
  this.timeout(30000);
  let files: TempFiles;
  beforeEach(() => {
    files = tempFiles('hilrig-image-cli-');
  });
  afterEach(() => files.remove());

  describe('info', () => {
    it('shows header, version, sizes, TLVs, the hash and that it verifies (exit 0)', async () => {
      const img = buildTestImage({ version: '1.2.3+4', payload: payload(4000), headerSize: 0x200, protectedTlvs: [{ type: TlvType.SEC_CNT, value: Uint8Array.of(7, 0, 0, 0) }] });
      const r = await hilrig(['info', files.write('app.signed.bin', img)]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^MCUboot image, ${img.length} bytes$`, 'm'));
      assert.match(r.out, /^ {2}version {8}1\.2\.3\+4$/m);
      assert.match(r.out, /^ {2}header {9}512 bytes, flags 0x00000000$/m);
      assert.match(r.out, /^ {2}body {11}4000 bytes$/m);
      assert.match(r.out, /^ {2}TLVs {11}SEC_CNT \(protected\) 4 B, SHA256 32 B$/m);
      assert.match(r.out, /^ {2}SHA256 {9}[0-9a-f]{64} \(matches the image\)$/m);
      assert.match(r.out, /^ {2}file sha256 {4}[0-9a-f]{64} \(what an SMP upload announces\)$/m);
      assert.match(r.out, /^ {2}verifies {7}yes$/m);
    });

    it('an image changed after it was built does not verify (exit 1)', async () => {
      const img = testImageBytes(2);
      img[40] ^= 1;
      const r = await hilrig(['info', files.write('bad.bin', img)]);
      assert.equal(r.code, 1);
      assert.match(r.out, /MISMATCH: the image hashes to [0-9a-f]{64}/);
      assert.match(r.out, /^ {2}verifies {7}NO$/m);
    });

    it('a file that is not an image says which rule (exit 2)', async () => {
      const r = await hilrig(['info', files.write('blob.bin', payload(100))]);
      assert.equal(r.code, 2);
      assert.match(r.out, /not a valid MCUboot image: at byte 0: .*ih_magic must be 0x96f3b83d/);
    });

    it('usage: a missing file, an option that is not for info, an unknown action', async () => {
      assert.match((await hilrig(['info', '/nonexistent/x.bin'])).err, /cannot read \/nonexistent\/x\.bin: ENOENT/);
      assert.match((await hilrig(['info', 'x', '--target', 'udp://h'])).err, /--target is not for info/);
      const r = await hilrig(['flash', 'x']);
      assert.equal(r.code, 2);
      assert.match(r.err, /expected an action first: info\|list\|test\|confirm\|erase\|reset, got "flash"/);
    });
  });

  describe('on the virtual board over UDP', () => {
    let board: RunningBoard;
    let smp: SmpService;
    beforeEach(async () => {
      smp = createSmpService({ flashTimeScale: 0 });
      board = await startBoard([smp]);
    });
    afterEach(() => board.stop());

    it('list prints the slots as a table: image, slot, version, the five flags, the hash', async () => {
      const r = await hilrig(['list', '--target', board.endpoints.udp!]);
      assert.equal(r.code, 0, r.err);
      const [head, row] = r.out.split('\n');
      assert.match(head!, /^image {2}slot {2}version {2}bootable {2}pending {2}confirmed {2}active {2}permanent {2}hash$/);
      assert.match(row!, /^0 {6}0 {5}1\.0\.0 {4}yes {7}no {7}yes {8}yes {5}no {9}[0-9a-f]{64}$/);
      const json = JSON.parse((await hilrig(['list', '--json', '--target', board.endpoints.udp!])).out) as { images: { slot: number; hash: string; active: boolean }[] };
      assert.equal(json.images[0]!.slot, 0);
      assert.equal(json.images[0]!.active, true);
      assert.match(json.images[0]!.hash, /^[0-9a-f]{64}$/);
    });

    it('test HASH marks an uploaded image pending; a hash the board does not hold is refused (exit 1)', async () => {
      const img = testImageBytes(16, '2.0.0');
      const up = await new Promise<number>((resolve) => execFile(process.execPath, [CLI, 'upload', '--target', board.endpoints.udp!, files.write('a.bin', img)], (e) => resolve(e ? Number(e.code) : 0)));
      assert.equal(up, 0);
      const hash = Buffer.from(smp.flash.imageList().find((i) => i.slot === 1)!.hash!).toString('hex');
      const r = await hilrig(['test', hash, '--target', board.endpoints.udp!]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^0 +1 +2\\.0\\.0 +yes +yes +no +no +no +${hash}$`, 'm'));
      const unknown = await hilrig(['test', 'ab'.repeat(32), '--target', board.endpoints.udp!]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /IMG_MGMT_ERR_HASH_NOT_FOUND/);
      const bad = await hilrig(['test', 'xyz', '--target', board.endpoints.udp!]);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /hash "xyz": expected the image's SHA-256 as 64 hex digits/);
    });

    it('erase empties slot 1; reset resets the board', async () => {
      const up = await new Promise<number>((resolve) => execFile(process.execPath, [CLI, 'upload', '--target', board.endpoints.udp!, files.write('a.bin', testImageBytes(8))], (e) => resolve(e ? Number(e.code) : 0)));
      assert.equal(up, 0);
      assert.match((await hilrig(['list', '--target', board.endpoints.udp!])).out, /^0 +1 +2\.3\.4\.5 /m);
      const e = await hilrig(['erase', '--target', board.endpoints.udp!]);
      assert.equal(e.code, 0, e.err);
      assert.equal(e.out, 'slot 1 erased\n');
      assert.doesNotMatch((await hilrig(['list', '--target', board.endpoints.udp!])).out, /^0 +1 /m);
      const boots = board.runtime.bootCount();
      const r = await hilrig(['reset', '--target', board.endpoints.udp!]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, 'the board is resetting\n');
      await waitFor(() => board.runtime.bootCount() === boots + 1, 'the board to reset');
    });
  });
});
