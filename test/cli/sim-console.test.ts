// `hilrig sim` and `hilrig console` as a user runs them: child processes, a real socat pty,
// real UDP. Every child is waited for, and killed if a test fails before it ends.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { within } from '../helpers/wait.js';
import { CLI } from '../helpers/cli.js';

// What an escaped exception leaves on stderr.
const CRASH_SIGNS = /Unhandled|uncaught|node:internal|internal error|^\s+at .+:\d+:\d+\)?$/m;

interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

const children = new Set<Child>();

function start(args: string[]): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const c: Child = { proc, out: () => out, err: () => err, exited };
  children.add(c);
  void exited.then(() => children.delete(c));
  return c;
}

/** Run to the end (bounded) and return its exit code and output. */
async function runCli(args: string[], ms = 15000): Promise<{ code: number | null; out: string; err: string }> {
  const c = start(args);
  const code = await within(c.exited, ms, `hilrig ${args.join(' ')} to exit`);
  return { code, out: c.out(), err: c.err() };
}

/** Wait until the child's stdout matches `re` (it prints as things happen). */
async function waitOut(c: Child, re: RegExp, what: string, ms = 10000): Promise<RegExpExecArray> {
  const found = (): RegExpExecArray | null => re.exec(c.out());
  await within(
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (found()) return resolve();
        if (c.proc.exitCode !== null) return reject(new Error(`exited (${c.proc.exitCode}) before ${what}; stderr: ${c.err()}`));
      };
      c.proc.stdout!.on('data', check);
      c.proc.on('exit', check);
      check();
    }),
    ms,
    `${what}; stdout so far:\n${c.out()}`,
  );
  return found()!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** socat processes whose parent is `ppid`. */
function socatChildren(ppid: number): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      return m && m[1] === 'socat' && Number(m[2]) === ppid ? [Number(p)] : [];
    } catch {
      return []; // gone while we looked
    }
  });
}

describe('hilrig sim + hilrig console', function () {
  this.timeout(30000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-cli-'));
  });
  afterEach(async () => {
    for (const c of [...children]) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('captures the banner with --reset, times out naming the pattern, and stops cleanly on SIGTERM', async () => {
    const sim = start(['sim', '--pty', '--udp', '127.0.0.1:0']);
    const ready = await waitOut(sim, /^ready (udp:\/\/\S+) (serial:\/\/\S+)$/m, 'the ready line');
    const [, udp, serial] = ready as unknown as [string, string, string];
    assert.match(sim.out(), /^\*\*\* Booting hilrig virtual board v\S+ \*\*\*$/m, 'sim prints the console on stdout too');
    assert.equal(sim.out().match(/^ready /gm)?.length, 1);
    const [socat] = socatChildren(sim.proc.pid!);
    assert.ok(socat, 'sim runs socat');

    // A pattern that never comes: exit 3, naming it (test/rig/console-pre-attach.test.ts shows
    // why the first banner cannot be relied on without --reset).
    const late = await runCli(['console', serial, '--expect', 'never printed', '--timeout', '500']);
    assert.equal(late.code, 3, `stdout: ${late.out}\nstderr: ${late.err}`);
    assert.match(late.err, /no line matching "never printed" within 500 ms/);
    assert.doesNotMatch(late.err, CRASH_SIGNS);

    // --reset reboots the board while the console listens.
    const jsonl = path.join(tmp, 'console.jsonl');
    const got = await runCli(['console', serial, '--board', 'virtual', '--reset', '--expect', 'Booting hilrig', '--timeout', '5000', '--jsonl', jsonl]);
    assert.equal(got.code, 0, `stdout: ${got.out}\nstderr: ${got.err}`);
    assert.match(got.out, /^\d\d:\d\d:\d\d\.\d{6} \| \*\*\* Booting hilrig virtual board v\S+ \*\*\*$/m);
    const rows = fs.readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const banner = rows.find((r) => r.text?.startsWith('*** Booting hilrig virtual board v'));
    assert.ok(banner, `no banner in ${JSON.stringify(rows)}`);
    assert.equal(banner.board, 'virtual');
    assert.match(banner.ts!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(banner.tsNs!, /^\d+$/);

    // The UDP endpoint on the ready line answers.
    const sock = dgram.createSocket('udp4');
    try {
      const reply = new Promise<string>((resolve) => sock.once('message', (m) => resolve(m.toString())));
      const { hostname, port } = new URL(udp);
      sock.send('hello', Number(port), hostname);
      assert.equal(await within(reply, 5000, 'the UDP echo'), 'hello');
    } finally {
      sock.close();
    }

    // A console without --expect runs until the port vanishes: then exit 3 with a message.
    const watcher = start(['console', serial, '--send', 'echo attached']);
    await waitOut(watcher, /\| attached$/m, 'the watching console to attach');
    sim.proc.kill('SIGTERM');
    assert.equal(await within(sim.exited, 10000, 'sim to exit'), 0, sim.err());
    assert.ok(!alive(socat), 'socat outlived sim');
    assert.equal(await within(watcher.exited, 10000, 'the console to notice'), 3);
    assert.match(watcher.err(), /hilrig console: .*(vanished|disconnected|closed)/i);
    assert.doesNotMatch(watcher.err(), CRASH_SIGNS);
  });

  it('sim: an unknown bug mode or option is a usage error naming it', async () => {
    const bug = await runCli(['sim', '--no-udp', '--pty', '--bug', 'nope']);
    assert.equal(bug.code, 2);
    assert.match(bug.err, /unknown bug mode "nope"; valid bug modes: .*\becho-truncated\b/);
    const opt = await runCli(['sim', '--frobnicate']);
    assert.equal(opt.code, 2);
    assert.match(opt.err, /unknown option '--frobnicate'/);
    const none = await runCli(['sim', '--no-udp']);
    assert.equal(none.code, 2);
    assert.match(none.err, /nothing to serve/);
  });

  it('sim --help teaches the options, their defaults and the bug modes with their rules', async () => {
    const h = await runCli(['sim', '--help']);
    assert.equal(h.code, 0);
    for (const opt of ['--udp HOST:PORT', '--no-udp', '--pty', '--serial PATH', '--bug NAME', '--name NAME', 'default 127.0.0.1:5683']) assert.ok(h.out.includes(opt), `help lacks ${opt}`);
    assert.match(h.out, /echo-truncated +udp-echo: breaks RFC 862/);
  });

  it('console: usage errors exit 2, a missing port exits 3 without a stack trace', async () => {
    const noUrl = await runCli(['console']);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.err, /the console URL is missing/);
    const bare = await runCli(['console', '/dev/ttyACM0']);
    assert.equal(bare.code, 2);
    assert.match(bare.err, /did you mean serial:\/\/\/dev\/ttyACM0\?/);
    const reset = await runCli(['console', 'serial:///dev/ttyACM0', '--reset']);
    assert.equal(reset.code, 2);
    assert.match(reset.err, /--reset needs --board NAME/);
    const opt = await runCli(['console', 'serial:///dev/ttyACM0', '--bogus']);
    assert.equal(opt.code, 2);
    assert.match(opt.err, /unknown option '--bogus'/);
    const missing = await runCli(['console', 'serial:///dev/hilrig-no-such-port', '--expect', 'x']);
    assert.equal(missing.code, 3);
    assert.match(missing.err, /hilrig-no-such-port/);
    assert.doesNotMatch(missing.err, CRASH_SIGNS);
    const help = await runCli(['console', '--help']);
    assert.equal(help.code, 0);
    for (const opt of ['--jsonl FILE', '--expect PATTERN', '--timeout MS', 'default 10000', '--send TEXT', '--board NAME', '--reset']) assert.ok(help.out.includes(opt), `help lacks ${opt}`);
  });
});
