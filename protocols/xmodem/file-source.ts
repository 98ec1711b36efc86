// Where the sender's bytes come from: an XmodemFile reads a block at a time, so a flash image of
// many megabytes is never held whole. `bytesSource` wraps bytes already in memory (tests, the
// virtual board); `openFileSource` reads a file on disk through one file handle.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { XmodemFile } from './xmodem-events.js';

/** An XmodemFile over bytes in memory (sliced per block, not copied whole). */
export function bytesSource(name: string, bytes: Uint8Array, info: { mtime?: number; mode?: number } = {}): XmodemFile {
  return { name, size: bytes.length, ...info, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

export interface FileSource extends XmodemFile {
  /** close the file handle (idempotent) */
  close(): Promise<void>;
}

/**
 * An XmodemFile reading `path` on demand. Name (the base name unless given), size, mtime and
 * mode come from the file; close() it when the transfer is over.
 */
export async function openFileSource(path: string, opts: { name?: string } = {}): Promise<FileSource> {
  const fh = await open(path, 'r');
  let closed: Promise<void> | undefined;
  try {
    const st = await fh.stat();
    return {
      name: opts.name ?? basename(path),
      size: st.size,
      mtime: Math.floor(st.mtimeMs / 1000),
      mode: st.mode,
      async read(offset, length) {
        const buf = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
          if (bytesRead === 0) break; // the file shrank: the sender reports the short read
          got += bytesRead;
        }
        return got === length ? buf : buf.subarray(0, got);
      },
      close: () => (closed ??= fh.close()),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}
