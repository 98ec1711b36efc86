// SlotStream on the real NOR flash model: chunks of any size (write blocks of 8 bytes), holes at
// any offset, the last partial block padded, and what reads back, the length and the SHA-256
// all agree with the bytes as a plain buffer would hold them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { virtualProfile } from '../../../boards/profiles/virtual.js';
import { flashFromGeometry } from '../../../boards/virtual/flash/index.js';
import { uploadSlotOf } from '../../../boards/virtual/xmodem/upload-slot.js';

/** A small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

describe('virtual board: SlotStream (an upload streaming into slot 1)', () => {
  it('reads back, measures and hashes what was written, holes as 0xFF, for chunks and holes of any size', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = rng(seed);
      const slot = uploadSlotOf(flashFromGeometry(virtualProfile.flash!));
      // stale bytes from an earlier upload must not show through the holes
      const old = slot.begin('xmodem');
      assert.ok(old.write(new Uint8Array(20_000).fill(0x5a)) && old.finish());
      const s = slot.begin('coap');
      const want: number[] = [];
      const steps = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < steps; i++) {
        if (rand() < 0.3) {
          const to = want.length + Math.floor(rand() * 3000);
          assert.ok(s.skipTo(to), `seed ${seed}: skipTo(${to})`);
          while (want.length < to) want.push(0xff);
        } else {
          const chunk = Uint8Array.from({ length: Math.floor(rand() * 1500) }, () => Math.floor(rand() * 256));
          assert.ok(s.write(chunk), `seed ${seed}: write ${chunk.length}`);
          want.push(...chunk);
          // before finish() the bytes still held in RAM read back too
          assert.deepEqual(s.read(0, want.length), Uint8Array.from(want), `seed ${seed}: read back mid-stream`);
        }
      }
      assert.ok(s.finish(), `seed ${seed}: finish`);
      const bytes = Uint8Array.from(want);
      assert.equal(s.length, bytes.length, `seed ${seed}: length`);
      assert.deepEqual(slot.written(), bytes, `seed ${seed}: read back`);
      assert.equal(Buffer.from(s.sha256()).toString('hex'), createHash('sha256').update(bytes).digest('hex'), `seed ${seed}: SHA-256`);
      assert.equal(slot.slots.flash.stats.doubleWrites, 0, `seed ${seed}: no write block programmed twice`);
      assert.equal(old.state, 'complete');
    }
  });

  it('refuses what does not fit, and a new upload stops the one before it', () => {
    const slot = uploadSlotOf(flashFromGeometry(virtualProfile.flash!));
    const s = slot.begin('xmodem');
    assert.equal(s.write(new Uint8Array(slot.capacity + 1)), false);
    assert.equal(s.state, 'aborted');
    assert.match(s.problem ?? '', /does not fit/);
    const a = slot.begin('coap');
    assert.ok(a.write(new Uint8Array(100)));
    const b = slot.begin('ymodem', 'x.bin');
    assert.equal(a.write(new Uint8Array(100)), false);
    assert.match(a.problem ?? '', /a new ymodem upload took slot 1 over/);
    assert.ok(b.open);
    assert.equal(slot.status().name, 'x.bin');
  });
});
