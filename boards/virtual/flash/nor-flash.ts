// A NOR flash device as firmware sees it through a flash driver: erase whole sectors to 0xFF,
// program whole write blocks, read anything. It keeps the rules real parts keep:
// - a write starts on a write-block boundary and is a whole number of blocks, else a
//   FlashRuleError naming the rule (Zephyr's flash_write answers -EINVAL the same way);
// - programming only clears bits: writing over a cell that was not erased ANDs the new value
//   into the old one. The model does not refuse it (NOR does not), it counts it: `doubleWrites`
//   counts write blocks programmed twice since their last erase, `corruptedBytes` the bytes that
//   then read back different from what was written;
// - time: the model does not sleep; each operation returns how long the part would be busy, for
//   the caller to spend on the manager's clock (the defaults are an nRF52840's internal flash).
// Power-loss injection: powerCutAt(n) arms a cut after n more programmed bytes. The write that
// would cross it stops there and throws PowerLoss. What it leaves behind:
// - every byte before the cut is programmed, exactly as a completed write would have left it;
// - when the cut falls inside a write block, the rest of that block is half-programmed: the low
//   four bits of each remaining byte took their new value (ANDed in), the high four did not.
//   Real cells cut mid-program hold some bits and not others; a fixed choice keeps tests exact,
//   and the block then reads as neither erased nor as the data (unless the data makes it so),
//   counts as programmed, and writing it again without an erase is a double write;
// - blocks after the cut block, and the whole next block when the cut falls on a block
//   boundary, are untouched.
// The cut fires once and disarms; the device keeps working (NOR keeps its contents).
// Not modelled: a cut during an erase, read disturb, wear, ECC.
import { FlashRuleError, PowerLoss } from './flash-errors.js';
import { type Backing, ERASED, makeSectorStore, type SectorStore } from './sector-store.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface NorFlashOptions {
  /** bytes, a multiple of sectorSize; default 1 MiB */
  size?: number;
  /** erase unit, a power of two; default 4 KiB */
  sectorSize?: number;
  /** program unit, a power of two not above sectorSize; default 8 */
  writeSize?: number;
  /** programming speed; default 97,500 B/s (nRF52840: 41 µs per 4-byte word) */
  writeBytesPerSecond?: number;
  /** time to erase one sector; default 85 ms (nRF52840 page erase) */
  sectorEraseMs?: number;
  /** 'auto' (default): dense up to 16 MiB, sparse above */
  backing?: Backing | 'auto';
}

export interface FlashStats {
  /** write calls, including one a power cut interrupted */
  writes: number;
  /** bytes programmed (the landed bytes of an interrupted write count) */
  bytesWritten: number;
  sectorErases: number;
  /** write blocks programmed again without an erase in between */
  doubleWrites: number;
  /** bytes that read back different from what a write asked for (the AND of a double write) */
  corruptedBytes: number;
  /** the sum of every operation's busy time, ms */
  busyMs: number;
}

/** The time an operation keeps the part busy, for the caller to spend on its clock. */
export interface FlashOp {
  ms: number;
}

const DENSE_LIMIT = 16 * MiB;
const HALF_PROGRAMMED_KEEPS = 0xf0; // the high nibble of a half-programmed byte stays as it was

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
const hex = (n: number): string => `0x${n.toString(16)}`;

export class NorFlash {
  readonly size: number;
  readonly sectorSize: number;
  readonly writeSize: number;
  readonly erasedValue = ERASED;
  readonly writeBytesPerSecond: number;
  readonly sectorEraseMs: number;
  readonly backing: Backing;
  private readonly store: SectorStore;
  private readonly counters: FlashStats = {
    writes: 0, bytesWritten: 0, sectorErases: 0, doubleWrites: 0, corruptedBytes: 0, busyMs: 0,
  };
  private cutIn: number | undefined;
  private gen = 0;

  constructor(opts: NorFlashOptions = {}) {
    this.size = opts.size ?? MiB;
    this.sectorSize = opts.sectorSize ?? 4 * KiB;
    this.writeSize = opts.writeSize ?? 8;
    this.writeBytesPerSecond = opts.writeBytesPerSecond ?? 97_500;
    this.sectorEraseMs = opts.sectorEraseMs ?? 85;
    if (!isPow2(this.sectorSize)) throw new TypeError(`sectorSize must be a power of two, got ${opts.sectorSize}`);
    if (!isPow2(this.writeSize) || this.writeSize > this.sectorSize) {
      throw new TypeError(`writeSize must be a power of two no larger than sectorSize ${this.sectorSize}, got ${opts.writeSize}`);
    }
    if (!Number.isInteger(this.size) || this.size <= 0 || this.size % this.sectorSize !== 0) {
      throw new TypeError(`size must be a positive multiple of sectorSize ${this.sectorSize}, got ${opts.size}`);
    }
    if (!(this.writeBytesPerSecond > 0)) throw new TypeError(`writeBytesPerSecond must be > 0, got ${opts.writeBytesPerSecond}`);
    if (!(this.sectorEraseMs >= 0)) throw new TypeError(`sectorEraseMs must be >= 0, got ${opts.sectorEraseMs}`);
    const backing = opts.backing ?? 'auto';
    if (backing !== 'auto' && backing !== 'dense' && backing !== 'sparse') {
      throw new TypeError(`backing must be 'dense', 'sparse' or 'auto', got ${String(backing)}`);
    }
    this.backing = backing === 'auto' ? (this.size <= DENSE_LIMIT ? 'dense' : 'sparse') : backing;
    this.store = makeSectorStore(this.backing, this.sectorCount, this.sectorSize, this.sectorSize / this.writeSize);
  }

  get sectorCount(): number {
    return this.size / this.sectorSize;
  }

  /** sectors holding memory: all of them when dense, the written ones when sparse */
  get allocatedSectors(): number {
    return this.store.allocated;
  }

  /** a copy of the counters */
  get stats(): FlashStats {
    return { ...this.counters };
  }

  /** changes with every write and erase: a cache key for anything computed from the contents */
  get generation(): number {
    return this.gen;
  }

  writeTimeMs(bytes: number): number {
    return (bytes * 1000) / this.writeBytesPerSecond;
  }

  eraseTimeMs(sectors: number): number {
    return sectors * this.sectorEraseMs;
  }

  read(offset: number, length: number): Uint8Array {
    this.checkBounds('read', offset, length);
    const out = new Uint8Array(length).fill(ERASED);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const index = Math.floor(at / this.sectorSize);
      const inSector = at - index * this.sectorSize;
      const n = Math.min(this.sectorSize - inSector, length - done);
      const s = this.store.peek(index);
      if (s) out.set(s.data.subarray(inSector, inSector + n), done);
      done += n;
    }
    return out;
  }

  /** Program `data` at `offset`. Throws FlashRuleError for a broken rule, PowerLoss on a cut. */
  write(offset: number, data: Uint8Array): FlashOp {
    this.checkBounds('write', offset, data.length);
    if (offset % this.writeSize !== 0) {
      throw new FlashRuleError('write-alignment', `flash write at ${hex(offset)} does not start on a ${this.writeSize}-byte write block boundary`);
    }
    if (data.length % this.writeSize !== 0) {
      throw new FlashRuleError('write-granularity', `flash write of ${data.length} bytes is not a multiple of the ${this.writeSize}-byte write block`);
    }
    if (data.length === 0) return { ms: 0 };
    const cut = this.cutIn !== undefined && data.length > this.cutIn;
    const landed = cut ? (this.cutIn as number) : data.length;
    if (this.cutIn !== undefined) this.cutIn = cut ? undefined : this.cutIn - data.length;
    this.gen++;
    this.counters.writes++;
    this.program(offset, data, landed);
    const ms = this.writeTimeMs(landed);
    this.counters.bytesWritten += landed;
    this.counters.busyMs += ms;
    if (cut) throw new PowerLoss(offset + landed, landed, ms);
    return { ms };
  }

  eraseSector(index: number): FlashOp {
    if (!Number.isInteger(index) || index < 0 || index >= this.sectorCount) {
      throw new FlashRuleError('bounds', `sector ${index} is outside the flash (sectors 0..${this.sectorCount - 1})`);
    }
    this.gen++;
    this.store.erase(index);
    const ms = this.eraseTimeMs(1);
    this.counters.sectorErases++;
    this.counters.busyMs += ms;
    return { ms };
  }

  /** Erase whole sectors covering [offset, offset + length). */
  erase(offset: number, length: number): FlashOp {
    this.checkBounds('erase', offset, length);
    if (offset % this.sectorSize !== 0 || length % this.sectorSize !== 0) {
      throw new FlashRuleError('erase-alignment', `flash erase of ${hex(offset)}+${hex(length)} is not whole ${this.sectorSize}-byte sectors`);
    }
    let ms = 0;
    for (let i = offset / this.sectorSize; i < (offset + length) / this.sectorSize; i++) ms += this.eraseSector(i).ms;
    return { ms };
  }

  /** Arm a power cut after `bytes` more programmed bytes (0: the next write lands nothing). */
  powerCutAt(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new TypeError(`powerCutAt wants a byte count >= 0, got ${bytes}`);
    this.cutIn = bytes;
  }

  /** Bytes left before an armed cut, or undefined when none is armed. */
  get powerCutIn(): number | undefined {
    return this.cutIn;
  }

  /** Disarm a pending cut and return what was left of it (to re-arm later), or undefined. */
  disarmPowerCut(): number | undefined {
    const left = this.cutIn;
    this.cutIn = undefined;
    return left;
  }

  private program(offset: number, data: Uint8Array, landed: number): void {
    const w = this.writeSize;
    const end = landed % w === 0 ? landed : landed - (landed % w) + w; // through the cut block
    for (let b = 0; b < end; b += w) {
      const at = offset + b;
      const index = Math.floor(at / this.sectorSize);
      const inSector = at - index * this.sectorSize;
      const s = this.store.take(index);
      const block = inSector / w;
      if (s.programmed[block]) this.counters.doubleWrites++;
      s.programmed[block] = 1;
      for (let j = 0; j < w; j++) {
        const want = data[b + j] as number;
        const old = s.data[inSector + j] as number;
        if (b + j < landed) {
          const got = old & want;
          s.data[inSector + j] = got;
          if (got !== want) this.counters.corruptedBytes++;
        } else {
          s.data[inSector + j] = old & (want | HALF_PROGRAMMED_KEEPS);
        }
      }
    }
  }

  private checkBounds(op: string, offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new FlashRuleError('bounds', `flash ${op} of ${length} bytes at ${hex(offset)} is outside the ${hex(this.size)}-byte flash`);
    }
  }
}
