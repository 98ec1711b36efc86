// MCUboot's slots on the virtual board's flash: the image list a board answers, test and
// confirm, the swap at reset and its revert, and uploads cut short by a reset or a power cut.
import assert from 'node:assert/strict';
import { virtualProfile } from '../../../boards/profiles/virtual.js';
import {
  BOOT_MAGIC,
  FlashRuleError,
  FlashSlots,
  flashFromGeometry,
  type ImageSlotState,
  isPowerLoss,
  NorFlash,
  type SlotId,
  SlotWriter,
} from '../../../boards/virtual/flash/index.js';
import { type TestImage, testImage } from './test-image.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const board = (): FlashSlots => flashFromGeometry(virtualProfile.flash!);
const v1 = testImage({ size: 20_000, version: '1.0.0', seed: 1 });
const v2 = testImage({ size: 30_001, version: '1.2.3+4', seed: 2 });

/** Upload as img_mgmt does: stream in chunks, each sector erased when first reached. */
function upload(s: FlashSlots, slot: SlotId, img: Uint8Array, chunk = 487): void {
  const w = new SlotWriter(s, slot);
  for (let at = 0; at < img.length; at += chunk) w.write(img.subarray(at, at + chunk));
  w.finish();
}

/** What a programmer does at the factory: the image in slot 0, its trailer left erased. */
function factory(img: TestImage = v1): FlashSlots {
  const s = board();
  upload(s, 0, img.bytes);
  return s;
}

/** The list as [slot, version, flags...] rows, for assertions that read like the SMP answer. */
function rows(s: FlashSlots): string[] {
  return s.imageList().map((e: ImageSlotState) =>
    [`slot${e.slot}`, e.version, ...(['bootable', 'pending', 'confirmed', 'active', 'permanent'] as const).filter((k) => e[k])].join(' '),
  );
}

describe('virtual board flash: MCUboot slots', () => {
  it('lists nothing for empty slots, and the factory image as active and confirmed', () => {
    assert.deepEqual(board().imageList(), []);
    const s = factory();
    const [e] = s.imageList();
    assert.deepEqual(e, {
      image: 0, slot: 0, version: '1.0.0', hash: v1.hash, bootable: true, pending: false, confirmed: true, active: true, permanent: false,
    });
  });

  it('lists a complete image in slot 1 with its version and SHA-256 TLV, not pending until tested', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    const e = s.imageList()[1];
    assert.equal(e?.version, '1.2.3.4');
    assert.deepEqual(e?.hash, v2.hash);
    assert.deepEqual(rows(s), ['slot0 1.0.0 bootable confirmed active', 'slot1 1.2.3.4 bootable']);
  });

  it('checks an image with protected TLVs and a padded header the way MCUboot hashes it', () => {
    const s = board();
    const img = testImage({ headerSize: 0x200, protectedTlv: true, version: '3.1.0' });
    upload(s, 1, img.bytes);
    assert.deepEqual(s.imageList()[0]?.hash, img.hash);
    assert.equal(s.imageList()[0]?.bootable, true);
  });

  it('shows a partial image as not bootable, without a hash, and will not test it', () => {
    const s = factory();
    upload(s, 1, v2.bytes.subarray(0, 12_000));
    const e = s.imageList()[1];
    assert.equal(e?.bootable, false);
    assert.equal(e?.hash, undefined);
    assert.match(e?.problem ?? '', /no TLV area.*incomplete/);
    assert.deepEqual(s.markPending(v2.hash, false), { ok: false, reason: 'hash-not-found', message: 'no slot holds an image with that hash' });
  });

  it('shows an image with a hole (every byte but a skipped chunk) as not bootable, and will not test it', () => {
    const s = factory();
    const holed = v2.bytes.slice();
    holed.fill(0xff, 8000, 8512); // as if that chunk never arrived
    upload(s, 1, holed);
    const e = s.imageList()[1];
    assert.equal(e?.bootable, false);
    assert.deepEqual(e?.hash, v2.hash, 'the TLV is there');
    assert.match(e?.problem ?? '', /SHA-256 does not match/);
    const r = s.markPending(v2.hash, false);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'image-invalid');
    assert.equal(s.swapType(), 'none');
  });

  it('shows an image corrupted by a double write as not bootable', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    s.write(1, 4096, new Uint8Array(8)); // programmed over, without an erase
    assert.equal(s.flash.stats.doubleWrites, 1);
    assert.deepEqual(rows(s), ['slot0 1.0.0 bootable confirmed active', 'slot1 1.2.3.4']);
  });

  it('marks a flagged non-bootable image as not bootable though its hash matches', () => {
    const s = board();
    upload(s, 1, testImage({ flags: 0x10 }).bytes);
    const [e] = s.imageList();
    assert.equal(e?.bootable, false);
    assert.match(e?.problem ?? '', /non-bootable/);
  });

  it('test, reset, run once unconfirmed, reset: reverts to the old image, which is then confirmed', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    assert.deepEqual(s.markPending(v2.hash, false), { ok: true, ms: s.flash.writeTimeMs(16 + 8) });
    assert.deepEqual(rows(s), ['slot0 1.0.0 bootable confirmed active', 'slot1 1.2.3.4 bootable pending']);
    assert.equal(s.swapType(), 'test');

    let boot = s.boot();
    assert.equal(boot.swap, 'test');
    assert.equal(boot.primaryBootable, true);
    assert.deepEqual(rows(s), ['slot0 1.2.3.4 bootable active', 'slot1 1.0.0 bootable confirmed']);
    assert.deepEqual(s.trailer(0), { magic: 'good', imageOk: 'unset', copyDone: 'set' });
    assert.deepEqual(s.trailer(1), { magic: 'unset', imageOk: 'unset', copyDone: 'unset' });

    const stillThere = s.markPending(v1.hash, false);
    assert.equal(!stillThere.ok && stillThere.reason, 'already-confirmed');

    boot = s.boot();
    assert.equal(boot.swap, 'revert');
    assert.deepEqual(rows(s), ['slot0 1.0.0 bootable confirmed active', 'slot1 1.2.3.4 bootable']);
    assert.deepEqual(s.read(0, 0, v1.bytes.length), v1.bytes);
    assert.deepEqual(s.read(1, 0, v2.bytes.length), v2.bytes);
    assert.equal(s.boot().swap, 'none', 'the revert is final');
    assert.equal(s.flash.stats.doubleWrites, 0, 'the swap programs only erased blocks');
  });

  it('test, reset, confirm: the new image stays', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    s.markPending(v2.hash, false);
    s.boot();
    assert.deepEqual(s.confirm(), { ok: true, ms: s.flash.writeTimeMs(8) });
    assert.deepEqual(rows(s), ['slot0 1.2.3.4 bootable confirmed active', 'slot1 1.0.0 bootable']);
    assert.deepEqual(s.confirm(v2.hash), { ok: true, ms: 0 }, 'confirming again changes nothing');
    assert.equal(s.boot().swap, 'none');
    assert.deepEqual(rows(s), ['slot0 1.2.3.4 bootable confirmed active', 'slot1 1.0.0 bootable']);
  });

  it('a permanent request (confirm with slot 1\'s hash) swaps once and never reverts', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    assert.equal(s.confirm(v2.hash).ok, true);
    assert.deepEqual(rows(s), ['slot0 1.0.0 bootable confirmed active', 'slot1 1.2.3.4 bootable pending permanent']);
    assert.equal(s.boot().swap, 'perm');
    assert.deepEqual(rows(s), ['slot0 1.2.3.4 bootable confirmed active', 'slot1 1.0.0 bootable']);
    assert.equal(s.boot().swap, 'none');
  });

  it('refuses to test the running image or an unknown hash; confirming the factory image is a no-op', () => {
    const s = factory();
    const r = s.markPending(v1.hash, false);
    assert.equal(!r.ok && r.reason, 'invalid-slot');
    const u = s.markPending(new Uint8Array(32), true);
    assert.equal(!u.ok && u.reason, 'hash-not-found');
    assert.deepEqual(s.confirm(), { ok: true, ms: 0 });
    assert.deepEqual(s.trailer(0).magic, 'unset');
  });

  it('a power cut mid-upload never leaves a pending image: the boot erases the partial one and keeps the old', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    s.markPending(v2.hash, false); // a pending image from an earlier upload...
    assert.deepEqual(s.trailer(1).magic, 'good');
    const w = new SlotWriter(s, 1); // ...then a new upload over it, cut by a power loss
    s.flash.powerCutAt(10_003);
    assert.throws(() => {
      for (let at = 0; at < v2.bytes.length; at += 512) w.write(v2.bytes.subarray(at, at + 512));
    }, isPowerLoss);
    assert.deepEqual(s.trailer(1).magic, 'good', 'the trailer sector was not reached: the request is still there');
    const e = s.imageList()[1];
    assert.equal(e?.bootable, false);
    assert.equal(e?.pending, false, 'but an image that is not whole is never pending');
    const boot = s.boot();
    assert.equal(boot.swap, 'none');
    assert.match(boot.log.join('\n'), /secondary slot is not valid.*\n.*Erased/);
    assert.deepEqual(rows(s), ['slot0 1.0.0 bootable confirmed active']);
    assert.deepEqual(s.trailer(1).magic, 'unset');
  });

  it('an upload cut by a reset (never finished) is not bootable and cannot be tested', () => {
    const s = factory();
    const w = new SlotWriter(s, 1);
    w.write(v2.bytes.subarray(0, v2.bytes.length - 5)); // the last 5 bytes never came
    const e = s.imageList()[1];
    assert.equal(e?.bootable, false);
    const r = s.markPending(v2.hash, false);
    assert.equal(r.ok, false);
    w.write(v2.bytes.subarray(v2.bytes.length - 5));
    w.finish();
    assert.equal(s.markPending(v2.hash, false).ok, true, 'finished, the same upload is testable');
  });

  it('a power cut armed before a reset does not fire inside the swap, and stays armed', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    s.markPending(v2.hash, false);
    s.flash.powerCutAt(100);
    assert.equal(s.boot().swap, 'test');
    assert.equal(s.flash.powerCutIn, 100);
  });

  it('the swap costs flash time: through scratch, three erases and copies per sector used', () => {
    const flash = new NorFlash({ size: 256 * KiB, sectorSize: 4 * KiB, writeSize: 8 });
    const s = new FlashSlots(flash, {
      primary: { offset: 0, size: 112 * KiB },
      secondary: { offset: 112 * KiB, size: 112 * KiB },
      scratch: { offset: 224 * KiB, size: 32 * KiB },
    });
    upload(s, 0, v1.bytes);
    upload(s, 1, v2.bytes);
    s.markPending(v2.hash, false);
    const before = flash.stats;
    const boot = s.boot();
    const sectorsUsed = Math.ceil(v2.bytes.length / (4 * KiB)); // the larger image
    // 3 erases per swapped sector, and the secondary's trailer sector rewritten to clear the
    // request (the factory image's trailer is already erased)
    assert.equal(flash.stats.sectorErases - before.sectorErases, 3 * sectorsUsed + 1);
    assert.ok(Math.abs(boot.ms - (flash.stats.busyMs - before.busyMs)) < 1e-6, 'the report is what the flash spent');
    assert.ok(boot.ms >= 3 * sectorsUsed * flash.sectorEraseMs);
    assert.deepEqual(rows(s), ['slot0 1.2.3.4 bootable active', 'slot1 1.0.0 bootable confirmed']);
  });

  it('validates the layout: sector-aligned, inside the flash, not overlapping, equal slots', () => {
    const flash = new NorFlash();
    assert.throws(() => new FlashSlots(flash, { primary: { offset: 0x800, size: 0x10000 } }), /slots.primary.offset 0x800 is not a multiple of sectorSize 0x1000/);
    assert.throws(() => new FlashSlots(flash, { primary: { offset: 0, size: 0x10000 }, secondary: { offset: 0x8000, size: 0x10000 } }), /slots.secondary overlaps slots.primary/);
    assert.throws(() => new FlashSlots(flash, { primary: { offset: 0, size: 0x10000 }, secondary: { offset: 0x10000, size: 0x20000 } }), /must equal/);
    assert.throws(() => new FlashSlots(flash, { primary: { offset: 0xf0000, size: 0x20000 } }), /past the end of flash/);
    const s = board();
    assert.throws(() => s.write(1, 448 * KiB - 8, new Uint8Array(16)), (e) => e instanceof FlashRuleError && e.rule === 'bounds');
    assert.throws(() => s.write(1, 4, new Uint8Array(8)), (e) => e instanceof FlashRuleError && e.rule === 'write-alignment');
    assert.throws(() => new FlashSlots(flash, { primary: { offset: 0, size: 0x10000 } }).area(1), /slot 1 does not exist/);
  });

  it('puts the trailer where MCUboot does: magic in the last 16 bytes, image_ok 24 before the end', () => {
    const s = factory();
    upload(s, 1, v2.bytes);
    s.markPending(v2.hash, true);
    const tail = s.read(1, 448 * KiB - 40, 40);
    assert.deepEqual(tail.subarray(24), BOOT_MAGIC);
    assert.equal(tail[16], 0x01, 'image_ok');
    assert.equal(tail[8], 0xff, 'copy_done');
    assert.equal(tail[0], 0x03, 'swap_info: perm');
  });

  it('handles a 1 MiB image in a 128 MiB slot of a sparse 256 MiB flash without touching the rest', () => {
    const flash = new NorFlash({ size: 256 * MiB });
    const s = new FlashSlots(flash, { primary: { offset: 0, size: 128 * MiB }, secondary: { offset: 128 * MiB, size: 128 * MiB } });
    const big = testImage({ size: MiB, version: '2.0.0' });
    upload(s, 0, v1.bytes);
    upload(s, 1, big.bytes, 4096);
    assert.equal(s.imageList()[1]?.bootable, true);
    s.markPending(big.hash, true);
    assert.equal(s.boot().swap, 'perm');
    assert.deepEqual(rows(s), ['slot0 2.0.0 bootable confirmed active', 'slot1 1.0.0 bootable']);
    assert.ok(flash.allocatedSectors < 1000, `${flash.allocatedSectors} sectors allocated`);
  });
});
