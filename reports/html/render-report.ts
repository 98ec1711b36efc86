// report.html: one self-contained file that opens from disk, with no network. The results go in
// as data (a JSON block, the console lines in a packed block) and one inline script renders them
// (viewer/*.ts), so board text is only ever set as text (Playwright's HTML reporter keeps its
// data apart from its viewer the same way). A strict Content-Security-Policy naming the hashes
// of the inline style and script is the second wall (csp.ts).
import type { RunResult } from '../results/result-model.js';
import { packConsole } from './console-block.js';
import { contentSecurityPolicy } from './csp.js';
import { type ReportData, reportData, type ReportInput, type ReportLink } from './report-data.js';
import { viewerScript } from './viewer-script.js';
import { VIEWER_STYLE } from './viewer-style.js';

export interface ReportOptions {
  /** files of the run to link to, relative to report.html (trace.pcapng, junit.xml, results.json) */
  links?: ReportLink[];
  /** console lines from before the first test, where the boot banner is (the head of console.jsonl) */
  bootConsole?: readonly string[];
  /** the page's title; default "<board>: hilrig report" */
  title?: string;
  /** the time the report says it was made (tests pass a fixed one) */
  now?: Date;
}

/** The report of one run. */
export function renderReport(results: RunResult, opts: ReportOptions = {}): string {
  const input: ReportInput = { result: results, ...(opts.links ? { links: opts.links } : {}), ...(opts.bootConsole ? { bootConsole: opts.bootConsole } : {}) };
  return renderMergedReport([input], { ...(opts.title !== undefined ? { title: opts.title } : {}), ...(opts.now ? { now: opts.now } : {}) });
}

/** One report of several runs (boards): the board becomes a column and a filter. */
export function renderMergedReport(inputs: readonly ReportInput[], opts: { title?: string; now?: Date } = {}): string {
  const title = opts.title ?? defaultTitle(inputs);
  const { data, consoleLines } = reportData(inputs, title, opts.now ?? new Date());
  return reportHtml(data, packConsole(consoleLines));
}

function defaultTitle(inputs: readonly ReportInput[]): string {
  if (inputs.length === 1) return `${inputs[0]!.result.board.name}: hilrig report`;
  const boards = [...new Set(inputs.map((i) => i.result.board.name))];
  return boards.length <= 3 ? `${boards.join(', ')}: hilrig report` : `${boards.length} boards: hilrig report`;
}

/**
 * The page. `<` in the JSON is written \u003c (JSON.parse reads it back as `<`), so no text of the
 * board can close the data's <script> element or open a comment in it; the console block is
 * base64, which has no `<` at all.
 */
export function reportHtml(data: ReportData, consoleBlock: string): string {
  const script = viewerScript();
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const c = data.counts;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(VIEWER_STYLE, script)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${htmlText(data.title)}</title>
<link rel="icon" href="${favicon(c.fail > 0 ? 'fail' : c.error > 0 ? 'error' : 'pass')}">
<style>${VIEWER_STYLE}</style>
</head>
<body>
<div id="app"><noscript><p>${htmlText(data.title)}: ${c.pass} passed, ${c.fail} failed, ${c.error} in error, ${c.inconclusive} inconclusive. This page draws its tables with JavaScript; results.json beside it holds the same results.</p></noscript></div>
<script type="application/json" id="data">${json}</script>
<script type="application/octet-stream" id="console">${consoleBlock}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** Text for an HTML element or a double-quoted attribute. */
export function htmlText(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}

/** The tab's icon says how the run went: a check, a cross, or an exclamation mark. */
function favicon(how: 'pass' | 'fail' | 'error'): string {
  const { fill, mark } = {
    pass: { fill: '#00795c', mark: '<path d="M9 16.5l5 5 9-11" stroke="#fff" stroke-width="3.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/>' },
    fail: { fill: '#c24e00', mark: '<path d="M10 10l12 12M22 10L10 22" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/>' },
    error: { fill: '#9b3d78', mark: '<path d="M16 8v10" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/><circle cx="16" cy="23.5" r="2.2" fill="#fff"/>' },
  }[how];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="${fill}"/>${mark}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
