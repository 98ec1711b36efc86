// The runner in this process against the virtual board on UDP 127.0.0.1, on a scaled clock
// shared by board and rig: verdicts from records and from mocha, the outputs on disk, and runs
// that follow each other in one process.
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScaledClock } from '../../rig/engine/clock.js';
import { Manager } from '../../rig/index.js';
import { readResultsJson } from '../../reports/results/results-json.js';
import type { RunResult, TestResult } from '../../reports/results/result-model.js';
import { type PreparedBoard, virtualBoard } from '../../rig/runner/board-setup.js';
import { SuiteError } from '../../rig/runner/errors.js';
import { OUTPUT_FILES } from '../../rig/runner/run-outputs.js';
import { type ProgressEvent, type RunOptions, runSuites } from '../../rig/runner/run-suites.js';
import { testRecords } from '../../rig/runner/suite-api.js';
import { within } from '../helpers/wait.js';
import { writeFixtures } from './fixtures.js';

const byId = (run: RunResult, id: string): TestResult => {
  const t = run.tests.find((x) => x.id === id);
  assert.ok(t, `no result for ${id} (have ${run.tests.map((x) => x.id).join(', ')})`);
  return t;
};

describe('runner: runSuites against the in-process virtual board', function () {
  this.timeout(30_000);
  let outRoot: string;
  let n = 0;
  const boards: PreparedBoard[] = [];

  before(() => {
    outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-run-'));
  });
  after(async () => {
    for (const b of boards.splice(0)) await b.close();
    fs.rmSync(outRoot, { recursive: true, force: true });
  });

  async function boot(bugs: string[] = [], speed = 50): Promise<PreparedBoard> {
    const b = await virtualBoard({ bugs, speed });
    boards.push(b);
    return b;
  }

  async function run(b: PreparedBoard, o: Partial<RunOptions> & { suites: string[] }): Promise<RunResult> {
    const outDir = path.join(outRoot, `run-${++n}`);
    return within(runSuites({ board: b.board, mgr: b.mgr, clock: b.clock, outDir, boardConsole: b.boardConsole, ...o }), 25_000, 'the run');
  }

  it('smoke on a clean board: two passes and the inconclusive CBOR check; results.json says so', async () => {
    const b = await boot();
    const events: ProgressEvent[] = [];
    const r = await run(b, { suites: ['smoke'], onProgress: (e) => events.push(e) });
    assert.deepEqual(r.tests.map((t) => [t.id, t.verdict]), [['SMOKE_01', 'pass'], ['SMOKE_02', 'inconclusive'], ['SMOKE_03', 'pass']]);
    assert.match(byId(r, 'SMOKE_02').message ?? '', /4\.06 Not Acceptable/);
    assert.deepEqual({ ...r.counts }, { pass: 2, fail: 0, inconclusive: 1, error: 0, total: 3, notRun: 0 });
    assert.equal(r.clockFactor, 50);
    assert.equal(r.finished, true);
    assert.deepEqual(events.map((e) => e.kind), ['start', 'test-start', 'test-end', 'test-start', 'test-end', 'test-start', 'test-end']);

    // the file holds the same as the value returned, and the shape the report and CI read
    const outDir = path.join(outRoot, `run-${n}`);
    const file = readResultsJson(path.join(outDir, OUTPUT_FILES.results));
    assert.deepEqual(file, JSON.parse(JSON.stringify(r)));
    assert.equal(file.schema, 'hilrig-results/1');
    assert.equal(file.board.name, 'virtual');
    assert.match(file.board.coapUrl ?? '', /^coap:\/\/127\.0\.0\.1:\d+$/);
    assert.match(file.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(file.hilrig, JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
    assert.ok(file.host.length > 0);
    const t1 = byId(file, 'SMOKE_01');
    assert.equal(t1.suite, 'smoke');
    assert.ok(t1.specRefs.includes('RFC 7252 §4.2'));
    assert.ok(t1.durationMs >= 0 && typeof t1.clockMs === 'number');
    const [req, ack] = t1.exchange;
    assert.equal(t1.exchange.length, 2, JSON.stringify(t1.exchange));
    assert.deepEqual([req!.dir, req!.type, req!.code, req!.retransmission], ['out', 'CON', '0.01', 0]);
    assert.deepEqual([ack!.dir, ack!.type, ack!.code, ack!.mid, ack!.token], ['in', 'ACK', '2.05', req!.mid, req!.token]);
    assert.ok(ack!.payloadSize! > 0 && ack!.t >= req!.t);
    assert.match(req!.text, /^CON 0\.01 GET MID 0x[0-9a-f]{4} token [0-9a-f]{8} Uri-Path:"test"/);
    for (const f of ['junit', 'pcapng', 'traceJsonl'] as const) assert.ok(fs.statSync(path.join(outDir, OUTPUT_FILES[f])).size > 0, f);
    assert.equal(testRecords.size, 0, 'the run leaves no records behind');
  });

  it('a board that breaks a rule fails the test that checks it, with the rule in the message', async () => {
    const b = await boot(['ack-wrong-mid']);
    const r = await run(b, { suites: ['smoke'], grep: 'SMOKE_0[13]' });
    const t = byId(r, 'SMOKE_01');
    assert.equal(t.verdict, 'fail');
    assert.equal(t.rule, 'RFC 7252 §4.2');
    assert.match(t.message ?? '', /^RFC 7252 §4\.2: an ACK carries the Message ID of the CON it acknowledges: sent 0x([0-9a-f]+), got 0x/);
    assert.equal(byId(r, 'SMOKE_03').verdict, 'pass', 'the RST is not touched by this bug');
    assert.deepEqual(r.board.bugs, ['ack-wrong-mid']);
  });

  it('a second run in the same process runs the same tests again, from a fresh copy of the files', async () => {
    const b = await boot();
    const first = await run(b, { suites: ['smoke'] });
    const second = await run(b, { suites: ['smoke'] });
    assert.deepEqual(second.tests.map((t) => t.id), first.tests.map((t) => t.id));
    assert.equal(second.counts.total, 3);
  });

  it('--grep selects by id or title; --bail stops after the first fail', async () => {
    const b = await boot(['ack-wrong-mid']);
    const g = await run(b, { suites: ['smoke'], grep: 'empty CON' });
    assert.deepEqual(g.tests.map((t) => t.id), ['SMOKE_03']);
    assert.equal(g.planned, 1);
    const bailed = await run(b, { suites: ['smoke'], bail: true });
    assert.deepEqual(bailed.tests.map((t) => [t.id, t.verdict]), [['SMOKE_01', 'fail']]);
    assert.equal(bailed.counts.notRun, 2);
    const all = await run(b, { suites: ['smoke'], grep: 'SMOKE_0[13]' });
    assert.equal(all.tests.length, 2, 'without --bail the run goes on after the fail');
  });

  it('errors: a throwing test, a plain mocha test, broken before- and after-hooks; the run goes on', async () => {
    const fx = writeFixtures(['weird', 'plain', 'hook']);
    try {
      const b = await boot();
      const r = await run(b, { suites: [fx.file('weird'), fx.file('plain'), fx.file('hook')] });
      assert.equal(byId(r, 'WEIRD_01').verdict, 'pass');
      const w2 = byId(r, 'WEIRD_02');
      assert.equal(w2.verdict, 'fail');
      // what the board printed while the test ran is the test's, in results.json and console.jsonl
      assert.ok(w2.console.some((l) => /malformed message .* token length 9 is reserved/.test(l)), JSON.stringify(w2.console));
      assert.deepEqual(byId(r, 'WEIRD_01').console, []);
      const jsonl = fs.readFileSync(path.join(outRoot, `run-${n}`, OUTPUT_FILES.console), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { test?: string; text: string });
      assert.ok(jsonl.some((rec) => rec.test === 'WEIRD_02' && rec.text.includes('token length 9')), JSON.stringify(jsonl));
      assert.deepEqual(w2.exchange.map((m) => `${m.dir} ${m.type ?? `hex ${m.hex}`}`), ['out hex 49011234010203040506070809', 'out CON', 'in RST', 'in ACK']);
      assert.match(w2.exchange[0]!.text, /^malformed on purpose: RFC 7252 §3/);
      const w3 = byId(r, 'WEIRD_03');
      assert.deepEqual([w3.verdict, w3.errorName], ['error', 'TypeError']);
      assert.equal(byId(r, 'PLAIN_01').verdict, 'pass');
      const p2 = byId(r, 'PLAIN_02');
      assert.deepEqual([p2.verdict, p2.message, p2.suite], ['error', 'plain test threw', 'plain']);
      assert.equal(byId(r, 'PLAIN_03').verdict, 'inconclusive');
      for (const id of ['HOOK_01', 'HOOK_02']) {
        const h = byId(r, id);
        assert.equal(h.verdict, 'error', id);
        assert.match(h.message ?? '', /fixture setup failed/, id);
      }
      assert.equal(byId(r, 'HOOK_03').verdict, 'pass');
      const teardown = r.tests.find((t) => t.errorName === 'HookFailed');
      assert.ok(teardown, 'the after-hook is a result of its own');
      assert.match(teardown.title, /^cleaned up badly "after all" hook for "HOOK_03/);
      assert.equal(teardown.message, 'fixture teardown failed');
      assert.deepEqual({ ...r.counts }, { pass: 3, fail: 1, inconclusive: 1, error: 5, total: 10, notRun: 0 });
    } finally {
      fx.cleanup();
    }
  });

  it("mocha's timeout is an error 'no answer within N ms' with the exchange so far; the next test runs on a fresh link", async () => {
    const fx = writeFixtures(['hang']);
    try {
      // at 1000x, two MAX_TRANSMIT_WAITs of RFC time are 196 ms: the timeout asked for is raised to that
      const b = await boot([], 1000);
      const r = await run(b, { suites: [fx.dir], timeoutMs: 50 });
      assert.equal(r.timeoutMs, 196);
      const h = byId(r, 'HANG_01');
      assert.deepEqual([h.verdict, h.errorName], ['error', 'Timeout']);
      assert.equal(h.message, 'no answer within 196 ms: the test was still waiting when the per-test timeout ran out');
      assert.deepEqual(h.exchange.map((m) => `${m.dir} ${m.type} ${m.code}`), ['out CON 0.01', 'in ACK 2.05']);
      assert.equal(byId(r, 'HANG_02').verdict, 'pass');
    } finally {
      fx.cleanup();
    }
  });

  it('a board that answers nothing: the first test finds the link dead, the others say so at once (all error)', async () => {
    // a socket that takes datagrams and never answers: no ICMP, just silence
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const clock = new ScaledClock(1000);
    const mgr = new Manager({ clock });
    try {
      const board = { name: 'mute', coapUrl: `coap://127.0.0.1:${silent.address().port}` };
      const r = await within(runSuites({ board, mgr, clock, outDir: path.join(outRoot, `run-${++n}`), suites: ['smoke'] }), 20_000, 'the run');
      assert.deepEqual(r.tests.map((t) => t.verdict), ['error', 'error', 'error']);
      assert.deepEqual([r.tests[0]!.errorName, r.tests[0]!.exchange.filter((m) => m.dir === 'out').length], ['LinkDead', 5 + 5]);
      assert.match(r.tests[0]!.message ?? '', /^the board answers nothing, not even a ping \(CON GET \/test/);
      assert.match(r.tests[2]!.message ?? '', /stopped answering earlier .*not tried/);
      assert.ok(r.tests[2]!.durationMs < r.tests[0]!.durationMs, 'later tests are not tried again');
    } finally {
      await mgr.shutdown();
      silent.close();
    }
  });

  it('a suite file that throws while loading stops the run before it starts, naming the file and line', async () => {
    const fx = writeFixtures(['broken']);
    try {
      const b = await boot();
      const outDir = path.join(outRoot, 'never');
      await assert.rejects(runSuites({ board: b.board, mgr: b.mgr, clock: b.clock, outDir, suites: ['smoke', fx.dir] }), (e: unknown) => {
        assert.ok(e instanceof SuiteError);
        assert.equal(e.code, 'SUITE_LOAD_FAILED');
        assert.equal(e.file, fx.file('broken'));
        assert.match(e.message, /suite file .*broken\.js failed to load: TypeError: Cannot read properties of undefined \(reading 'rows'\)/);
        assert.match(e.message, /broken\.js:3:\d+/);
        return true;
      });
      assert.equal(fs.existsSync(outDir), false, 'no output folder for a run that never started');
      assert.equal(testRecords.size, 0);
    } finally {
      fx.cleanup();
    }
  });

  it('missing suites and bad patterns are SuiteErrors that say what exists', async () => {
    const b = await boot();
    const base = { board: b.board, mgr: b.mgr, clock: b.clock, outDir: path.join(outRoot, 'never') };
    await assert.rejects(runSuites({ ...base, suites: ['no-such-suite'] }), /no suite "no-such-suite": installed suites are .*smoke/);
    await assert.rejects(runSuites({ ...base, suites: ['./nowhere/at-all'] }), (e: unknown) => e instanceof SuiteError && e.code === 'SUITE_NOT_FOUND');
    await assert.rejects(runSuites({ ...base, suites: ['smoke'], grep: '(' }), (e: unknown) => e instanceof SuiteError && e.code === 'BAD_GREP');
    await assert.rejects(runSuites({ ...base, suites: ['smoke'], grep: 'NOTHING_LIKE_THIS' }), (e: unknown) => e instanceof SuiteError && e.code === 'NO_TESTS' && /no test of smoke matches --grep NOTHING_LIKE_THIS/.test(e.message));
    assert.equal(fs.existsSync(base.outDir), false);
  });
});
