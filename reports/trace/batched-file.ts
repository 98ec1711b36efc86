// Appends for trace writers: whole records, queued and written together with one synchronous
// write at the end of the event loop's turn (or at 64 KiB); console-jsonl.ts and the trace writers use it. A run
// killed with SIGKILL then leaves everything up to the last turn on disk, and the file ends at a
// record boundary unless the kill lands inside a write (the kernel may stop a large write between
// pages): then the one record being written is cut, and readers stop before it.
//
// A failed write (disk full, file removed under a read-only mount) must not crash the run that
// is being traced: the file stops, `error` says why, and one warning is printed.
import * as fs from 'node:fs';

const FLUSH_AT_BYTES = 64 * 1024;

export class BatchedFile {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /** bytes on disk (written by this writer) */
  written = 0;
  /** the first write error; nothing more is written after it */
  error: Error | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Open `path`, truncated ('w', default) or for appending ('a'); throws the fs error. */
  static open(path: string, mode: 'w' | 'a' = 'w'): BatchedFile {
    return new BatchedFile(path, fs.openSync(path, mode));
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Queue one whole record; it reaches the file this turn of the event loop. */
  append(record: Uint8Array | string): void {
    if (this.fd === undefined) return;
    const bytes = typeof record === 'string' ? Buffer.from(record, 'utf8') : record;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_AT_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Write what is pending now, in one write. */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
      this.written += chunk.length;
    } catch (e) {
      this.fail(e);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    if (this.error) return;
    this.error = err;
    process.emitWarning(`hilrig: trace ${this.path}: ${err.message}; the trace stops here`);
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already unusable
      }
      this.fd = undefined;
    }
  }
}
