// The virtual board's NOR flash model: the rules a flash driver enforces, AND-on-write and
// erase-to-0xFF, the busy times it reports, power cuts mid-write, and sparse backing.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlashRuleError, isPowerLoss, NorFlash, PowerLoss } from '../../../boards/virtual/flash/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const seq = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i * 7) & 0xff);

function ruleOf(fn: () => unknown): { rule: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FlashRuleError, `expected a FlashRuleError, got ${String(e)}`);
    assert.equal(e.code, 'BAD_OPTION');
    return { rule: e.rule, message: e.message };
  }
  assert.fail('expected the operation to throw');
}

function cutOf(fn: () => unknown): PowerLoss {
  try {
    fn();
  } catch (e) {
    assert.ok(isPowerLoss(e), `expected PowerLoss, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a power cut');
}

describe('virtual board flash: NOR device model', () => {
  it('reads erased (0xFF) when new, with a 1 MiB, 4 KiB-sector, 8-byte-block default', () => {
    const f = new NorFlash();
    assert.equal(f.size, MiB);
    assert.equal(f.sectorSize, 4 * KiB);
    assert.equal(f.writeSize, 8);
    assert.equal(f.backing, 'dense');
    assert.deepEqual(f.read(0x1234, 16), fill(16, 0xff));
  });

  it('refuses a misaligned write, a partial block, a partial-sector erase and out-of-bounds, naming the rule', () => {
    const f = new NorFlash();
    let r = ruleOf(() => f.write(4, fill(8, 0)));
    assert.equal(r.rule, 'write-alignment');
    assert.match(r.message, /0x4 does not start on a 8-byte write block boundary.*write-alignment/);
    r = ruleOf(() => f.write(8, fill(12, 0)));
    assert.equal(r.rule, 'write-granularity');
    assert.match(r.message, /12 bytes is not a multiple of the 8-byte write block/);
    r = ruleOf(() => f.erase(0x800, 0x1000));
    assert.equal(r.rule, 'erase-alignment');
    r = ruleOf(() => f.erase(0, 0x800));
    assert.equal(r.rule, 'erase-alignment');
    assert.equal(ruleOf(() => f.write(MiB - 8, fill(16, 0))).rule, 'bounds');
    assert.equal(ruleOf(() => f.read(MiB, 1)).rule, 'bounds');
    assert.equal(ruleOf(() => f.eraseSector(256)).rule, 'bounds');
    assert.equal(f.stats.writes, 0, 'a refused write does not count');
    assert.deepEqual(f.read(0, 32), fill(32, 0xff), 'a refused write changes nothing');
  });

  it('rejects a device geometry that no part has, naming the option', () => {
    assert.throws(() => new NorFlash({ sectorSize: 3000 }), /sectorSize must be a power of two/);
    assert.throws(() => new NorFlash({ writeSize: 8192 }), /writeSize must be a power of two no larger than sectorSize/);
    assert.throws(() => new NorFlash({ size: 5000 }), /size must be a positive multiple of sectorSize/);
    assert.throws(() => new NorFlash({ writeBytesPerSecond: 0 }), /writeBytesPerSecond/);
  });

  it('ANDs a second write into the first and counts it as a double write', () => {
    const f = new NorFlash();
    f.write(0x100, fill(16, 0xf0));
    assert.equal(f.stats.doubleWrites, 0);
    f.write(0x108, fill(8, 0x3c));
    assert.deepEqual(f.read(0x100, 16), Uint8Array.from([...fill(8, 0xf0), ...fill(8, 0x30)]));
    assert.equal(f.stats.doubleWrites, 1, 'one write block programmed twice');
    assert.equal(f.stats.corruptedBytes, 8, 'eight bytes read back different from what was written');
    // the same data again is no corruption, but still a double write: the block was not erased
    f.write(0x100, fill(8, 0xf0));
    assert.equal(f.stats.doubleWrites, 2);
    assert.equal(f.stats.corruptedBytes, 8);
  });

  it('counts a write over a block programmed with 0xFF as a double write: programmed is not erased', () => {
    const f = new NorFlash();
    f.write(0, fill(8, 0xff));
    f.write(0, seq(8));
    assert.equal(f.stats.doubleWrites, 1);
    assert.equal(f.stats.corruptedBytes, 0);
    assert.deepEqual(f.read(0, 8), seq(8));
  });

  it('restores 0xFF with a sector erase, only in that sector, and makes the blocks writable again', () => {
    const f = new NorFlash();
    f.write(0x0ff8, seq(16)); // the last block of sector 0 and the first of sector 1
    f.eraseSector(1);
    assert.deepEqual(f.read(0x0ff8, 8), seq(8), 'sector 0 keeps its bytes');
    assert.deepEqual(f.read(0x1000, 0x1000), fill(0x1000, 0xff));
    f.write(0x1000, seq(8, 9));
    assert.deepEqual(f.read(0x1000, 8), seq(8, 9));
    assert.equal(f.stats.doubleWrites, 0);
    assert.equal(f.stats.sectorErases, 1);
  });

  it('reports how long each write and erase keeps the part busy, for the caller\'s clock', () => {
    const f = new NorFlash({ writeBytesPerSecond: 100_000, sectorEraseMs: 85 });
    assert.equal(f.write(0, fill(4096, 0)).ms, 40.96);
    assert.equal(f.erase(0x2000, 0x3000).ms, 3 * 85);
    assert.equal(f.eraseSector(0).ms, 85);
    assert.equal(f.write(0, new Uint8Array(0)).ms, 0);
    assert.ok(Math.abs(f.stats.busyMs - (40.96 + 4 * 85)) < 1e-9, `busyMs ${f.stats.busyMs}`);
    // the defaults are an nRF52840's: 41 µs per 4-byte word, 85 ms page erase
    const nrf = new NorFlash();
    assert.ok(Math.abs(nrf.writeTimeMs(4) - 0.041) < 0.0005);
    assert.equal(nrf.eraseTimeMs(2), 170);
  });

  it('a power cut at N bytes leaves exactly the bytes before N, and a half-programmed tail in the cut block', () => {
    const f = new NorFlash({ writeBytesPerSecond: 1000 });
    const data = seq(64, 1).map((b) => b & 0x77); // zeros in both nibbles: half-programmed is visible
    f.powerCutAt(43);
    const cut = cutOf(() => f.write(0x1000, data));
    assert.equal(cut.offset, 0x1000 + 43);
    assert.equal(cut.landed, 43);
    assert.equal(cut.ms, 43);
    assert.deepEqual(f.read(0x1000, 43), data.subarray(0, 43), 'every byte before the cut landed');
    assert.deepEqual(f.read(0x1000 + 43, 5), data.subarray(43, 48).map((b) => b | 0xf0), 'the rest of the cut block: low nibble programmed');
    assert.notDeepEqual(f.read(0x1000 + 43, 5), data.subarray(43, 48));
    assert.deepEqual(f.read(0x1000 + 48, 16), fill(16, 0xff), 'later blocks untouched');
    assert.equal(f.stats.bytesWritten, 43);
    assert.equal(f.powerCutIn, undefined, 'the cut fires once');
    f.write(0x1000 + 48, data.subarray(48)); // the device works after the reset
    f.write(0x1000 + 40, data.subarray(40, 48));
    assert.equal(f.stats.doubleWrites, 1, 'rewriting the half-programmed block without an erase is a double write');
  });

  it('a cut on a block boundary, or armed across writes, stops between blocks', () => {
    const f = new NorFlash();
    f.powerCutAt(100);
    f.write(0, seq(64));
    assert.equal(f.powerCutIn, 36);
    const cut = cutOf(() => f.write(64, seq(64, 64)));
    assert.equal(cut.landed, 36);
    f.powerCutAt(40);
    cutOf(() => f.write(0x2000, seq(64)));
    assert.deepEqual(f.read(0x2000, 40), seq(40));
    assert.deepEqual(f.read(0x2000 + 40, 24), fill(24, 0xff), 'the next block never started');
    f.powerCutAt(0);
    assert.equal(cutOf(() => f.write(0x3000, seq(8))).landed, 0);
    assert.deepEqual(f.read(0x3000, 8), fill(8, 0xff));
    f.powerCutAt(8);
    f.write(0x4000, seq(8)); // reaching the cut exactly is not crossing it
    assert.equal(cutOf(() => f.write(0x4008, seq(8))).landed, 0);
  });

  it('keeps memory to what was written with sparse backing: 256 MiB flash, 1 MiB written', () => {
    const before = process.memoryUsage().arrayBuffers;
    const f = new NorFlash({ size: 256 * MiB });
    assert.equal(f.backing, 'sparse', 'auto picks sparse above 16 MiB');
    const chunk = seq(64 * KiB);
    for (let i = 0; i < 16; i++) f.write(i * 16 * MiB, chunk); // 16 places spread over the device
    assert.equal(f.allocatedSectors, 256, '1 MiB of 4 KiB sectors');
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * MiB, 'nowhere near 256 MiB of buffers');
    assert.deepEqual(f.read(15 * 16 * MiB + 64 * KiB - 8, 16), Uint8Array.from([...chunk.subarray(-8), ...fill(8, 0xff)]));
    assert.deepEqual(f.read(200 * MiB, 8), fill(8, 0xff));
    f.erase(0, 16 * MiB);
    assert.equal(f.allocatedSectors, 240, 'an erased sector gives its memory back');
    assert.equal(new NorFlash({ size: 8 * MiB, backing: 'sparse' }).allocatedSectors, 0);
  });

  for (const backing of ['dense', 'sparse'] as const) {
    it(`agrees with a bytewise NOR model (AND on write, 0xFF on erase) for any aligned sequence (${backing})`, () => {
      const size = 512;
      const sectorSize = 64;
      const w = 8;
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('write' as const),
          block: fc.nat(size / w - 1),
          data: fc.uint8Array({ minLength: 0, maxLength: 64 }),
        }),
        fc.record({ kind: fc.constant('erase' as const), sector: fc.nat(size / sectorSize - 1) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
          const f = new NorFlash({ size, sectorSize, writeSize: w, backing });
          const model = fill(size, 0xff);
          const programmed = new Uint8Array(size / w);
          let doubles = 0;
          for (const o of ops) {
            if (o.kind === 'erase') {
              f.eraseSector(o.sector);
              model.fill(0xff, o.sector * sectorSize, (o.sector + 1) * sectorSize);
              programmed.fill(0, (o.sector * sectorSize) / w, ((o.sector + 1) * sectorSize) / w);
            } else {
              const at = o.block * w;
              const data = o.data.subarray(0, Math.min(o.data.length - (o.data.length % w), size - at));
              f.write(at, data);
              for (let i = 0; i < data.length; i++) model[at + i] = (model[at + i] as number) & (data[i] as number);
              for (let b = at / w; b < (at + data.length) / w; b++) {
                if (programmed[b]) doubles++;
                programmed[b] = 1;
              }
            }
          }
          assert.deepEqual(f.read(0, size), model);
          assert.equal(f.stats.doubleWrites, doubles);
        }),
        { numRuns: 300 },
      );
    });
  }
});
