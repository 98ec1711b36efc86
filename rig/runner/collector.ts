// Our mocha reporter: it prints nothing, it turns mocha's events into TestResults. mocha's view
// of a test (passed, failed with an error, pending) meets the test's own record (suite-api's
// testRecords) at 'test end', where the verdict is decided (verdict-map.ts) and the record is
// taken out of the shared map, so a second run in the same process starts from nothing.
import type Mocha from 'mocha';
import type { TestResult } from '../../reports/results/result-model.js';
import { exchangeMessage } from './exchange-json.js';
import { type TestRecord, testRecords } from './suite-api.js';
import { isMochaTimeout, judgeTest, type MochaOutcome } from './verdict-map.js';

export interface CollectorHooks {
  /** the suite a spec file belongs to (its --suite entry) */
  labelOf(file: string | undefined): string;
  /** mocha's per-test timeout, wall ms */
  timeoutMs: number;
  onStart(planned: number): void;
  onTestStart(test: { id: string; title: string; suite: string }): void;
  onTestEnd(result: TestResult): void;
}

interface Running {
  test: Mocha.Test;
  startedAt: number;
  startedIso: string;
  outcome: MochaOutcome;
  console: string[];
}

/** "ID: title" → id and title; a plain mocha title is both. */
export function splitTitle(title: string): { id: string; title: string } {
  const m = /^([A-Za-z0-9_.\-/]+): (.+)$/s.exec(title);
  return m ? { id: m[1]!, title: m[2]! } : { id: title, title };
}

const HOOK_BEFORE = /^"before (all|each)" hook/;

export class RunCollector {
  private current: Running | undefined;
  /** the hook results kept apart (an after-each or after-all hook that threw) */
  private hookCount = 0;

  constructor(private readonly hooks: CollectorHooks) {}

  /** A console line the board printed: it belongs to the test running now, if any. */
  consoleLine(text: string): void {
    this.current?.console.push(text);
  }

  /** The id of the test running now (console.jsonl stamps its records with it). */
  get currentId(): string | undefined {
    return this.current ? this.idOf(this.current.test) : undefined;
  }

  attach(runner: Mocha.Runner): void {
    runner.on('start', () => this.hooks.onStart(runner.total));
    runner.on('test', (test) => {
      this.current = { test, startedAt: performance.now(), startedIso: new Date().toISOString(), outcome: { state: 'passed' }, console: [] };
      const rec = testRecords.get(test.fullTitle());
      const { id, title } = rec ? { id: rec.meta.id, title: rec.meta.title } : splitTitle(test.title);
      this.hooks.onTestStart({ id, title, suite: rec?.suite ?? this.hooks.labelOf(test.file) });
    });
    runner.on('pending', (test) => {
      // a static skip (it.skip) has no 'test' event before it
      if (this.current?.test !== test) this.current = { test, startedAt: performance.now(), startedIso: new Date().toISOString(), outcome: { state: 'pending' }, console: [] };
      this.current.outcome = { state: 'pending' };
    });
    runner.on('fail', (runnable: Mocha.Runnable, err: unknown) => {
      const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as MochaOutcome['err'];
      if ((runnable as { type?: string }).type === 'hook') return this.hookFailed(runnable, e);
      if (this.current?.test === runnable) this.current.outcome = { state: 'failed', err: e };
    });
    runner.on('test end', (test) => this.testEnded(test));
  }

  private idOf(test: Mocha.Test): string {
    return testRecords.get(test.fullTitle())?.meta.id ?? splitTitle(test.title).id;
  }

  private testEnded(test: Mocha.Test): void {
    const run: Running = this.current?.test === test ? this.current : { test, startedAt: performance.now(), startedIso: new Date().toISOString(), outcome: { state: 'passed' }, console: [] };
    this.current = undefined;
    if (test.state === 'failed' && run.outcome.state !== 'failed') run.outcome = { state: 'failed', err: { message: 'failed' } };
    const key = test.fullTitle();
    const rec = testRecords.get(key);
    testRecords.delete(key);
    const timedOut = isMochaTimeout(run.outcome);
    const judged = judgeTest(run.outcome, rec, this.hooks.timeoutMs);
    const names = rec ? { id: rec.meta.id, title: rec.meta.title } : splitTitle(test.title);
    const result: TestResult = {
      ...names,
      suite: rec?.suite ?? this.hooks.labelOf(test.file),
      verdict: judged.verdict,
      ...(judged.message !== undefined ? { message: judged.message } : {}),
      ...(judged.rule !== undefined ? { rule: judged.rule } : {}),
      ...(judged.errorName !== undefined ? { errorName: judged.errorName } : {}),
      durationMs: Math.round(performance.now() - run.startedAt),
      ...(rec?.durationMs !== undefined && !timedOut ? { clockMs: Math.round(rec.durationMs) } : {}),
      startedAt: run.startedIso,
      specRefs: rec ? [...rec.meta.refs] : [],
      needs: rec?.meta.needs ? [...rec.meta.needs] : [],
      exchange: rec ? exchangeOf(rec, timedOut).map(exchangeMessage) : [],
      notes: rec ? [...rec.notes] : [],
      console: run.console,
      ...(test.file ? { file: test.file } : {}),
    };
    this.hooks.onTestEnd(result);
  }

  /**
   * A hook threw. Tests a before-hook kept from running are failed by mocha itself
   * (failHookAffectedTests) and get their own results; an after-hook has no test to blame, so
   * it becomes a result of its own.
   */
  private hookFailed(hook: Mocha.Runnable, err: MochaOutcome['err']): void {
    if (HOOK_BEFORE.test(hook.title)) return;
    const message = typeof err?.message === 'string' ? err.message : 'hook failed';
    this.hooks.onTestEnd({
      id: `hook-${++this.hookCount}`,
      suite: this.hooks.labelOf(hook.file),
      title: hook.fullTitle(),
      verdict: 'error',
      message,
      errorName: 'HookFailed',
      durationMs: 0,
      startedAt: new Date().toISOString(),
      specRefs: [],
      needs: [],
      exchange: [],
      notes: [],
      console: [],
      ...(hook.file ? { file: hook.file } : {}),
    });
  }
}

/**
 * The test's messages. A test mocha gave up on is still awaiting with its links open: take what
 * they logged so far and close them, so the body unwinds and the next test has the link alone.
 */
function exchangeOf(rec: TestRecord, timedOut: boolean): TestRecord['exchange'] {
  if (!timedOut) return rec.exchange;
  const log = rec.links.flatMap((c) => c.log);
  for (const c of rec.links) c.close();
  return log;
}
