// report.html for a long run: how long renderReport takes and how big the page is, for 500 tests
// and 200 000 console lines by default (goal: under 2 s and under 10 MB). The peer, measured in the
// same rounds, is writing the same run's results.json (JSON.stringify as ResultsJsonWriter does
// it), the cost every run already pays: the ratios say what the report adds on top.
//   node dist/bench/report-size.js [--tests 500] [--lines 200000] [--rounds 5]
import { parseArgs } from 'node:util';
import { renderReport } from '../reports/html/render-report.js';
import { syntheticRun } from '../reports/html/synthetic-run.js';
import { intOption, median, ratios, spread } from './lib/stats.js';

const { values } = parseArgs({ options: { tests: { type: 'string', default: '500' }, lines: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const tests = intOption('tests', values.tests, 1);
const lines = intOption('lines', values.lines, 0);
const rounds = intOption('rounds', values.rounds, 1);

const GOAL_MS = 2000;
const GOAL_BYTES = 10e6;

const run = syntheticRun({ tests, consoleLines: lines });
const consoleBytes = run.tests.reduce((n, t) => n + t.console.reduce((m, l) => m + Buffer.byteLength(l) + 1, 0), 0);

const reportMs: number[] = [];
const jsonMs: number[] = [];
let html = '';
let json = '';
for (let r = 0; r < rounds; r++) {
  // alternate which goes first, so neither always runs on a warmer heap
  const order = r % 2 === 0 ? ['report', 'json'] : ['json', 'report'];
  for (const which of order) {
    const t0 = performance.now();
    if (which === 'report') html = renderReport(run);
    else json = `${JSON.stringify(run, null, 2)}\n`;
    (which === 'report' ? reportMs : jsonMs).push(performance.now() - t0);
  }
}

const htmlBytes = Buffer.byteLength(html);
const jsonBytes = Buffer.byteLength(json);
const consoleBlock = /id="console">([^<]*)</.exec(html)?.[1]?.length ?? 0;
const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;
const verdict = (ok: boolean): string => (ok ? 'within the goal' : 'OVER THE GOAL');

process.stdout.write(`report.html for ${tests} tests, ${lines.toLocaleString('en-US')} console lines (${mb(consoleBytes)} of console text), ${rounds} rounds\n`);
process.stdout.write(`  renderReport       ${spread(reportMs, 1, 'ms')}   goal < ${GOAL_MS} ms: ${verdict(median(reportMs) < GOAL_MS)}\n`);
process.stdout.write(`  results.json       ${spread(jsonMs, 1, 'ms')}   (the peer: JSON.stringify of the same run)\n`);
process.stdout.write(`  time ratio         ${spread(ratios(reportMs, jsonMs), 2, '×')} of writing results.json\n`);
process.stdout.write(`  report.html        ${mb(htmlBytes)}   goal < ${mb(GOAL_BYTES)}: ${verdict(htmlBytes < GOAL_BYTES)}\n`);
process.stdout.write(`    console block    ${mb(consoleBlock)} (gzip + base64 of ${mb(consoleBytes)})\n`);
process.stdout.write(`  results.json       ${mb(jsonBytes)}\n`);
process.stdout.write(`  size ratio         ${(htmlBytes / jsonBytes).toFixed(2)}× of results.json\n`);
