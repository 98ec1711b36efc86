// report.html in a real browser (Debian's Chromium driven by playwright-core): it loads from disk
// with no console error (a CSP hash that does not match its script would be one), the filters
// and the sequence chart work, board text that is markup stays text, and a run of 500 tests and
// 200 000 console lines is usable within seconds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { renderMergedReport, renderReport } from '../../reports/html/render-report.js';
import { syntheticRun } from '../../reports/html/synthetic-run.js';
import { type ExchangeMessage, type RunResult, runResult, type TestResult } from '../../reports/results/result-model.js';
import { CLI } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const IMG = '<img src=x onerror="window.__pwned=1">';
const BREAKOUT = '</script><script>window.__pwned=1</script>';

function result(over: Partial<TestResult> & { id: string; verdict: TestResult['verdict'] }): TestResult {
  return { suite: 'coap', title: `title of ${over.id}`, durationMs: 12, startedAt: '2024-05-01T12:00:01.234Z', specRefs: [], needs: [], exchange: [], notes: [], console: [], ...over };
}

function runOf(tests: TestResult[], board = 'nucleo-l4'): RunResult {
  return runResult(
    { board: { name: board, coapUrl: 'coap://192.0.2.1:5683' }, host: 'rig-host', startedAt: '2024-05-01T12:00:00.000Z', durationMs: 4210, hilrig: '0.1.0', suites: ['coap', 'smoke'], bail: false, timeoutMs: 30000, clockFactor: 1, planned: tests.length, finished: true, interrupted: false },
    tests,
  );
}

const msg = (m: Partial<ExchangeMessage> & Pick<ExchangeMessage, 't' | 'dir' | 'text'>): ExchangeMessage => ({ retransmission: 0, ...m });

/** A failing exchange: a CON sent twice, an ACK with the wrong MID, a datagram that is not CoAP. */
const FAIL_EXCHANGE: ExchangeMessage[] = [
  msg({ t: 0, dir: 'out', text: 'CON 0.01 GET MID 0x1a2b token 0a0b Uri-Path:"sensors" Uri-Path:"temp" (0 B)', type: 'CON', code: '0.01', mid: 0x1a2b, token: '0a0b', payloadSize: 0 }),
  msg({ t: 2000, dir: 'out', text: 'CON 0.01 GET MID 0x1a2b token 0a0b Uri-Path:"sensors" Uri-Path:"temp" (0 B)', type: 'CON', code: '0.01', mid: 0x1a2b, token: '0a0b', payloadSize: 0, retransmission: 1 }),
  msg({ t: 2031.5, dir: 'in', text: 'ACK 2.05 Content MID 0x1a2c token 0a0b Content-Format:text/plain;charset=utf-8 (0) (5 B)', type: 'ACK', code: '2.05', mid: 0x1a2c, token: '0a0b', payloadSize: 5 }),
  msg({ t: 2040, dir: 'in', text: 'not CoAP: token length 9 is reserved (9-15)', hex: '49011234' }),
];

const demo = runOf([
  result({ id: 'TD_COAP_CORE_01', verdict: 'pass', title: 'Perform GET transaction (CON mode)', specRefs: ['RFC 7252 §5.8.1'], exchange: FAIL_EXCHANGE.slice(0, 1), console: ['[00:00:01.000,000] <inf> coap: GET /test'] }),
  result({
    id: 'TD_COAP_CORE_02',
    verdict: 'fail',
    title: 'Perform GET on /sensors/temp, piggybacked',
    rule: 'RFC 7252 §4.2',
    message: `RFC 7252 §4.2: the ACK carries MID 0x1a2c, not the CON's 0x1a2b (${FAIL_EXCHANGE[2]!.text})`,
    specRefs: ['RFC 7252 §4.2', 'ETSI CoAP plugtest TD_COAP_CORE_02'],
    needs: ['/sensors/temp'],
    exchange: FAIL_EXCHANGE,
    notes: ['the CON went unanswered once and was retransmitted after 2 s'],
    console: ['[00:00:02.000,000] <inf> coap: GET /sensors/temp', '[00:00:02.031,000] <err> coap: reply with stale MID'],
  }),
  result({ id: 'TD_COAP_CORE_03', verdict: 'error', errorName: 'Timeout', message: 'the board answered nothing for 93 s' }),
  result({ id: 'SMOKE_01', suite: 'smoke', verdict: 'inconclusive', message: 'the board has no /large resource' }),
  result({ id: 'SMOKE_02', suite: 'smoke', verdict: 'pass' }),
]);

const hostile = runOf(
  [
    result({ id: 'X_PASS', verdict: 'pass', title: IMG, console: [IMG, BREAKOUT] }),
    result({
      id: 'X_FAIL',
      verdict: 'fail',
      message: `board said ${IMG} ${BREAKOUT}`,
      rule: IMG,
      specRefs: [BREAKOUT, 'javascript:window.__pwned=1'],
      notes: [IMG, BREAKOUT],
      exchange: [msg({ t: 1, dir: 'in', text: BREAKOUT + IMG }), msg({ t: 2, dir: 'in', text: `ACK 2.05 ${IMG} MID 0x0001 token ${BREAKOUT}`, type: 'ACK', code: IMG, mid: 1, token: BREAKOUT })],
      console: [IMG, BREAKOUT],
    }),
  ],
  `${IMG}${BREAKOUT}`,
);

describe('report.html in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let dir: string;
  const pages: Page[] = [];

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/deps lists it)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-html-browser-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.close();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, html: string): string {
    const file = path.join(dir, name, 'report.html');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, html);
    return file;
  }

  /** Open a report; `problems` collects console errors and warnings and uncaught exceptions. */
  async function open(file: string, hash = ''): Promise<{ page: Page; problems: string[]; ms: number }> {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    pages.push(page);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    const t0 = performance.now();
    await page.goto(pathToFileURL(file).href + hash, { timeout: 20_000 });
    await page.waitForSelector('html[data-ready]', { state: 'attached', timeout: 20_000 });
    return { page, problems, ms: performance.now() - t0 };
  }

  /** The attribute `name` of every element `selector` matches (the browser's DOM types are not in this project's lib). */
  async function attrs(page: Page, selector: string, name: string): Promise<string[]> {
    return Promise.all((await page.locator(selector).all()).map(async (l) => (await l.getAttribute(name)) ?? ''));
  }
  const rowVerdicts = (page: Page): Promise<string[]> => attrs(page, 'tr.row', 'data-verdict');
  /** Waits (bounded) for the table to show one row: a locator, as the page's CSP rules out the string predicates waitForFunction evaluates. */
  const oneRow = async (page: Page): Promise<void> => {
    await page.locator('tr.row').nth(1).waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('tr.row').first().waitFor({ timeout: 5000 });
  };
  const pwned = (page: Page): Promise<unknown> => page.evaluate('window.__pwned');

  it('loads from disk with no console error, failures first, the header from the run and its console', async () => {
    const file = write('demo', renderReport(demo, { bootConsole: ['*** Booting Zephyr OS build v3.6.0 ***', '<inf> app: firmware 1.4.2'], links: [{ name: 'trace.pcapng', href: 'trace.pcapng' }] }));
    const { page, problems } = await open(file);
    assert.deepEqual(await rowVerdicts(page), ['fail', 'error', 'inconclusive', 'pass', 'pass']);
    const header = await page.textContent('header.top');
    for (const s of ['nucleo-l4', '1.4.2', '*** Booting Zephyr OS build v3.6.0 ***', 'rig-host', '4.21 s', '1 failed, 1 in error of 5']) assert.ok(header?.includes(s), `the header lacks ${s}: ${header}`);
    assert.equal(await page.getAttribute('a.file', 'href'), 'trace.pcapng');
    assert.equal(await page.title(), 'nucleo-l4: hilrig report');
    // the screenshot, with the failed test open: an artifact to look at
    await page.click('tr.row[data-verdict="fail"]');
    await page.waitForSelector('svg.msc');
    await page.click('button.show-console');
    await page.waitForSelector('.console .ln');
    await page.locator('header.top').scrollIntoViewIfNeeded();
    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(fs.statSync(shot).size > 10_000);
    fs.copyFileSync(shot, path.join(os.tmpdir(), 'report-shot.png'));
    assert.deepEqual(problems, []);
  });

  it('filters by verdict, suite and search text', async () => {
    const { page, problems } = await open(write('filters', renderReport(demo)));
    await page.click('.counts button[data-verdict="fail"]');
    assert.deepEqual(await rowVerdicts(page), ['fail']);
    // the chips: fail on, add error
    await page.click('.chips button[data-filter-verdict="error"]');
    assert.deepEqual(await rowVerdicts(page), ['fail', 'error']);
    await page.click('button.reset');
    assert.equal((await rowVerdicts(page)).length, 5);
    await page.selectOption('select[data-filter="suite"]', 'smoke');
    assert.deepEqual(await page.locator('tr.row td.suite').allTextContents(), ['smoke', 'smoke']);
    await page.click('button.reset');
    await page.fill('input.search', 'sensors/temp');
    await oneRow(page);
    assert.equal(await page.textContent('tr.row .test-id'), 'TD_COAP_CORE_02');
    assert.deepEqual(problems, []);
  });

  it('opens a test to its spec references, failure, sequence chart (an arrow per message), notes and console', async () => {
    const { page, problems } = await open(write('detail', renderReport(demo)));
    await page.click('tr.row[data-verdict="fail"]');
    const detail = page.locator('tr.detail-row');
    assert.equal(await detail.locator('svg.msc g.msg').count(), FAIL_EXCHANGE.length);
    assert.equal(await detail.locator('svg.msc g.msg.out').count(), 2);
    assert.equal(await detail.locator('svg.msc g.msg.retrans').count(), 1);
    assert.equal(await detail.locator('svg.msc g.msg.malformed').count(), 1);
    assert.equal(await detail.locator('svg.msc g.msg.cited').count(), 1, 'the ACK the failure quotes is marked');
    const labels = await detail.locator('svg.msc g.msg .msc-l1').allTextContents();
    assert.match(labels[0]!, /CON 0\.01 GET +MID 0x1a2b +tok 0a0b/);
    assert.match(labels[1]!, /↻ retransmission 1/);
    assert.match(labels[3]!, /⚠ malformed/);
    assert.match((await detail.locator('svg.msc g.msg .msc-l2').first().textContent()) ?? '', /\/sensors\/temp/);
    assert.equal(await detail.locator('a.ref').first().getAttribute('href'), 'https://www.rfc-editor.org/rfc/rfc7252#section-4.2');
    assert.match((await detail.locator('.why').textContent()) ?? '', /rule broken: RFC 7252 §4\.2/);
    assert.deepEqual(await detail.locator('.notes li').allTextContents(), ['the CON went unanswered once and was retransmitted after 2 s']);
    await detail.locator('button.show-console').click();
    await page.waitForSelector('.console .ln');
    assert.deepEqual(await detail.locator('.console .ln-t').allTextContents(), ['[00:00:02.000,000] <inf> coap: GET /sensors/temp', '[00:00:02.031,000] <err> coap: reply with stale MID']);
    assert.equal(await detail.locator('.console .ln-err').count(), 1);
    // the test is linked: the address names it, and opening that address opens it
    assert.match(page.url(), /#TD_COAP_CORE_02$/);
    const again = await open(path.join(dir, 'detail', 'report.html'), '#TD_COAP_CORE_02');
    assert.equal(await again.page.locator('tr.detail-row svg.msc g.msg').count(), FAIL_EXCHANGE.length);
    const broken = await open(path.join(dir, 'detail', 'report.html'), '#%E0%A4%A');
    assert.deepEqual(broken.problems, [], 'an address with a broken escape still opens the report');
    assert.deepEqual(problems, []);
    assert.deepEqual(again.problems, []);
  });

  it('runs no script from board text: markup in messages, notes, console, exchange and board name stays text', async () => {
    const html = renderReport(hostile);
    for (const [name, page] of [
      ['with its CSP', html],
      // without the policy, the viewer alone must keep the text text
      ['without its CSP', html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')],
    ] as const) {
      const { page: p, problems } = await open(write(`hostile-${name.replace(/ /g, '-')}`, page));
      await p.click('tr.row[data-verdict="fail"]');
      await p.click('tr.row[data-verdict="pass"]');
      for (const b of await p.locator('button.show-console').all()) await b.click();
      await p.locator('.console .ln').nth(3).waitFor({ timeout: 5000 });
      assert.equal(await pwned(p), undefined, `a script ran (${name})`);
      assert.equal(await p.locator('img').count(), 0, `an <img> was made from board text (${name})`);
      assert.equal(await p.locator('script').count(), 3, `a <script> was made from board text (${name})`);
      const text = (await p.textContent('body')) ?? '';
      assert.ok(text.includes(IMG) && text.includes(BREAKOUT), `the board text is not shown as text (${name})`);
      assert.equal(await p.locator('a.ref').count(), 0, 'a reference that is not an RFC is not a link');
      assert.deepEqual(problems, [], name);
    }
  });

  it('(control) the same payload as markup does run in this browser, so the test above can fail', async () => {
    const { page } = await open(write('control', `<!doctype html><html data-ready><body>${IMG}</body></html>`));
    await page.waitForFunction('window.__pwned === 1', undefined, { timeout: 5000 });
  });

  it('a run of 500 tests and 200 000 console lines is usable in seconds, a page of rows and of lines at a time', async () => {
    const big = syntheticRun({ tests: 500, consoleLines: 200_000 });
    const file = write('big', renderReport(big));
    const { page, problems, ms } = await open(file);
    process.stdout.write(`      (interactive ${ms.toFixed(0)} ms after navigation, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB)\n`);
    assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms to become interactive`);
    assert.equal(await page.locator('tr.row').count(), 100);
    assert.match((await page.textContent('.pager-slot .pg-where')) ?? '', /^1–100 of 500 tests$/);
    const t0 = performance.now();
    await page.fill('input.search', 'SYN_0001');
    await oneRow(page);
    await page.click('tr.row');
    await page.click('button.show-console');
    await page.waitForSelector('.console .ln');
    const consoleMs = performance.now() - t0;
    process.stdout.write(`      (100 000-line console shown ${consoleMs.toFixed(0)} ms after the search began)\n`);
    assert.ok(consoleMs < 5000, `the console took ${consoleMs.toFixed(0)} ms`);
    assert.equal(await page.locator('.console .ln').count(), 500);
    assert.match((await page.textContent('.console-pager .pg-where')) ?? '', /^1–500 of 100,000 lines$/);
    await page.fill('input.console-filter', '<err>');
    await page.locator('.console-pager .pg-where', { hasText: 'matching lines' }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator('.console .ln:not(.ln-err)').count(), 0);
    assert.deepEqual(problems, []);
  });

  it('a merged report has a board column and filter', async () => {
    const a = runOf([result({ id: 'T1', verdict: 'pass' }), result({ id: 'T2', verdict: 'fail', message: 'x' })], 'nucleo');
    const b = runOf([result({ id: 'T1', verdict: 'pass' })], 'esp32');
    const { page, problems } = await open(write('merged', renderMergedReport([{ result: a }, { result: b }])));
    assert.deepEqual(await page.locator('tr.row td.board').allTextContents(), ['nucleo', 'nucleo', 'esp32']);
    await page.selectOption('select[data-filter="board"]', '1');
    assert.deepEqual(await page.locator('tr.row td.board').allTextContents(), ['esp32']);
    assert.equal(await page.locator('table.runs tbody tr').count(), 2);
    assert.deepEqual(problems, []);
  });

  it('a report written by the bundled CLI (hilrig report DIR) loads and opens a test', async () => {
    const runDir = path.join(dir, 'cli-run');
    fs.mkdirSync(runDir);
    fs.writeFileSync(path.join(runDir, 'results.json'), JSON.stringify(demo));
    const code = await new Promise<number>((resolve) => execFile(process.execPath, [CLI, 'report', runDir], { timeout: 20_000 }, (e) => resolve(e ? Number(e.code ?? -1) : 0)));
    assert.equal(code, 0);
    const { page, problems } = await open(path.join(runDir, 'report.html'));
    await page.click('tr.row[data-verdict="fail"]');
    assert.equal(await page.locator('svg.msc g.msg').count(), FAIL_EXCHANGE.length);
    assert.deepEqual(problems, []);
  });
});
