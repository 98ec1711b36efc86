// `hilrig run` as users and CI run it (the bundled CLI): what it prints, the files it leaves,
// its exit codes, and a run killed with SIGKILL half way. Build first: tsc, then
// `npm run --silent bundle` (npm test does both).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualBoard, type RunningBoard } from '../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../drivers/index.js';
import { readResultsJson } from '../../reports/results/results-json.js';
import { CLI } from '../helpers/cli.js';
import { openPtyPair } from '../helpers/pty-pair.js';
import { within } from '../helpers/wait.js';
import { writeFixtures } from './fixtures.js';

interface Ran {
  code: number;
  out: string;
  err: string;
}

function hilrig(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000, cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env } }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

describe('hilrig run (CLI)', function () {
  this.timeout(30_000);
  let cwd: string;
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-cli-run-'));
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('--virtual --suite smoke: a line per test, a summary, the outputs (report.html last), results/latest, exit 0', async () => {
    const r = await hilrig(['run', '--virtual', '--suite', 'smoke'], { cwd });
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /^hilrig run: 3 tests of smoke against virtual \(coap:\/\/127\.0\.0\.1:\d+\); per-test timeout 30000 ms$/m);
    assert.match(r.out, /^ {2}\[1\/3\] pass {10}SMOKE_01 {2}GET \/test .*\(\d+(\.\d+)? m?s\)$/m);
    assert.match(r.out, /^ {2}\[2\/3\] inconclusive {2}SMOKE_02 /m);
    assert.match(r.out, /^ {2}pass {14}2$/m);
    assert.match(r.out, /^ {2}inconclusive {6}1$/m);
    assert.doesNotMatch(r.out, /\x1b\[/, 'no colours when stdout is not a TTY');
    const lines = r.out.trimEnd().split('\n');
    const last = lines.at(-1)!;
    assert.match(last, /^report:  results\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\/report\.html$/);
    assert.match(lines.at(-4)!, /^junit: {3}results\/.*\/junit\.xml$/);
    const resultsLine = lines.at(-2)!;
    assert.match(resultsLine, /^results: results\/.*\/results\.json$/);
    assert.ok(fs.statSync(path.join(cwd, last.slice('report:  '.length))).size > 0, 'report.html written');
    const file = path.join(cwd, resultsLine.slice('results: '.length));
    const run = readResultsJson(file);
    assert.deepEqual([run.counts.pass, run.counts.inconclusive, run.finished], [2, 1, true]);
    assert.equal(fs.realpathSync(path.join(cwd, 'results/latest')), fs.realpathSync(path.dirname(file)));
    assert.equal(fs.readlinkSync(path.join(cwd, 'results/latest')), path.basename(path.dirname(file)), 'a relative link');
  });

  it('a broken rule is exit 1, and the summary names the test and the rule', async () => {
    const r = await hilrig(['run', '--virtual', '--bug', 'ack-wrong-mid', '--suite', 'smoke', '--grep', 'SMOKE_0[13]', '--out', 'out'], { cwd });
    assert.equal(r.code, 1, r.err + r.out);
    assert.match(r.out, /^Failed:\n {2}SMOKE_01 {2}RFC 7252 §4\.2: an ACK carries the Message ID/m);
    assert.match(r.out, /^results: out\/results\.json$/m);
    assert.equal(fs.existsSync(path.join(cwd, 'results')), false, '--out replaces results/<timestamp>');
  });

  it('--bail stops after the first fail; the rest are counted as not run', async () => {
    const r = await hilrig(['run', '--virtual', '--bug', 'ack-wrong-mid', '--suite', 'smoke', '--bail', '--out', 'out'], { cwd });
    assert.equal(r.code, 1, r.err + r.out);
    assert.equal(r.out.match(/^ {2}\[\d\/3\]/gm)?.length, 1, r.out);
    assert.match(r.out, /^ {2}not run {11}2$/m);
  });

  it('errors and no fail is exit 3; the messages are in the summary', async () => {
    const fx = writeFixtures(['plain']);
    try {
      const r = await hilrig(['run', '--virtual', '--suite', fx.dir, '--out', 'out'], { cwd });
      assert.equal(r.code, 3, r.err + r.out);
      assert.match(r.out, /^Errors:\n {2}PLAIN_02 {2}plain test threw$/m);
    } finally {
      fx.cleanup();
    }
  });

  it('usage and suite problems are exit 2 with a message that says what to do', async () => {
    const fx = writeFixtures(['broken']);
    try {
      const cases: [string[], RegExp][] = [
        [['--suite', fx.dir], /suite file .*broken\.js failed to load: TypeError: Cannot read properties of undefined \(reading 'rows'\) \(.*broken\.js:3:\d+\)/],
        [['--suite', 'nosuch'], /no suite "nosuch": installed suites are .*smoke/],
        [['--suite', 'smoke', '--grep', 'NO_SUCH_TEST'], /no test of smoke matches --grep NO_SUCH_TEST/],
        [['--suite', 'smoke', '--grep', '('], /--grep "\(" is not a regular expression/],
        [['--timeout', 'soon'], /--timeout expects whole milliseconds > 0, got "soon"/],
        [['--speed', '0'], /--speed expects a number from 0 to 1000/],
        [['--bug', 'no-such-bug'], /unknown bug mode "no-such-bug"; valid bug modes: .*ack-wrong-mid/],
        // a folder inside a file: ENOTDIR
        [['--suite', 'smoke', '--out', 'a-file/out'], /cannot write the results to .*a-file\/out: ENOTDIR/],
      ];
      fs.writeFileSync(path.join(cwd, 'a-file'), '');
      for (const [extra, msg] of cases) {
        const r = await hilrig(['run', '--virtual', ...extra], { cwd });
        assert.equal(r.code, 2, `${extra.join(' ')}: ${r.err}${r.out}`);
        assert.match(r.err, msg, extra.join(' '));
      }
      const speed = await hilrig(['run', '--target', 'udp://127.0.0.1:5683', '--speed', '5'], { cwd });
      assert.equal(speed.code, 2);
      assert.match(speed.err, /--speed applies to the built-in board: use it with --virtual/);
      const noCoap = await hilrig(['run', '--target', 'serial:///dev/null', '--suite', 'smoke'], { cwd });
      assert.equal(noCoap.code, 2, noCoap.err);
      assert.match(noCoap.err, /board "serial:\/\/\/dev\/null" has no CoAP transport, which suite smoke needs/);
      assert.deepEqual(fs.readdirSync(cwd), ['a-file'], 'no output folder for a run that never started');
    } finally {
      fx.cleanup();
    }
  });

  describe('against a board that runs on its own (real time)', () => {
    let board: RunningBoard;
    before(async () => {
      board = await new VirtualBoard({ drivers: defaultDrivers }).start({ udp: '127.0.0.1:0' });
    });
    after(() => board.stop());

    it('--target udp://HOST:PORT runs the suite over UDP', async () => {
      const r = await hilrig(['run', '--target', board.endpoints.udp!, '--suite', 'smoke', '--out', 'out'], { cwd });
      assert.equal(r.code, 0, r.err + r.out);
      assert.equal(readResultsJson(path.join(cwd, 'out/results.json')).board.coapUrl, board.endpoints.udp!.replace('udp:', 'coap:'));
    });

    it("--rig FILE takes the board's CoAP transport and its suites from the rig file", async () => {
      const port = Number(board.endpoints.udp!.split(':').at(-1));
      fs.writeFileSync(path.join(cwd, 'rig.yaml'), `version: 1\nboards:\n  desk:\n    transports:\n      coap: { udp: { host: 127.0.0.1, port: ${port} } }\n      smp: { udp: { host: 127.0.0.1, port: 1337 } }\n    suites: [smoke, upload]\n`);
      const r = await hilrig(['run', '--rig', 'rig.yaml', '--out', 'out'], { cwd });
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.err, /the rig file lists suite upload for board "desk", which this hilrig does not have; skipped/);
      assert.match(r.out, /3 tests of smoke against desk \(coap:\/\/127\.0\.0\.1:\d+\)/);
    });
  });

  it('--target coap+serial://PTY runs the suite as CoAP in slipmux frames, raw messages included', async () => {
    const pty = await openPtyPair();
    const board = await new VirtualBoard({ drivers: defaultDrivers }).start({ udp: false, serialPath: pty.a });
    try {
      const r = await hilrig(['run', '--target', `coap+serial://${pty.b}?baud=115200`, '--suite', 'smoke', '--out', 'out'], { cwd });
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /^ {2}\[1\/3\] pass {10}SMOKE_01 /m);
      assert.match(r.out, /against coap\+serial:\/\/\/dev\/pts\/\d+\?baud=115200; /);
    } finally {
      await board.stop();
      await pty.kill();
    }
  });

  it('Ctrl-C stops after the test in progress: results marked interrupted, exit 3', async () => {
    const fx = writeFixtures(['slow']);
    try {
      const out = path.join(cwd, 'out');
      const child = spawn(process.execPath, [CLI, 'run', '--virtual', '--speed', '10', '--suite', fx.dir, '--out', out], { cwd, env: { ...process.env, SLOW_MS: '3000', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      // the first progress line: a test has ended and the second is under way
      const deadline = Date.now() + 15_000;
      while (!/\[1\/6\]/.test(stdout)) {
        assert.ok(Date.now() < deadline, `no test ended: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGINT');
      assert.equal(await within(code, 10_000, 'the interrupted run to exit'), 3, stderr);
      assert.match(stderr, /SIGINT: stopping after the test in progress/);
      const run = readResultsJson(path.join(out, 'results.json'));
      assert.deepEqual([run.finished, run.interrupted], [true, true]);
      assert.ok(run.tests.length >= 1 && run.tests.length < 6, `${run.tests.length} tests`);
      assert.equal(run.counts.notRun, 6 - run.tests.length);
      assert.match(stdout, /interrupted/);
    } finally {
      fx.cleanup();
    }
  });

  it('a run killed with SIGKILL leaves a results.json that parses and holds the tests that ended', async () => {
    const fx = writeFixtures(['slow']);
    let child: ChildProcess | undefined;
    try {
      const out = path.join(cwd, 'out');
      const file = path.join(out, 'results.json');
      // 6 tests of 300 ms each (3000 ms of clock time at 10x)
      child = spawn(process.execPath, [CLI, 'run', '--virtual', '--speed', '10', '--suite', fx.dir, '--out', out], { cwd, env: { ...process.env, SLOW_MS: '3000' }, stdio: 'ignore' });
      const ended = (): number => {
        try {
          return readResultsJson(file).tests.length;
        } catch {
          return 0;
        }
      };
      // another process writes the file: look every 10 ms
      const deadline = Date.now() + 15_000;
      while (ended() < 2) {
        assert.ok(Date.now() < deadline, 'two tests never reached results.json');
        await new Promise((r) => setTimeout(r, 10));
      }
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await within(exited, 5000, 'the killed run to exit');
      const run = readResultsJson(file);
      assert.equal(run.finished, false);
      assert.equal(run.planned, 6);
      assert.ok(run.tests.length >= 2 && run.tests.length < 6, `${run.tests.length} tests`);
      assert.ok(run.tests.every((t) => t.verdict === 'pass'));
      assert.deepEqual(run.tests.map((t) => t.id), ['SLOW_01', 'SLOW_02', 'SLOW_03', 'SLOW_04', 'SLOW_05'].slice(0, run.tests.length));
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fx.cleanup();
    }
  });
});
