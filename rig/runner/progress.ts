// What `hilrig run` prints: a line per test as it ends, then a summary (counts by verdict, the
// failed and errored tests with their messages), then where the outputs are, results.json last.
// Colours only when asked (a TTY, and NO_COLOR unset: the caller decides). Text from the board
// never reaches the terminal raw: control characters are shown as \xNN, so an ESC in a message
// cannot repaint the screen.
import type { RunResult, TestResult, Verdict } from '../../reports/results/result-model.js';
import { Exit, type ExitCode } from '../cli/exit-codes.js';

const COLOURS: Record<Verdict, string> = { pass: '32', fail: '31', inconclusive: '33', error: '35' };

export function terminalSafe(s: string): string {
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const paint = (colour: boolean, code: string, text: string): string => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);

function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;
}

/** `  [ 3/12] pass          SMOKE_01  GET /test is answered ...  (12 ms)` */
export function progressLine(r: TestResult, done: number, planned: number, colour: boolean): string {
  const width = String(Math.max(planned, done)).length;
  const counter = `[${String(done).padStart(width)}/${Math.max(planned, done)}]`;
  const verdict = paint(colour, COLOURS[r.verdict], r.verdict.padEnd(12));
  return `  ${counter} ${verdict}  ${terminalSafe(r.id)}  ${terminalSafe(r.title)}  (${ms(r.durationMs)})`;
}

export function summary(run: RunResult, colour: boolean): string {
  const c = run.counts;
  const lines = [
    '',
    `${c.total} test${c.total === 1 ? '' : 's'} against ${boardLabel(run.board)} in ${ms(run.durationMs)}${run.interrupted ? ', interrupted' : ''}`,
  ];
  const rows: [string, number, string][] = [
    ['pass', c.pass, COLOURS.pass],
    ['fail', c.fail, COLOURS.fail],
    ['inconclusive', c.inconclusive, COLOURS.inconclusive],
    ['error', c.error, COLOURS.error],
  ];
  if (c.notRun > 0) rows.push(['not run', c.notRun, '2']);
  for (const [name, n, code] of rows) lines.push(`  ${paint(colour && n > 0, code, name.padEnd(14))}${String(n).padStart(5)}`);
  const list = (title: string, v: Verdict): void => {
    const tests = run.tests.filter((t) => t.verdict === v);
    if (tests.length === 0) return;
    lines.push('', `${title}:`);
    for (const t of tests) lines.push(`  ${paint(colour, COLOURS[v], terminalSafe(t.id))}  ${terminalSafe(t.message ?? '(no message)')}`);
  };
  list('Failed', 'fail');
  list('Errors', 'error');
  return `${lines.join('\n')}\n`;
}

/** The board's name, and its CoAP URL when the name is not already a URL (--target). */
export function boardLabel(b: { name: string; coapUrl?: string }): string {
  const name = terminalSafe(b.name);
  return b.coapUrl && !b.name.includes('://') ? `${name} (${terminalSafe(b.coapUrl)})` : name;
}

/** 1 when a test failed; else 3 when one errored or the run was interrupted; else 0. */
export function exitCodeOf(run: RunResult): ExitCode {
  if (run.counts.fail > 0) return Exit.TEST_FAILED;
  if (run.counts.error > 0 || run.interrupted) return Exit.RIG_ERROR;
  return Exit.OK;
}
