// Console capture as JSON Lines: one object per console line, written the moment the line is
// complete, with a synchronous append, so a run that is killed keeps every line it saw.
// JSON.stringify escapes control characters (ANSI colour codes stay as \u001b, a stray NUL as
// \u0000), so one record is always exactly one line of the file.
import type { ConsoleLine } from '../../protocols/console/line-codec.js';
import { BatchedFile } from './batched-file.js';

export interface ConsoleRecord {
  /** ISO-8601 UTC with microseconds: 2024-05-01T12:00:01.234567Z */
  ts: string;
  /** nanoseconds since the epoch, as a decimal string (a JSON number would lose digits) */
  tsNs: string;
  board: string;
  text: string;
  /** the test that was running, when the capture is part of a suite run */
  test?: string;
  /** the raw bytes as hex, only when they were not valid UTF-8 (text is then lossy) */
  hex?: string;
}

/** ISO-8601 with microseconds from epoch nanoseconds. */
export function isoMicros(tsNs: bigint): string {
  const ms = Number(tsNs / 1_000_000n);
  const micros = (tsNs / 1000n) % 1_000_000n;
  const iso = new Date(ms).toISOString(); // ...T12:00:01.234Z
  return `${iso.slice(0, 19)}.${micros.toString().padStart(6, '0')}Z`;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** The record of one console line (pure, for tests and for other writers). */
export function consoleRecord(line: ConsoleLine, tsNs: bigint, board: string, test?: string): ConsoleRecord {
  const rec: ConsoleRecord = { ts: isoMicros(tsNs), tsNs: tsNs.toString(), board, text: line.text };
  if (test !== undefined) rec.test = test;
  if (!line.valid) rec.hex = toHex(line.bytes);
  return rec;
}

export class ConsoleJsonlWriter {
  /** the test name stamped on following records (set by a runner between tests) */
  test: string | undefined;

  private constructor(private readonly file: BatchedFile) {}

  get path(): string {
    return this.file.path;
  }

  /** Open `path` for appending (created if missing); throws the fs error if it cannot. */
  static open(path: string, opts: { truncate?: boolean } = {}): ConsoleJsonlWriter {
    return new ConsoleJsonlWriter(BatchedFile.open(path, opts.truncate ? 'w' : 'a'));
  }

  /**
   * Append one line's record. Records of one burst are written together, at the latest when the
   * event loop turns (a write per line costs more than the rest of the capture path), so a
   * killed run loses at most the lines of the chunk being processed.
   */
  write(line: ConsoleLine, tsNs: bigint, board: string): void {
    if (!this.file.isOpen) return;
    this.file.append(`${JSON.stringify(consoleRecord(line, tsNs, board, this.test))}\n`);
  }

  /** Write what is pending now. */
  flush(): void {
    this.file.flush();
  }

  close(): void {
    this.file.close();
  }
}
