// What report.html carries: the runs' results shaped for the viewer. It goes into the page as
// JSON and the viewer (viewer/*.ts) renders it; the page never holds board text as markup.
// The console lines are not in here: there can be hundreds of thousands of them, so they travel
// compressed in a block of their own (console-block.ts) and this data says where each test's are.
import { countVerdicts, type RunInfo, type RunResult, type TestResult, type Verdict, type VerdictCounts } from '../results/result-model.js';
import { findFirmware, type FirmwareInfo } from './firmware-banner.js';

export const REPORT_SCHEMA = 'hilrig-report/1';

/** A file of the run the report links to (a trace, junit.xml, results.json), relative to report.html. */
export interface ReportLink {
  name: string;
  href: string;
}

/** One run (one board) of the report. */
export interface ReportRun {
  /** the board's name, made unique among the report's runs ('nucleo', 'nucleo #2') */
  label: string;
  board: RunInfo['board'];
  firmware?: FirmwareInfo;
  host: string;
  startedAt: string;
  durationMs: number;
  hilrig: string;
  suites: string[];
  grep?: string;
  clockFactor: number;
  timeoutMs: number;
  planned: number;
  finished: boolean;
  interrupted: boolean;
  counts: VerdictCounts;
  links: ReportLink[];
}

/** A test as the viewer shows it; its console lines are in the console block. */
export interface ReportTest extends Omit<TestResult, 'console'> {
  /** index into ReportData.runs */
  run: number;
  /** index of the test's first line among all console lines of the report */
  consoleFrom: number;
  consoleCount: number;
}

export interface ReportData {
  schema: typeof REPORT_SCHEMA;
  title: string;
  /** ISO-8601 UTC */
  generatedAt: string;
  runs: ReportRun[];
  /** failed tests first, then errors, inconclusive, passed; run order within a verdict */
  tests: ReportTest[];
  /** all runs together */
  counts: VerdictCounts;
  /** the suite names that occur, in order of first appearance */
  suites: string[];
  /** lines in the console block (the sum of the tests' consoleCount) */
  consoleLines: number;
}

/** A run to put in a report, with what lies beside its results.json. */
export interface ReportInput {
  result: RunResult;
  links?: ReportLink[];
  /** console lines from before the first test (the boot banner), e.g. the head of console.jsonl */
  bootConsole?: readonly string[];
}

/** The order of the table: what needs a look first. */
export const VERDICT_ORDER: Record<Verdict, number> = { fail: 0, error: 1, inconclusive: 2, pass: 3 };

/** The data of the page, and the console lines in the order the tests' consoleFrom counts them. */
export function reportData(inputs: readonly ReportInput[], title: string, now: Date): { data: ReportData; consoleLines: string[] } {
  const labels = uniqueLabels(inputs.map((i) => i.result.board.name));
  const runs = inputs.map((input, i) => reportRun(input, labels[i]!));
  const ordered = inputs
    .flatMap((input, run) => input.result.tests.map((test, index) => ({ test, run, index })))
    .sort((a, b) => VERDICT_ORDER[a.test.verdict] - VERDICT_ORDER[b.test.verdict] || a.run - b.run || a.index - b.index);
  const consoleLines: string[] = [];
  const tests = ordered.map(({ test, run }): ReportTest => {
    const { console: lines, ...rest } = test;
    const entry: ReportTest = { ...rest, run, consoleFrom: consoleLines.length, consoleCount: lines.length };
    for (const line of lines) consoleLines.push(line);
    return entry;
  });
  const all = inputs.flatMap((i) => i.result.tests);
  const counts = countVerdicts(all, inputs.reduce((n, i) => n + Math.max(i.result.planned, i.result.tests.length), 0));
  const suites = [...new Set(all.map((t) => t.suite))];
  return { data: { schema: REPORT_SCHEMA, title, generatedAt: now.toISOString(), runs, tests, counts, suites, consoleLines: consoleLines.length }, consoleLines };
}

function reportRun(input: ReportInput, label: string): ReportRun {
  const r = input.result;
  const firmware = findFirmware([...(input.bootConsole ?? []), ...r.tests.flatMap((t) => t.console.slice(0, 50))]);
  return {
    label,
    board: r.board,
    ...(firmware ? { firmware } : {}),
    host: r.host,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    hilrig: r.hilrig,
    suites: r.suites,
    ...(r.grep !== undefined ? { grep: r.grep } : {}),
    clockFactor: r.clockFactor,
    timeoutMs: r.timeoutMs,
    planned: r.planned,
    finished: r.finished,
    interrupted: r.interrupted,
    // counted again from the tests: a hand-edited or merged file may disagree with its counts
    counts: countVerdicts(r.tests, r.planned),
    links: input.links ?? [],
  };
}

/** Board names as labels, a second board of the same name numbered: 'nucleo', 'nucleo #2'. */
export function uniqueLabels(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} #${n}`;
  });
}
