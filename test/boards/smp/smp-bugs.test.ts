// The SMP server's bug modes: each scenario runs on a clean board and on a board with one bug
// mode on, and the two must differ exactly where the mode's rule says.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FlashGeometry } from '../../../boards/profiles/board-profile.js';
import { SmpBug, smpBugModes } from '../../../boards/virtual/services/smp-bugs.js';
import { imageStateRequest, imageStateWriteRequest, readImageState, readUpload, smpErrorOf, type SmpResponseError } from '../../../protocols/smp/smp-groups.js';
import { smpRequest } from '../../../protocols/smp/smp-protocol.js';
import { testImage } from '../flash/test-image.js';
import { chunkRequest, type SmpBoard, type SmpBoardOptions, startSmpBoard, upload } from './smp-board-fixture.js';

const KiB = 1024;
const image = testImage({ size: 20 * KiB, version: '2.1.0', seed: 3 });
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');
/** The `err` of the answer an upload ended on (SMP v2), or what it ended on when it did not fail. */
const groupError = (r: unknown): unknown => (r instanceof Error ? (r as SmpResponseError).response.body?.err : r);

/** A small chip for the oversize case: two 24 KiB slots. */
const SMALL: FlashGeometry = {
  size: 64 * KiB,
  sectorSize: 4 * KiB,
  writeSize: 8,
  slots: { primary: { offset: 0, size: 24 * KiB }, secondary: { offset: 24 * KiB, size: 24 * KiB } },
};

describe('virtual board: SMP bug modes', function () {
  this.timeout(15000);
  const boards: SmpBoard[] = [];
  afterEach(async () => {
    await Promise.all(boards.splice(0).map((b) => b.stop()));
  });

  /** A board without UDP-unrelated parts: UDP only, answers at once. */
  async function start(bug: string | undefined, o: SmpBoardOptions = {}): Promise<SmpBoard> {
    const b = await startSmpBoard({ pty: false, ...o, bugs: bug ? [bug] : [] });
    boards.push(b);
    return b;
  }

  const slot1 = async (b: SmpBoard) => readImageState(await smpRequest(b.udp, imageStateRequest())).images.find((i) => i.slot === 1);

  it('declares six modes, each with the rule it breaks, and logs the enabled one at boot', async () => {
    assert.deepEqual(smpBugModes.map((m) => m.name).sort(), Object.values(SmpBug).sort());
    for (const m of smpBugModes) assert.ok(m.rule.length > 20 && m.service === 'smp', m.name);
    const b = await start(SmpBug.WrongOffAnswer);
    assert.ok(b.lines.some((l) => /<wrn> board: bug mode smp-wrong-off-answer is on: breaks smp_group_1\.rst/.test(l)));
  });

  it(`${SmpBug.DuplicateChunkWritten}: a retransmitted chunk is written again, at the end of the stream`, async () => {
    for (const bug of [undefined, SmpBug.DuplicateChunkWritten]) {
      const b = await start(bug);
      const one = await upload(b.udp, image.bytes, { until: 1 });
      const two = await upload(b.udp, image.bytes, { from: one.last.off, until: one.last.off + 1 });
      const again = readUpload(await smpRequest(b.udp, chunkRequest(image.bytes, one.last.off)));
      const rest = await upload(b.udp, image.bytes, { from: again.off }).catch((e: SmpResponseError) => e);
      if (!bug) {
        assert.equal(again.off, two.last.off);
        assert.equal(hex((await slot1(b))?.hash), hex(image.hash));
      } else {
        assert.equal(again.off, two.last.off + (two.last.off - one.last.off), 'the answer counts the chunk twice');
        assert.deepEqual(groupError(rest), { group: 1, rc: 24 }, 'the shifted image fails its sha');
        assert.notEqual((await slot1(b))?.bootable, true);
      }
    }
  });

  it(`${SmpBug.OffIgnored}: a chunk at another offset is appended where the board is`, async () => {
    for (const bug of [undefined, SmpBug.OffIgnored]) {
      const b = await start(bug);
      const one = await upload(b.udp, image.bytes, { until: 1 });
      const ahead = one.last.off + 512;
      const req = chunkRequest(image.bytes, ahead);
      const sent = (req.body!.data as Uint8Array).length;
      const res = readUpload(await smpRequest(b.udp, req));
      if (!bug) {
        assert.equal(res.off, one.last.off);
      } else {
        assert.equal(res.off, one.last.off + sent);
        // what was sent for offset `ahead` now sits at the board's offset (past its held partial block)
        const at = Math.ceil(one.last.off / 8) * 8;
        const skew = at - one.last.off;
        assert.deepEqual(b.service.flash.read(1, at, 256), image.bytes.subarray(ahead + skew, ahead + skew + 256));
      }
    }
  });

  it(`${SmpBug.WrongOffAnswer}: the answer's off is one write block past the data received`, async () => {
    for (const bug of [undefined, SmpBug.WrongOffAnswer]) {
      const b = await start(bug);
      const req = chunkRequest(image.bytes, 0);
      const sent = (req.body!.data as Uint8Array).length;
      const res = readUpload(await smpRequest(b.udp, req));
      assert.equal(res.off, bug ? sent + 8 : sent);
    }
  });

  it(`${SmpBug.ShaNotChecked}: an upload whose data does not match its sha is accepted and can be tested`, async () => {
    const wrongSha = new Uint8Array(createHash('sha256').update('not this image').digest());
    const edit = (body: Record<string, unknown>, off: number): void => {
      if (off === 0) body.sha = wrongSha;
    };
    for (const bug of [undefined, SmpBug.ShaNotChecked]) {
      const b = await start(bug);
      const run = await upload(b.udp, image.bytes, { edit }).catch((e: SmpResponseError) => e);
      const test = await smpRequest(b.udp, imageStateWriteRequest({ hash: image.hash, confirm: false }));
      if (!bug) {
        assert.deepEqual(groupError(run), { group: 1, rc: 24 });
        assert.notEqual(smpErrorOf(test.body), undefined);
      } else {
        assert.equal((run as { last: { match?: boolean } }).last.match, true);
        assert.equal(smpErrorOf(test.body), undefined);
        assert.equal((await slot1(b))?.pending, true);
      }
    }
  });

  it(`${SmpBug.SectorOffByOne}: each sector is erased one sector late, wiping what was written into it`, async () => {
    for (const bug of [undefined, SmpBug.SectorOffByOne]) {
      const b = await start(bug);
      // no sha: the board cannot catch the damage itself
      const run = await upload(b.udp, image.bytes, { sha: 'none' });
      assert.equal(run.last.off, image.bytes.length);
      const s = await slot1(b);
      if (!bug) {
        assert.equal(s?.bootable, true);
      } else {
        assert.notEqual(s?.bootable, true, 'the image survived a late erase');
        assert.ok(b.service.flash.read(1, 0, 32).every((x) => x === 0xff), 'the header written before its sector was erased is gone');
      }
    }
  });

  it(`${SmpBug.OversizeAccepted}: an image larger than the slot is accepted and silently truncated`, async () => {
    const big = testImage({ size: 30 * KiB, version: '2.2.0', seed: 5 });
    for (const bug of [undefined, SmpBug.OversizeAccepted]) {
      const b = await start(bug, { smp: { flash: { geometry: SMALL, factoryImage: { version: '1.0.0', size: 4 * KiB } } } });
      const area = b.service.flash.imageArea(1);
      assert.ok(big.bytes.length > area);
      const run = await upload(b.udp, big.bytes, { sha: 'none' }).catch((e: SmpResponseError) => e);
      if (!bug) {
        assert.deepEqual(groupError(run), { group: 1, rc: 30 });
      } else {
        const answers = (run as { answers: { body?: Record<string, unknown> }[] }).answers;
        assert.ok(answers.every((a) => a.body?.rc === 0));
        assert.equal(answers.at(-1)?.body?.off, big.bytes.length, 'every byte was "taken"');
        assert.notEqual((await slot1(b))?.bootable, true);
      }
    }
  });
});
