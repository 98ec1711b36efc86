// The lines a console session received, and the waits on them: expect, expectAll, expectNot.
// Separate from the link (console-session.ts) so the matching rules are one small thing.
// Successive expects walk forward: each looks only at lines after the last match. Timeouts run
// on the manager's clock, so a VirtualClock test needs no sleeping.
import type { ConsoleLine } from '../../protocols/console/line-codec.js';
import { HilrigError, type Timer } from '../engine/index.js';
import { describePattern, type Pattern, toRegExp } from './patterns.js';

export interface CapturedLine {
  /** 0 for the session's first line; counts every line, also those dropped from lines() */
  index: number;
  text: string;
  line: ConsoleLine;
  /** arrival of the line's last byte, ns since the epoch */
  tsNs: bigint;
}

export interface ExpectResult {
  line: CapturedLine;
  match: RegExpExecArray;
}

/** The manager's timers (its clock decides when a wait times out). */
export interface WaitTimers {
  addTimer(ms: number, fn: () => void): Timer;
  cancelTimer(t: Timer): void;
}

/** A pending wait: `feed` returns true when it is settled. */
interface Waiter {
  feed(l: CapturedLine): boolean;
  /** no more lines will come */
  end(): void;
}

const LAST_LINES_SHOWN = 5;
export const DEFAULT_TIMEOUT_MS = 10_000;

export class LineLog {
  private readonly kept: CapturedLine[] = [];
  private seen = 0;
  /** index of the first line the next expect may match */
  private cursor = 0;
  private readonly waiters = new Set<Waiter>();
  /** set by end(): why no more lines come, as a ready-made error */
  private ended: ((what: string) => HilrigError) | undefined;

  constructor(
    private readonly timers: WaitTimers,
    /** 'virtual (serial:///dev/pts/7)': who the messages are about */
    private readonly who: string,
    private readonly keepLines = 100_000,
  ) {}

  lines(): readonly CapturedLine[] {
    return this.kept;
  }

  add(line: ConsoleLine, tsNs: bigint): CapturedLine {
    const l: CapturedLine = { index: this.seen++, text: line.text, line, tsNs };
    this.kept.push(l);
    // dropped in batches, so a long capture does not shift the array on every line
    if (this.kept.length > this.keepLines + Math.max(1, this.keepLines >> 3)) this.kept.splice(0, this.kept.length - this.keepLines);
    for (const w of [...this.waiters]) if (w.feed(l)) this.waiters.delete(w);
    return l;
  }

  /** No more lines: pending expects reject with the error `why` builds. */
  end(why: (what: string) => HilrigError): void {
    this.ended = why;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w.end();
  }

  expect(pattern: Pattern, timeoutMs?: number): Promise<ExpectResult> {
    const re = toRegExp(pattern);
    return this.waitFor(`a line matching ${describePattern(pattern)}`, timeoutMs, (l) => {
      const match = re.exec(l.text);
      return match ? { result: { line: l, match }, last: l.index } : undefined;
    });
  }

  expectAll(patterns: readonly Pattern[], timeoutMs?: number): Promise<ExpectResult[]> {
    const res = patterns.map(toRegExp);
    const found = new Map<number, ExpectResult>();
    return this.waitFor(`lines matching all of ${patterns.map(describePattern).join(', ')}`, timeoutMs, (l) => {
      res.forEach((re, i) => {
        const match = found.has(i) ? null : re.exec(l.text);
        if (match) found.set(i, { line: l, match });
      });
      if (found.size < res.length) return undefined;
      return { result: res.map((_, i) => found.get(i)!), last: l.index };
    });
  }

  expectNot(pattern: Pattern, withinMs: number): Promise<void> {
    const re = toRegExp(pattern);
    const forbidden = (l: CapturedLine): HilrigError =>
      new HilrigError('PROTOCOL', `${this.who}: line ${l.index} matches ${describePattern(pattern)}, which must not appear: ${JSON.stringify(l.text)}`);
    return new Promise<void>((resolve, reject) => {
      const hit = this.kept.find((l) => l.index >= this.cursor && re.test(l.text));
      if (hit) return reject(forbidden(hit));
      if (this.ended) return resolve();
      const timer = this.timers.addTimer(withinMs, () => {
        this.waiters.delete(w);
        resolve();
      });
      const w: Waiter = {
        feed: (l) => {
          if (!re.test(l.text)) return false;
          this.timers.cancelTimer(timer);
          reject(forbidden(l));
          return true;
        },
        // a closed link cannot print the forbidden line any more
        end: () => {
          this.timers.cancelTimer(timer);
          resolve();
        },
      };
      this.waiters.add(w);
    });
  }

  /**
   * Offer kept lines after the cursor, then new lines, to `test` until it returns a result;
   * then move the cursor past `last`. Rejects with TIMEOUT after `ms`, or when lines end.
   */
  private waitFor<T>(what: string, ms: number | undefined, test: (l: CapturedLine) => { result: T; last: number } | undefined): Promise<T> {
    const timeoutMs = ms ?? DEFAULT_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      const settle = (l: CapturedLine): boolean => {
        const r = test(l);
        if (!r) return false;
        this.cursor = Math.max(this.cursor, r.last + 1);
        resolve(r.result);
        return true;
      };
      for (const l of this.kept) if (l.index >= this.cursor && settle(l)) return;
      if (this.ended) return reject(this.ended(what));
      const timer = this.timers.addTimer(timeoutMs, () => {
        this.waiters.delete(w);
        reject(this.timeoutError(what, timeoutMs));
      });
      const w: Waiter = {
        feed: (l) => {
          if (!settle(l)) return false;
          this.timers.cancelTimer(timer);
          return true;
        },
        end: () => {
          this.timers.cancelTimer(timer);
          reject(this.ended!(what));
        },
      };
      this.waiters.add(w);
    });
  }

  private timeoutError(what: string, ms: number): HilrigError {
    const last = this.kept.slice(-LAST_LINES_SHOWN);
    const seen = last.length === 0 ? 'no console lines at all' : `the last lines seen:\n${last.map((l) => `  | ${l.text}`).join('\n')}`;
    return new HilrigError('TIMEOUT', `${this.who}: no ${what.replace(/^an? /, '')} within ${ms} ms; ${seen}`);
  }
}
