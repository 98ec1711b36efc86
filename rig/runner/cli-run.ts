// `hilrig run` once the board is ready: which suites, where the outputs go, Ctrl-C, the lines
// printed as tests end, the summary, and the exit code.
import * as path from 'node:path';
import { Exit } from '../cli/exit-codes.js';
import type { PreparedBoard } from './board-setup.js';
import { SuiteError } from './errors.js';
import { freshOutDir, linkLatest } from './out-dir.js';
import { boardLabel, exitCodeOf, progressLine, summary } from './progress.js';
import { OUTPUT_FILES } from './run-outputs.js';
import { runSuites } from './run-suites.js';
import { installedSuites } from './suite-files.js';

export interface CliRunOptions {
  suites?: string[];
  grep?: string;
  /** absolute; undefined: results/<timestamp>/ with results/latest */
  out?: string;
  bail: boolean;
  timeoutMs?: number;
}

/** Suites that talk CoAP: a board without a CoAP transport cannot run them. */
const COAP_SUITES = new Set(['coap', 'smoke']);
const RESULTS_BASE = 'results';

export async function runFromCli(prepared: PreparedBoard, o: CliRunOptions): Promise<number> {
  const suites = pickSuites(prepared, o.suites);
  if (typeof suites === 'number') return suites;
  const needsCoap = suites.filter((s) => COAP_SUITES.has(s));
  if (needsCoap.length > 0 && !prepared.board.coapUrl) {
    return err(Exit.USAGE, `board "${prepared.board.name}" has no CoAP transport, which suite ${needsCoap.join(', ')} needs (transports.coap in the rig file, or a coap:// / udp:// / coap+serial:// --target)`);
  }
  const outDir = o.out ?? freshOutDir(path.resolve(RESULTS_BASE));
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (++signals === 1) {
      process.stderr.write(`\nhilrig run: ${sig}: stopping after the test in progress (again to quit at once)\n`);
      controller.abort();
    } else {
      process.stderr.write(`hilrig run: ${sig} again: quitting; ${path.join(outDir, OUTPUT_FILES.results)} holds the tests that ended\n`);
      process.exit(Exit.RIG_ERROR);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const run = await runSuites({
      board: prepared.board,
      suites,
      grep: o.grep,
      bail: o.bail,
      timeoutMs: o.timeoutMs ?? prepared.timeoutMs,
      outDir,
      clock: prepared.clock,
      mgr: prepared.mgr,
      boardConsole: prepared.boardConsole,
      signal: controller.signal,
      onProgress: (ev) => {
        if (ev.kind === 'start') {
          if (o.out === undefined && !linkLatest(path.resolve(RESULTS_BASE), outDir)) process.stderr.write(`hilrig run: ${RESULTS_BASE}/latest is not a symlink; left as it is\n`);
          const raised = ev.timeoutRaised ? `, raised so a silent board can time out by the RFC's rules first` : '';
          process.stdout.write(`hilrig run: ${ev.planned} test${ev.planned === 1 ? '' : 's'} of ${suites.join(', ')} against ${boardLabel(prepared.board)}; per-test timeout ${ev.timeoutMs} ms${raised}\n`);
        } else if (ev.kind === 'test-end') {
          process.stdout.write(`${progressLine(ev.result, ev.done, ev.planned, colour)}\n`);
        }
      },
    });
    process.stdout.write(summary(run, colour));
    const rel = (kind: keyof typeof OUTPUT_FILES): string => path.relative(process.cwd(), path.join(outDir, OUTPUT_FILES[kind])) || OUTPUT_FILES[kind];
    process.stdout.write(`\njunit:   ${rel('junit')}\ntrace:   ${rel('pcapng')}\nresults: ${rel('results')}\n`);
    // the page a person reads last, so its path is the run's final line
    try {
      const { writeRunReport } = await import('../../reports/html/report-files.js');
      const report = writeRunReport(outDir);
      process.stdout.write(`report:  ${path.relative(process.cwd(), report) || report}\n`);
    } catch (e) {
      process.stderr.write(`hilrig run: the HTML report could not be written (${e instanceof Error ? e.message : String(e)}); results.json has everything\n`);
    }
    return exitCodeOf(run);
  } catch (e) {
    if (e instanceof SuiteError) return err(Exit.USAGE, e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function err(code: number, message: string): number {
  process.stderr.write(`hilrig run: ${message}\n`);
  return code;
}

/**
 * --suite as given; else the rig file's list for the board, less the suites this hilrig does not
 * ship (said on stderr, so a rig file written for a newer hilrig still runs what it can); else coap.
 */
function pickSuites(prepared: PreparedBoard, asked: string[] | undefined): string[] | number {
  if (asked) return asked;
  if (!prepared.suites || prepared.suites.length === 0) return ['coap'];
  const have = new Set(installedSuites());
  const missing = prepared.suites.filter((s) => !have.has(s));
  const present = prepared.suites.filter((s) => have.has(s));
  if (missing.length > 0) process.stderr.write(`hilrig run: the rig file lists suite ${missing.join(', ')} for board "${prepared.board.name}", which this hilrig does not have; skipped\n`);
  if (present.length === 0) return err(Exit.USAGE, `none of the board's suites (${prepared.suites.join(', ')}) is installed; installed: ${[...have].join(', ') || '(none)'}`);
  return present;
}
