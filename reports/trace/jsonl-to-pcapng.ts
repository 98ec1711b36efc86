// A JSONL byte trace (trace-jsonl.ts) replayed into a pcapng file, line by line, so a trace of
// any size converts in constant memory. A run killed mid-write leaves its last line cut off:
// that one line is skipped and counted. Any other line that is not a record stops the
// conversion with its line number (the pcapng file then holds the records before it).
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { PcapngTraceWriter, type PcapngWriterOptions } from './pcapng-writer.js';
import { parseTraceJsonLine } from './trace-jsonl.js';

export interface ConversionResult {
  records: number;
  interfaces: number;
  packets: number;
  /** a last line without its newline that was not a whole record (a killed run's last write) */
  skippedCutOffLine: boolean;
}

export class TraceLineError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: not a trace record: ${reason}`);
    this.name = 'TraceLineError';
  }
}

/** Does the file end in a newline (or is it empty)? */
function endsWithNewline(path: string): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return true;
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Convert `jsonlPath` to `pcapPath` (created or truncated). Rejects with the fs error when a file
 * cannot be opened, with TraceLineError for a line that is not a record.
 */
export async function convertJsonlToPcapng(jsonlPath: string, pcapPath: string, opts: PcapngWriterOptions = {}): Promise<ConversionResult> {
  const whole = endsWithNewline(jsonlPath);
  const input = fs.createReadStream(jsonlPath, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  await opened;
  const writer = PcapngTraceWriter.open(pcapPath, { comment: `converted by hilrig from ${jsonlPath}`, ...opts });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let records = 0;
  let pendingError: TraceLineError | undefined;
  try {
    for await (const line of lines) {
      n++;
      if (pendingError) throw pendingError; // a bad line that turned out not to be the last
      if (line.trim() === '') continue;
      const r = parseTraceJsonLine(line);
      if (r.ok) {
        writer.write(r.rec);
        records++;
      } else {
        pendingError = new TraceLineError(jsonlPath, n, r.reason);
      }
    }
    const skippedCutOffLine = pendingError !== undefined && !whole;
    if (pendingError && whole) throw pendingError;
    writer.flush();
    if (writer.error) throw writer.error;
    return { records, interfaces: writer.interfaceCount, packets: writer.packets, skippedCutOffLine };
  } finally {
    lines.close();
    input.destroy();
    writer.close();
  }
}
