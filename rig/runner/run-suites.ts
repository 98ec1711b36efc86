// The suite runner: mocha, driven from code, against one board. It resolves the suites to spec
// files, sets the rig context the suite files read (board, manager, clock), loads the files into
// a fresh mocha instance, runs them with a reporter that collects verdicts instead of printing,
// and writes the outputs as the tests finish (run-outputs.ts). A test that throws is an `error`
// for that test only; mocha moves on, and suite-api gives the next test a fresh link.
//
// One run at a time per process (the rig context and the test records are process-wide), but
// runs may follow each other: every run gets a new mocha instance and fresh copies of the spec
// files, and leaves no context or record behind.
import * as os from 'node:os';
import Mocha from 'mocha';
import type { Clock } from '../engine/clock.js';
import type { Manager } from '../engine/manager.js';
import type { CoapParams } from '../../protocols/coap/coap-params.js';
import type { RunInfo, RunResult, TestResult } from '../../reports/results/result-model.js';
import { RunCollector } from './collector.js';
import { SuiteError } from './errors.js';
import { loadSpecFiles } from './load-specs.js';
import { RunOutputs } from './run-outputs.js';
import { type BoardUnderTest, setRigContext, testRecords } from './suite-api.js';
import { resolveSuites, type SuiteSource } from './suite-files.js';
import { clockFactor, effectiveTimeout } from './timeouts.js';
import { hilrigVersion } from './version.js';

/** The board's console as the rig sees it (the in-process virtual board; a console link). */
export interface BoardConsole {
  /** call `fn` with every line from now on; returns the unsubscribe */
  onLine(fn: (text: string) => void): () => void;
}

export type ProgressEvent =
  | { kind: 'start'; planned: number; timeoutMs: number; timeoutRaised: boolean; outDir: string }
  | { kind: 'test-start'; id: string; title: string; suite: string }
  | { kind: 'test-end'; result: TestResult; done: number; planned: number };

export interface RunOptions {
  board: BoardUnderTest & { bugs?: string[] };
  /** installed suite names ('coap') or paths to a folder or file of .js specs */
  suites: string[];
  /** a regular expression over "ID: title" (and the describe titles around it) */
  grep?: string;
  /** stop after the first test that does not pass or end inconclusive */
  bail?: boolean;
  /** per-test timeout, wall ms (default 30 000; raised when below what a silent board needs) */
  timeoutMs?: number;
  outDir: string;
  clock: Clock;
  mgr: Manager;
  coapParams?: Partial<CoapParams>;
  onProgress?: (ev: ProgressEvent) => void;
  boardConsole?: BoardConsole;
  /** abort: the run stops after the test in progress and is marked interrupted */
  signal?: AbortSignal;
  /** where installed suites live (default: dist/suites of this hilrig) */
  suitesRoot?: string;
}

/** Run the suites; resolves with the run's result. Throws SuiteError before the first test when a suite is missing or does not load. */
export async function runSuites(opts: RunOptions): Promise<RunResult> {
  const sources = resolveSuites(opts.suites, { root: opts.suitesRoot });
  const grep = compileGrep(opts.grep);
  const factor = clockFactor(opts.clock);
  const { timeoutMs, raised } = effectiveTimeout(opts.timeoutMs, factor, opts.coapParams);
  const info: RunInfo = {
    board: { name: opts.board.name, ...(opts.board.coapUrl ? { coapUrl: opts.board.coapUrl } : {}), ...(opts.board.bugs?.length ? { bugs: [...opts.board.bugs] } : {}) },
    host: os.hostname() || 'localhost',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    hilrig: hilrigVersion(),
    suites: [...opts.suites],
    ...(opts.grep !== undefined ? { grep: opts.grep } : {}),
    bail: opts.bail === true,
    timeoutMs,
    clockFactor: factor,
    planned: 0,
    finished: false,
    interrupted: false,
  };
  const labels = fileLabels(sources);
  // made once the spec files have loaded: a suite that does not load leaves no output folder
  let outputs: RunOutputs | undefined;
  const collector = new RunCollector({
    labelOf: (file) => (file !== undefined ? labels.get(file) : undefined) ?? sources[0]?.label ?? 'suite',
    timeoutMs,
    onStart: (planned) => {
      outputs!.setPlanned(planned);
      opts.onProgress?.({ kind: 'start', planned, timeoutMs, timeoutRaised: raised, outDir: opts.outDir });
    },
    onTestStart: (t) => opts.onProgress?.({ kind: 'test-start', ...t }),
    onTestEnd: (result) => {
      outputs!.testEnded(result);
      opts.onProgress?.({ kind: 'test-end', result, done: outputs!.tests.length, planned: info.planned });
    },
  });
  // mocha constructs the reporter itself, with the runner
  class Reporter {
    constructor(runner: Mocha.Runner) {
      collector.attach(runner);
    }
  }
  const mochaOptions: Mocha.MochaOptions & { failHookAffectedTests: boolean } = {
    timeout: timeoutMs,
    bail: opts.bail === true,
    reporter: Reporter as unknown as Mocha.ReporterConstructor,
    // a before-hook that throws fails the tests it kept from running (each an `error`)
    failHookAffectedTests: true,
  };
  if (grep) mochaOptions.grep = grep;
  const mocha = new Mocha(mochaOptions);

  testRecords.clear();
  setRigContext({ board: opts.board, mgr: opts.mgr, clock: opts.clock, coapParams: opts.coapParams });
  let interrupted = false;
  let offConsole: (() => void) | undefined;
  try {
    await loadSpecFiles(mocha, sources.flatMap((s) => s.files));
    if (countSelected(mocha.suite, grep) === 0) {
      const names = opts.suites.join(', ');
      throw new SuiteError('NO_TESTS', opts.grep !== undefined ? `no test of ${names} matches --grep ${opts.grep}` : `suite ${names} registers no tests`);
    }
    info.startedAt = new Date().toISOString();
    const out = (outputs = openOutputs(opts.outDir, opts.mgr, info));
    offConsole = opts.boardConsole?.onLine((text) => {
      collector.consoleLine(text);
      out.consoleLine(text, opts.board.name, opts.clock.epochNs(), collector.currentId);
    });
    await new Promise<void>((resolve) => {
      const abort = (): void => {
        interrupted = true;
        runner.abort();
      };
      const runner = mocha.run(() => {
        opts.signal?.removeEventListener('abort', abort);
        resolve();
      });
      if (opts.signal?.aborted) abort();
      else opts.signal?.addEventListener('abort', abort, { once: true });
    });
    return out.finish({ interrupted });
  } catch (e) {
    outputs?.abandon();
    throw e;
  } finally {
    offConsole?.();
    setRigContext(undefined);
    testRecords.clear();
    mocha.dispose();
  }
}

function compileGrep(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new SuiteError('BAD_GREP', `--grep "${pattern}" is not a regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function openOutputs(dir: string, mgr: Manager, info: RunInfo): RunOutputs {
  try {
    return new RunOutputs(dir, mgr, info);
  } catch (e) {
    throw new SuiteError('OUT_DIR_UNWRITABLE', `cannot write the results to ${dir}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

/** The tests mocha will run: those whose full title `grep` matches (mocha's grepTotal). */
function countSelected(suite: Mocha.Suite, grep: RegExp | undefined): number {
  const own = suite.tests.filter((t) => !grep || grep.test(t.fullTitle())).length;
  return suite.suites.reduce((n, s) => n + countSelected(s, grep), own);
}

function fileLabels(sources: readonly SuiteSource[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of sources) for (const f of s.files) if (!m.has(f)) m.set(f, s.label);
  return m;
}
