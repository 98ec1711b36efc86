// What a test scripts against a board's console, like pytest-embedded's `dut.expect`: attach to
// a URL, keep every line with its timestamp (and append it to a JSONL trace), wait for
// patterns, type commands. The lines and the waits live in line-log.ts; this is the link.
import { type Connection, Ev, type Handler, HilrigError, type Manager } from '../engine/index.js';
import { type LineEvents, LineEv, type LineProtocolOptions, setProtocolLines } from '../../protocols/console/console-protocol.js';
import type { ConsoleLine } from '../../protocols/console/line-codec.js';
import { ConsoleJsonlWriter } from '../../reports/trace/console-jsonl.js';
import { type CapturedLine, type ExpectResult, LineLog } from './line-log.js';
import type { Pattern } from './patterns.js';

export type { CapturedLine, ExpectResult } from './line-log.js';
export type { Pattern } from './patterns.js';

export interface AttachOptions {
  /** the board's name in traces and messages (default: the URL) */
  label?: string;
  /** a JSONL file to append to (the session closes it), or a writer shared with others */
  jsonl?: string | ConsoleJsonlWriter;
  /** lines kept for lines() and expect (default 100000; the oldest go first) */
  keepLines?: number;
  /** line codec settings: max line length, idle flush of a prompt */
  lines?: Omit<LineProtocolOptions, 'clock'>;
  /** what sendLine() appends (default "\r\n": Enter on a UART shell) */
  eol?: string;
}

const encoder = new TextEncoder();

export class ConsoleSession {
  private readonly log: LineLog;
  private readonly listeners = new Set<(l: CapturedLine) => void>();
  private conn!: Connection;
  private lastError: HilrigError | undefined;
  private closeReason: string | undefined;
  private readonly jsonl: ConsoleJsonlWriter | undefined;

  private constructor(
    mgr: Manager,
    readonly url: string,
    readonly label: string,
    private readonly opts: AttachOptions,
  ) {
    this.log = new LineLog(mgr, label === url ? url : `${label} on ${url}`, opts.keepLines);
    this.jsonl = typeof opts.jsonl === 'string' ? ConsoleJsonlWriter.open(opts.jsonl) : opts.jsonl;
  }

  /** Open `url` and capture its lines; rejects with the link's HilrigError if it cannot open. */
  static async attach(mgr: Manager, url: string, opts: AttachOptions = {}): Promise<ConsoleSession> {
    const s = new ConsoleSession(mgr, url, opts.label ?? url, opts);
    const handler: Handler<LineEvents> = (_c, ev, data) => {
      if (ev === LineEv.Line) s.received(data.line, data.tsNs);
      else if (ev === Ev.Error) s.lastError = data;
      else if (ev === Ev.Close) s.onClose(data.reason);
    };
    s.conn = mgr.connect(url, handler, { label: s.label });
    setProtocolLines(s.conn, { ...opts.lines, clock: mgr.clock });
    try {
      await s.conn.ready;
    } catch (e) {
      await s.conn.closed;
      throw e;
    }
    return s;
  }

  /** Lines kept so far, oldest first. */
  lines(): readonly CapturedLine[] {
    return this.log.lines();
  }

  /** Call `fn` for every line as it arrives; returns the unsubscribe. */
  onLine(fn: (l: CapturedLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get isOpen(): boolean {
    return this.closeReason === undefined;
  }

  /** Resolves with the reason when the link goes away (port vanished, close()). */
  get closed(): Promise<string> {
    return this.conn.closed;
  }

  /** The error that closed the link, if one did. */
  get error(): HilrigError | undefined {
    return this.lastError;
  }

  /** The connection, for what this API does not cover (line control, the trace tap). */
  get connection(): Connection {
    return this.conn;
  }

  /**
   * The first line after the last match that matches `pattern` (a string as a literal
   * substring, a RegExp as itself). Rejects with TIMEOUT naming the pattern, the timeout and
   * the last lines seen; with the link's error if the link closes first.
   */
  expect(pattern: Pattern, opts: { timeoutMs?: number } = {}): Promise<ExpectResult> {
    return this.log.expect(pattern, opts.timeoutMs);
  }

  /** Every pattern, in any order, each on some line after the last match; the position moves past the latest. */
  expectAll(patterns: readonly Pattern[], opts: { timeoutMs?: number } = {}): Promise<ExpectResult[]> {
    return this.log.expectAll(patterns, opts.timeoutMs);
  }

  /**
   * No line matching `pattern` for `withinMs` (lines received since the last match count too).
   * Rejects with PROTOCOL quoting the line. Leaves the expect position alone.
   */
  expectNot(pattern: Pattern, opts: { withinMs: number }): Promise<void> {
    return this.log.expectNot(pattern, opts.withinMs);
  }

  write(data: string | Uint8Array): void {
    if (!this.isOpen) throw new HilrigError('IO_ERROR', `${this.label}: cannot write, the console is closed (${this.closeReason})`);
    this.conn.send(typeof data === 'string' ? encoder.encode(data) : data);
  }

  /** `text` and Enter. */
  sendLine(text: string): void {
    this.write(`${text}${this.opts.eol ?? '\r\n'}`);
  }

  /** Close the link once pending writes left; pending expects reject. */
  async close(): Promise<void> {
    this.conn.close('console session closed');
    await this.conn.closed;
  }

  private received(line: ConsoleLine, tsNs: bigint): void {
    this.jsonl?.write(line, tsNs, this.label);
    const l = this.log.add(line, tsNs);
    for (const fn of this.listeners) fn(l);
  }

  private onClose(reason: string): void {
    this.closeReason = reason;
    const cause = this.lastError;
    this.log.end((what) => new HilrigError(cause?.code ?? 'IO_ERROR', `${this.label}: the console closed (${reason}) while waiting for ${what}`, { cause }));
    if (typeof this.opts.jsonl === 'string') this.jsonl?.close();
  }
}
