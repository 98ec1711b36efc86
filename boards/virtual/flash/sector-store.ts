// Where the flash model keeps its bytes, one sector at a time. Dense: one Uint8Array for the
// whole device (the common, small case). Sparse: a Map of the sectors that hold something, so
// a 256 MiB device with 1 MiB written costs about 1 MiB; an erased sector gives its memory back.
// Beside each sector's bytes, one flag per write block says "programmed since the last erase",
// which is how the model sees a double write even when the data was 0xFF.

export const ERASED = 0xff;

export interface Sector {
  readonly data: Uint8Array;
  /** one entry per write block: 1 when programmed since the sector's last erase */
  readonly programmed: Uint8Array;
}

export interface SectorStore {
  /** the sector, or undefined when it is erased and holds no memory (sparse only) */
  peek(index: number): Sector | undefined;
  /** the sector, allocating it erased if needed */
  take(index: number): Sector;
  erase(index: number): void;
  /** sectors holding memory */
  readonly allocated: number;
}

export type Backing = 'dense' | 'sparse';

export function makeSectorStore(backing: Backing, sectors: number, sectorSize: number, blocksPerSector: number): SectorStore {
  return backing === 'dense'
    ? new DenseStore(sectors, sectorSize, blocksPerSector)
    : new SparseStore(sectorSize, blocksPerSector);
}

class DenseStore implements SectorStore {
  private readonly data: Uint8Array;
  private readonly programmed: Uint8Array;
  private readonly views: Sector[] = [];

  constructor(
    private readonly sectors: number,
    private readonly sectorSize: number,
    private readonly blocksPerSector: number,
  ) {
    this.data = new Uint8Array(sectors * sectorSize).fill(ERASED);
    this.programmed = new Uint8Array(sectors * blocksPerSector);
  }

  get allocated(): number {
    return this.sectors;
  }

  peek(index: number): Sector {
    return this.take(index);
  }

  take(index: number): Sector {
    let s = this.views[index];
    if (!s) {
      const d = index * this.sectorSize;
      const p = index * this.blocksPerSector;
      s = this.views[index] = {
        data: this.data.subarray(d, d + this.sectorSize),
        programmed: this.programmed.subarray(p, p + this.blocksPerSector),
      };
    }
    return s;
  }

  erase(index: number): void {
    const s = this.take(index);
    s.data.fill(ERASED);
    s.programmed.fill(0);
  }
}

class SparseStore implements SectorStore {
  private readonly map = new Map<number, Sector>();

  constructor(
    private readonly sectorSize: number,
    private readonly blocksPerSector: number,
  ) {}

  get allocated(): number {
    return this.map.size;
  }

  peek(index: number): Sector | undefined {
    return this.map.get(index);
  }

  take(index: number): Sector {
    let s = this.map.get(index);
    if (!s) {
      s = { data: new Uint8Array(this.sectorSize).fill(ERASED), programmed: new Uint8Array(this.blocksPerSector) };
      this.map.set(index, s);
    }
    return s;
  }

  erase(index: number): void {
    this.map.delete(index);
  }
}
