// Reading the file to send a block at a time. `file.read` may answer at once (bytes in memory)
// or with a promise (a file on disk, a flash image being built); the sender starts the read of
// block n+1 while the receiver checks block n, so a slow source costs no turnaround.
import type { XmodemFile } from './xmodem-events.js';

/** One block's read, finished or not. */
export interface BlockRead {
  readonly offset: number;
  readonly length: number;
  ready: boolean;
  data?: unknown;
  error?: unknown;
  /** called once when a read that was not ready at the start finishes */
  onReady?: () => void;
}

/** Start reading `length` bytes at `offset`; a throw or a rejection ends up in `error`. */
export function startRead(file: XmodemFile, offset: number, length: number): BlockRead {
  const r: BlockRead = { offset, length, ready: false };
  const settle = (data: unknown, error: unknown): void => {
    r.data = data;
    r.error = error;
    r.ready = true;
  };
  const later = (data: unknown, error: unknown): void => {
    settle(data, error);
    try {
      r.onReady?.();
    } catch (e) {
      // the sender guards its continuation; this only keeps a throw from becoming an unhandled rejection
      process.emitWarning(`hilrig: xmodem: after file.read(${offset}, ${length}): ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  try {
    const got: unknown = file.read(offset, length);
    if (typeof (got as PromiseLike<unknown> | null)?.then !== 'function') {
      settle(got, undefined);
      return r;
    }
    Promise.resolve(got as PromiseLike<unknown>).then(
      (d) => later(d, undefined),
      (e: unknown) => later(undefined, e ?? new Error('rejected without a reason')),
    );
  } catch (e) {
    settle(undefined, e ?? new Error('threw without a reason'));
  }
  return r;
}

/** The bytes of a finished read, or what is wrong with it (failed, or not `length` bytes). */
export function readResult(r: BlockRead): { data: Uint8Array } | { problem: string } {
  const where = `file.read(${r.offset}, ${r.length})`;
  if (r.error !== undefined) return { problem: `${where} failed: ${r.error instanceof Error ? r.error.message : String(r.error)}` };
  const d = r.data;
  if (d instanceof Uint8Array && d.length === r.length) return { data: d };
  const got = d instanceof Uint8Array ? `${d.length} bytes` : d === null ? 'null' : typeof d;
  return { problem: `${where} returned ${got}, expected ${r.length} bytes` };
}
