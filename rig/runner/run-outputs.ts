// What a run leaves in its output folder, and when:
//   results.json   rewritten after every test (atomic), marked finished at the end
//   junit.xml      at the end
//   trace.pcapng   every byte on the rig's links (the manager's trace tap), as the run goes
//   trace.jsonl    the same bytes as JSON Lines, for scripts
//   console.jsonl  the board's console lines, each stamped with the test that was running
//                  (only when the rig sees the console, e.g. the in-process virtual board)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Manager } from '../engine/manager.js';
import { makeLine } from '../../protocols/console/line-codec.js';
import { writeJunitXml } from '../../reports/junit/junit-writer.js';
import { type RunInfo, type RunResult, runResult, type TestResult } from '../../reports/results/result-model.js';
import { ResultsJsonWriter } from '../../reports/results/results-json.js';
import { ConsoleJsonlWriter } from '../../reports/trace/console-jsonl.js';
import { PcapngTraceWriter } from '../../reports/trace/pcapng-writer.js';
import { TraceJsonlWriter } from '../../reports/trace/trace-jsonl.js';

export const OUTPUT_FILES = {
  results: 'results.json',
  junit: 'junit.xml',
  pcapng: 'trace.pcapng',
  traceJsonl: 'trace.jsonl',
  console: 'console.jsonl',
} as const;

const utf8 = new TextEncoder();

export class RunOutputs {
  readonly tests: TestResult[] = [];
  private readonly results: ResultsJsonWriter;
  private readonly pcapng: PcapngTraceWriter;
  private readonly jsonl: TraceJsonlWriter;
  private console: ConsoleJsonlWriter | undefined;
  private readonly startedAt = performance.now();

  /** Create `dir` and open the trace files; throws the fs error when the folder cannot be written. */
  constructor(
    readonly dir: string,
    mgr: Manager,
    private readonly info: RunInfo,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.results = new ResultsJsonWriter(this.file('results'));
    this.pcapng = PcapngTraceWriter.open(this.file('pcapng'), { comment: `hilrig run against ${info.board.name}` });
    this.jsonl = TraceJsonlWriter.open(this.file('traceJsonl'));
    this.pcapng.subscribe(mgr.tap);
    this.jsonl.subscribe(mgr.tap);
    this.results.write(this.snapshot());
  }

  file(kind: keyof typeof OUTPUT_FILES): string {
    return path.join(this.dir, OUTPUT_FILES[kind]);
  }

  get hasConsole(): boolean {
    return this.console !== undefined;
  }

  /** One console line of the board; `test` is the id of the test running, if any. */
  consoleLine(text: string, board: string, tsNs: bigint, test: string | undefined): void {
    this.console ??= ConsoleJsonlWriter.open(this.file('console'), { truncate: true });
    this.console.test = test;
    this.console.write(makeLine(utf8.encode(text), 'lf'), tsNs, board);
  }

  setPlanned(planned: number): void {
    this.info.planned = planned;
    this.results.write(this.snapshot());
  }

  testEnded(result: TestResult): void {
    this.tests.push(result);
    this.results.write(this.snapshot());
  }

  /** The final results.json and junit.xml; closes the traces. Returns the run's result. */
  finish(update: Partial<RunInfo>): RunResult {
    Object.assign(this.info, update, { finished: true });
    const run = this.snapshot();
    this.results.write(run);
    writeJunitXml(this.file('junit'), run);
    this.pcapng.close();
    this.jsonl.close();
    this.console?.close();
    return run;
  }

  /** Close the files without declaring the run finished (it failed before its first test). */
  abandon(): void {
    this.pcapng.close();
    this.jsonl.close();
    this.console?.close();
  }

  snapshot(): RunResult {
    this.info.durationMs = Math.round(performance.now() - this.startedAt);
    return runResult(this.info, this.tests);
  }
}
