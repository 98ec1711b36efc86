// report.html from a run's output folder: read results.json (checked), the boot lines at the head
// of console.jsonl, see which trace files lie beside it, and write the page next to them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReportInput, ReportLink } from './report-data.js';
import { ReportError } from './report-errors.js';
import { renderMergedReport } from './render-report.js';
import { checkRunResult } from './results-schema.js';

export const REPORT_FILE = 'report.html';
const RESULTS_FILE = 'results.json';
const CONSOLE_FILE = 'console.jsonl';
/** What the report links to, when the folder has it: the run's own outputs (rig/runner/run-outputs.ts). */
const LINKED_FILES = ['trace.pcapng', 'junit.xml', 'results.json', 'trace.jsonl', 'console.jsonl'];
/** The boot banner comes first: the head of console.jsonl is enough, however long the log. */
const CONSOLE_HEAD_BYTES = 256 * 1024;
const BOOT_LINES = 200;

/** The run of `dir`/results.json, with what lies beside it, its links relative to `reportDir`. */
export function readRunDir(dir: string, reportDir: string = dir): ReportInput {
  const file = path.join(dir, RESULTS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (is this a hilrig run folder? hilrig run --out DIR writes one)' : (e as Error).message;
    throw new ReportError('RESULTS_MISSING', `${file}: ${why}`, file, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ReportError('RESULTS_INVALID', `${file}: not valid JSON: ${(e as Error).message}`, file, { cause: e });
  }
  const checked = checkRunResult(value);
  if (!checked.ok) {
    const more = checked.problems.length > 3 ? `\n  ... and ${checked.problems.length - 3} more` : '';
    throw new ReportError('RESULTS_INVALID', `${file}: not a hilrig results file:\n  ${checked.problems.slice(0, 3).join('\n  ')}${more}`, file);
  }
  return { result: checked.run, links: linksIn(dir, reportDir), bootConsole: bootLines(path.join(dir, CONSOLE_FILE)) };
}

/** The run's files that exist, as links relative to the report's folder. */
export function linksIn(dir: string, reportDir: string): ReportLink[] {
  return LINKED_FILES.filter((name) => fs.existsSync(path.join(dir, name))).map((name) => ({ name, href: hrefTo(reportDir, path.join(dir, name)) }));
}

/** A relative URL from the report's folder to `file`, each segment escaped (spaces, '#', '?'). */
export function hrefTo(reportDir: string, file: string): string {
  return path
    .relative(path.resolve(reportDir), path.resolve(file))
    .split(path.sep)
    .map((s) => (s === '..' ? s : encodeURIComponent(s)))
    .join('/');
}

/** Console lines printed before the first test (records without a test), from the head of console.jsonl. */
export function bootLines(file: string): string[] {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(CONSOLE_HEAD_BYTES);
      head = head.subarray(0, fs.readSync(fd, head, 0, CONSOLE_HEAD_BYTES, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return []; // no console seen: the banner is simply not known
  }
  const lines: string[] = [];
  for (const line of head.toString('utf8').split('\n')) {
    if (lines.length >= BOOT_LINES) break;
    try {
      const rec = JSON.parse(line) as { text?: unknown; test?: unknown };
      if (typeof rec.text === 'string' && rec.test === undefined) lines.push(rec.text);
    } catch {
      // the last line of the head is cut, or a killed run's last record: skip it
    }
  }
  return lines;
}

/** Write `html` as `dir`/report.html (through a temporary file, so a reader never sees half a page). */
export function writeReportFile(dir: string, html: string): string {
  const file = path.join(dir, REPORT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, html);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new ReportError('REPORT_UNWRITABLE', `${file}: cannot write: ${(e as Error).message}`, file, { cause: e });
  }
  return file;
}

/** `dir`/report.html from `dir`/results.json: what `hilrig report DIR` does, and what a runner may call when a run ends. */
export function writeRunReport(dir: string, opts: { now?: Date } = {}): string {
  return writeReportFile(dir, renderMergedReport([readRunDir(dir)], opts));
}

/** One report of several run folders, written to `outDir`/report.html, linking to each run's traces. */
export function writeMergedReport(dirs: readonly string[], outDir: string, opts: { title?: string; now?: Date } = {}): string {
  const inputs = dirs.map((d) => readRunDir(d, outDir));
  return writeReportFile(outDir, renderMergedReport(inputs, opts));
}
