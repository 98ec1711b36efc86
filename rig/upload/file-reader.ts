// The file being uploaded, read from disk a window at a time so that memory stays flat whatever
// the image size: one block of BLOCK bytes is kept and chunks are cut from it; a chunk outside
// it (the next block, or a rewind after the board asked for an earlier offset) loads another.
// Uploads read in order, so a 256 MiB image costs one read per block and one block of memory.
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { usageError } from './upload-errors.js';

/** bytes read from disk at once: large enough that reads cost nothing, small next to any RSS budget */
const BLOCK = 256 * 1024;

export class FileReader {
  /** the memory blocks are read into (grown only for a chunk larger than BLOCK) */
  private buf = new Uint8Array(0);
  /** the bytes of the file at blockAt: a view into buf */
  private block = new Uint8Array(0);
  private blockAt = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closing?: Promise<void>;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly size: number,
    /** modification time, seconds since the epoch (YMODEM sends it) */
    readonly mtime: number,
  ) {}

  /** Open `path` for reading; a missing or unreadable file is a usage error naming it. */
  static async open(path: string): Promise<FileReader> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw usageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw usageError(`${path} is not a regular file`);
    }
    return new FileReader(fh, path, st.size, Math.floor(st.mtimeMs / 1000));
  }

  get name(): string {
    return basename(this.path);
  }

  /**
   * `length` bytes at `offset` (fewer at the end of the file). The result is a view into the
   * reader's block, valid until the next read: encode or copy it before reading again.
   */
  read(offset: number, length: number): Promise<Uint8Array> {
    // one at a time: two loads into the one buffer would mix their bytes
    const r = this.queue.then(async () => {
      const end = Math.min(this.size, offset + length);
      if (offset < this.blockAt || end > this.blockAt + this.block.length) await this.load(offset, Math.max(BLOCK, end - offset));
      return this.block.subarray(offset - this.blockAt, end - this.blockAt);
    });
    this.queue = r.catch(() => undefined);
    return r;
  }

  /** The same as read(), as a fresh copy the caller may keep. */
  async readCopy(offset: number, length: number): Promise<Uint8Array> {
    return (await this.read(offset, length)).slice();
  }

  /**
   * One pass over the file feeding every byte to `sink` in order, a block at a time (hashing
   * an image of any size without holding it).
   */
  async scan(sink: (bytes: Uint8Array, offset: number) => void): Promise<void> {
    for (let off = 0; off < this.size; off += BLOCK) sink(await this.read(off, BLOCK), off);
  }

  close(): Promise<void> {
    return (this.closing ??= this.fh.close());
  }

  private async load(offset: number, length: number): Promise<void> {
    const want = Math.min(length, this.size - offset);
    if (this.buf.length < want) this.buf = new Uint8Array(Math.max(want, BLOCK));
    const buf = this.buf;
    // what was in the block is being overwritten: forget it first, so a failed read leaves nothing stale
    this.block = new Uint8Array(0);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) throw usageError(`${this.path} shrank while it was being uploaded (read ${offset + got} of ${this.size} bytes)`);
      got += bytesRead;
    }
    this.block = buf.subarray(0, want);
    this.blockAt = offset;
  }
}

/** SHA-256 of the whole file, streamed: the "sha" an SMP upload announces to name itself for resuming. */
export async function fileSha256(reader: FileReader): Promise<Uint8Array> {
  const h = createHash('sha256');
  await reader.scan((b) => h.update(b));
  return new Uint8Array(h.digest());
}
