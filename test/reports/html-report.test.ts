// report.html as a file: the policy that lets only its own style and script run, the data block
// that board text cannot break out of, the counts and order, the packed console, the firmware
// banner, and `hilrig report` (the bundled CLI) on run folders, good and broken.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { findFirmware } from '../../reports/html/firmware-banner.js';
import { LINE_BREAK_MARK } from '../../reports/html/console-block.js';
import type { ReportData } from '../../reports/html/report-data.js';
import { renderMergedReport, renderReport } from '../../reports/html/render-report.js';
import { checkRunResult } from '../../reports/html/results-schema.js';
import { viewerScript } from '../../reports/html/viewer-script.js';
import { type RunResult, runResult, type TestResult } from '../../reports/results/result-model.js';
import { CLI } from '../helpers/cli.js';

const BREAKOUT = '</script><script>window.__pwned=1</script>';
const IMG = '<img src=x onerror="window.__pwned=1">';

function result(over: Partial<TestResult> & { id: string; verdict: TestResult['verdict'] }): TestResult {
  return { suite: 'coap', title: `title of ${over.id}`, durationMs: 12, startedAt: '2024-05-01T12:00:01.234Z', specRefs: [], needs: [], exchange: [], notes: [], console: [], ...over };
}

function run(tests: TestResult[], board = 'nucleo'): RunResult {
  return runResult(
    { board: { name: board }, host: 'rig-host', startedAt: '2024-05-01T12:00:00.000Z', durationMs: 100, hilrig: '0.1.0', suites: ['coap'], bail: false, timeoutMs: 30000, clockFactor: 1, planned: tests.length + 1, finished: true, interrupted: false },
    tests,
  );
}

const hostile = run([
  result({ id: 'P1', verdict: 'pass', console: [`booted ${IMG}`, 'two\nlines'] }),
  result({ id: 'F1', verdict: 'fail', rule: 'RFC 7252 §4.2', message: `bad MID ${BREAKOUT}`, notes: [IMG, '<!-- <script>'], console: [BREAKOUT] }),
  result({ id: 'E1', verdict: 'error', errorName: 'LinkDead', message: 'gone', exchange: [{ t: 1, dir: 'in', text: BREAKOUT, retransmission: 0, hex: '3c2f' }] }),
  result({ id: 'I1', verdict: 'inconclusive', message: 'no /large' }),
  result({ id: 'F2', verdict: 'fail', message: 'second failure' }),
]);

/** The text between `<tag ...>` (attributes matching `attrs`) and `</tag>`. */
function block(html: string, tag: string, attrs = ''): string {
  const m = new RegExp(`<${tag}${attrs}>([\\s\\S]*?)</${tag}>`).exec(html);
  assert.ok(m, `no <${tag}${attrs}> in the page`);
  return m[1]!;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

function dataOf(html: string): ReportData {
  return JSON.parse(block(html, 'script', ' type="application/json" id="data"')) as ReportData;
}

function consoleOf(html: string): string[] {
  const b64 = block(html, 'script', ' type="application/octet-stream" id="console"');
  return b64 === '' ? [] : gunzipSync(Buffer.from(b64, 'base64')).toString('utf8').split('\n');
}

describe('report.html (renderReport)', () => {
  const html = renderReport(hostile, { now: new Date('2024-05-01T13:00:00Z'), links: [{ name: 'trace.pcapng', href: 'trace.pcapng' }] });

  it('has a strict CSP whose hashes are those of its one inline style and one inline script', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'no CSP meta');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('img-src'), 'data:');
    assert.equal(directives.get('style-src'), `'sha256-${sha256(block(html, 'style'))}'`);
    assert.equal(directives.get('script-src'), `'sha256-${sha256(block(html, 'script', ''))}'`);
    // the meta comes before any style or script, or it would not cover them
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style>'));
    assert.equal(html.match(/<style[\s>]/g)?.length, 1);
    assert.equal(html.match(/<script[\s>]/g)?.length, 3, 'the data block, the console block and the viewer');
    const markup = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/, '');
    assert.doesNotMatch(markup, /\b(src|href)="(?!data:)/, 'the page loads nothing but data: URLs');
  });

  it('keeps board text inside the JSON data block: no "<" in it, and it reads back unchanged', () => {
    const raw = block(html, 'script', ' type="application/json" id="data"');
    assert.ok(!raw.includes('<'), 'a "<" in the data block could close it');
    assert.ok(raw.includes('\\u003c/script>'));
    const data = dataOf(html);
    const f1 = data.tests.find((t) => t.id === 'F1')!;
    assert.equal(f1.message, `bad MID ${BREAKOUT}`);
    assert.deepEqual(f1.notes, [IMG, '<!-- <script>']);
    assert.equal(data.tests.find((t) => t.id === 'E1')!.exchange[0]!.text, BREAKOUT);
    // the page's own </script> tags: exactly the three blocks'
    assert.equal(html.match(/<\/script>/g)?.length, 3);
  });

  it('counts verdicts, lists failed and errored tests first, and packs the console lines per test', () => {
    const data = dataOf(html);
    assert.deepEqual(data.counts, { pass: 1, fail: 2, inconclusive: 1, error: 1, total: 5, notRun: 1 });
    assert.deepEqual(
      data.tests.map((t) => t.id),
      ['F1', 'F2', 'E1', 'I1', 'P1'],
    );
    assert.equal(data.runs[0]!.label, 'nucleo');
    assert.deepEqual(data.runs[0]!.links, [{ name: 'trace.pcapng', href: 'trace.pcapng' }]);
    assert.equal(data.generatedAt, '2024-05-01T13:00:00.000Z');
    const lines = consoleOf(html);
    const slice = (id: string): string[] => {
      const t = data.tests.find((x) => x.id === id)!;
      return lines.slice(t.consoleFrom, t.consoleFrom + t.consoleCount);
    };
    assert.deepEqual(slice('F1'), [BREAKOUT]);
    assert.deepEqual(slice('P1'), [`booted ${IMG}`, `two${LINE_BREAK_MARK}lines`], 'a line break inside a line must not shift the lines after it');
    assert.equal(data.consoleLines, 3);
    assert.equal(/<title>([^<]*)<\/title>/.exec(html)?.[1], 'nucleo: hilrig report');
  });

  it('escapes the title, and the viewer script is one valid script that cannot end its element', () => {
    const page = renderReport(run([], '</title><script>x()</script>'));
    assert.match(page, /<title>&lt;\/title&gt;&lt;script&gt;x\(\)&lt;\/script&gt;: hilrig report<\/title>/);
    assert.equal(page.match(/<script[\s>]/g)?.length, 3);
    const script = viewerScript();
    assert.doesNotMatch(script, /<\/script|<!--/i);
    assert.doesNotThrow(() => new vm.Script(script), 'the assembled viewer must parse as a classic script');
  });

  it('merges runs: a board label per run, numbered when two boards share a name, counts summed', () => {
    const a = run([result({ id: 'A', verdict: 'pass' })], 'nucleo');
    const b = run([result({ id: 'A', verdict: 'fail', message: 'x' })], 'nucleo');
    const c = run([result({ id: 'A', verdict: 'error', message: 'y' })], 'esp32');
    const data = dataOf(renderMergedReport([{ result: a }, { result: b }, { result: c }]));
    assert.deepEqual(
      data.runs.map((r) => r.label),
      ['nucleo', 'nucleo #2', 'esp32'],
    );
    assert.deepEqual(
      data.tests.map((t) => [t.id, t.run, t.verdict]),
      [
        ['A', 1, 'fail'],
        ['A', 2, 'error'],
        ['A', 0, 'pass'],
      ],
    );
    assert.equal(data.counts.total, 3);
    assert.equal(data.counts.notRun, 3, 'each run planned one more test than ended');
    assert.equal(data.title, 'nucleo, esp32: hilrig report');
  });
});

describe('firmware banner and version from the console', () => {
  it('reads a Zephyr banner, an application version line, and the virtual board', () => {
    assert.deepEqual(findFirmware(['\x1b[0m*** Booting Zephyr OS build v3.6.0 ***', '[00:00:00.010,000] <inf> app: firmware 1.4.2-rc1 (abc123)']), {
      banner: '*** Booting Zephyr OS build v3.6.0 ***',
      version: '1.4.2-rc1',
    });
    assert.deepEqual(findFirmware(['*** Booting hilrig virtual board v0.1.0 ***']), { banner: '*** Booting hilrig virtual board v0.1.0 ***', version: '0.1.0' });
    assert.deepEqual(findFirmware(['I (312) app_init: App version:      v2.1.0']), { version: '2.1.0' });
    assert.equal(findFirmware(['[00:00:01.000,000] <inf> coap: request handled', 'unknown version 0 ignored']), undefined);
  });

  it('finds the banner in the head of console.jsonl through hilrig report', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-html-banner-'));
    try {
      fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(run([result({ id: 'P', verdict: 'pass' })])));
      const rec = (text: string, test?: string): string => JSON.stringify({ ts: '2024-05-01T12:00:00.000000Z', tsNs: '0', board: 'nucleo', text, ...(test ? { test } : {}) });
      fs.writeFileSync(path.join(dir, 'console.jsonl'), `${rec('*** Booting Zephyr OS build v3.6.0 ***')}\n${rec('<inf> app: firmware 2.0.1')}\n${rec('later', 'P')}\n{"ts":"cut off`);
      const r = await cli(['report', dir]);
      assert.equal(r.code, 0, r.err);
      const data = dataOf(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'));
      assert.deepEqual(data.runs[0]!.firmware, { banner: '*** Booting Zephyr OS build v3.6.0 ***', version: '2.0.1' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('results.json check', () => {
  it('names the field that is wrong, and a schema from another version', () => {
    const bad = JSON.parse(JSON.stringify(hostile)) as { tests: { verdict: string }[] };
    bad.tests[3]!.verdict = 'skipped';
    const r = checkRunResult(bad);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.problems[0]! : '', /^tests\[3\]\.verdict: /);
    const newer = checkRunResult({ ...hostile, schema: 'hilrig-results/2' });
    assert.match(!newer.ok ? newer.problems[0]! : '', /schema is "hilrig-results\/2"; this hilrig reads hilrig-results\/1 \(written by another hilrig version\)/);
    assert.equal(checkRunResult(hostile).ok, true);
  });
});

function cli(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000, ...(cwd ? { cwd } : {}) }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

describe('hilrig report (CLI)', function () {
  this.timeout(30_000);
  let root: string;
  const runDir = (name: string, r: RunResult, extra: string[] = []): string => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r, null, 2));
    for (const f of extra) fs.writeFileSync(path.join(dir, f), '');
    return dir;
  };
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-html-cli-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('re-renders DIR/report.html from DIR/results.json, linking the trace files that are there', async () => {
    const dir = runDir('one', hostile, ['trace.pcapng', 'junit.xml']);
    const r = await cli(['report', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /report\.html\n {2}file:\/\//);
    const data = dataOf(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'));
    assert.deepEqual(
      data.runs[0]!.links.map((l) => l.href),
      ['trace.pcapng', 'junit.xml', 'results.json'],
    );
    assert.equal(data.tests.length, 5);
  });

  it('merges several run folders into --out, linking each run\'s traces relative to it', async () => {
    const a = runDir('board a', run([result({ id: 'X', verdict: 'pass' })], 'nucleo'), ['trace.pcapng']);
    const b = runDir('b', run([result({ id: 'X', verdict: 'fail', message: 'm' })], 'esp32'));
    const out = path.join(root, 'merged');
    const r = await cli(['report', '--merge', a, b, '--out', out, '--title', 'nightly']);
    assert.equal(r.code, 0, r.err);
    const data = dataOf(fs.readFileSync(path.join(out, 'report.html'), 'utf8'));
    assert.equal(data.title, 'nightly');
    assert.deepEqual(
      data.runs.map((x) => [x.label, x.links.map((l) => l.href)]),
      [
        ['nucleo', ['../board%20a/trace.pcapng', '../board%20a/results.json']],
        ['esp32', ['../b/results.json']],
      ],
    );
  });

  it('exits 2 naming the problem: no results.json, not JSON, a bad field, bad options', async () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    let r = await cli(['report', empty]);
    assert.equal(r.code, 2);
    assert.match(r.err, /empty\/results\.json: no such file/);

    const cut = runDir('cut', hostile);
    fs.writeFileSync(path.join(cut, 'results.json'), '{"schema": "hilrig-results/1", "tests": [');
    r = await cli(['report', cut]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cut\/results\.json: not valid JSON/);

    const bad = JSON.parse(JSON.stringify(hostile)) as { tests: { exchange: unknown }[] };
    bad.tests[1]!.exchange = 'none';
    const badDir = runDir('bad', bad as unknown as RunResult);
    r = await cli(['report', badDir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a hilrig results file:\n {2}tests\[1\]\.exchange: /);
    assert.ok(!fs.existsSync(path.join(badDir, 'report.html')));

    r = await cli(['report', '--merge', cut]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--merge needs --out OUTDIR/);
    r = await cli(['report', cut, badDir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /one run folder at a time/);
    r = await cli(['report', cut, '--open']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown option '--open'/);
    r = await cli(['report']);
    assert.equal(r.code, 2);
    assert.match(r.err, /name the run folder/);
  });

  it('--help teaches the usage, every option and examples', async () => {
    const r = await cli(['report', '--help']);
    assert.equal(r.code, 0);
    for (const s of ['--merge', '--out OUTDIR', '--title TEXT', 'default: DIR itself', 'Examples:', 'Exit codes']) assert.ok(r.out.includes(s), `help lacks ${s}`);
  });
});
