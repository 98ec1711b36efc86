// ConsoleSession against the virtual board on a real socat pty. The rig's manager runs on a
// VirtualClock, so expect timeouts are reached by advancing time, never by waiting for them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type RunningBoard, VirtualBoard } from '../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../drivers/index.js';
import { createPtyPair } from '../../drivers/serial/pty-pair.js';
import { ConsoleSession } from '../../rig/console/console-session.js';
import { type HilrigError, Manager, VirtualClock } from '../../rig/index.js';

describe('console session', function () {
  this.timeout(15000);
  let board: RunningBoard;
  let clock: VirtualClock;
  let rig: Manager;
  let s: ConsoleSession;

  beforeEach(async () => {
    board = await new VirtualBoard({ drivers: defaultDrivers, openPty: () => createPtyPair() }).start({ udp: false, pty: true });
    clock = new VirtualClock(0);
    rig = new Manager({ clock });
    s = await ConsoleSession.attach(rig, board.endpoints.serial!, { label: 'virtual' });
  });
  afterEach(async () => {
    await rig.shutdown();
    await board.stop();
  });

  /** A rejection that may come later: attach a handler now, await the outcome later. */
  function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; err: HilrigError }> {
    return p.then(
      (value) => ({ ok: true as const, value }),
      (err: HilrigError) => ({ ok: false as const, err }),
    );
  }

  it('walks forward: each expect matches only lines after the previous match', async () => {
    for (const n of [1, 2, 3]) s.sendLine(`echo mark ${n}`);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) got.push((await s.expect(/^mark (\d)$/, { timeoutMs: 5000 })).match[1]!);
    assert.deepEqual(got, ['1', '2', '3']);
    // every mark line is behind the position now: a fourth expect cannot match an old one
    const fourth = settled(s.expect(/^mark/, { timeoutMs: 1000 }));
    clock.advance(1000);
    const r = await fourth;
    assert.ok(!r.ok, 'matched an old line');
    assert.equal(r.err.code, 'TIMEOUT');
    assert.match(r.err.message, /no line matching \/\^mark\/ within 1000 ms/);
    assert.match(r.err.message, /the last lines seen:\n(.*\n)*  \| mark 3/);
  });

  it('matches a string literally, special characters and all', async () => {
    s.sendLine('echo cost: $5 (approx.) [x]*');
    // first the shell's echo of the command (after the boot prompt, if that reached us), then its output
    const echoed = await s.expect('$5 (approx.) [x]*', { timeoutMs: 5000 });
    assert.match(echoed.line.text, /^(uart:~\$ )?echo cost: \$5 \(approx\.\) \[x\]\*$/);
    const r = await s.expect('$5 (approx.) [x]*', { timeoutMs: 5000 });
    assert.equal(r.line.text, 'cost: $5 (approx.) [x]*');
    assert.equal(r.match.index, 6);
  });

  it('does not time out before its time on the manager clock', async () => {
    const never = settled(s.expect('never printed', { timeoutMs: 2000 }));
    clock.advance(1999);
    s.sendLine('echo sync');
    await s.expect(/^sync$/, { timeoutMs: 5000 });
    clock.advance(1);
    const r = await never;
    assert.ok(!r.ok && r.err.code === 'TIMEOUT' && r.err.message.includes('"never printed"'), String(!r.ok && r.err.message));
  });

  it('expectAll finds every pattern in any order; expectNot fails on the forbidden line', async () => {
    s.sendLine('echo beta');
    s.sendLine('echo alpha');
    const [a, b] = await s.expectAll([/^alpha$/, /^beta$/], { timeoutMs: 5000 });
    assert.ok(a!.line.index > b!.line.index);

    const quiet = settled(s.expectNot(/^gamma$/, { withinMs: 500 }));
    clock.advance(500);
    assert.deepEqual(await quiet, { ok: true, value: undefined });

    const loud = settled(s.expectNot(/^gamma$/, { withinMs: 5000 }));
    s.sendLine('echo gamma');
    const r = await loud;
    assert.ok(!r.ok && r.err.code === 'PROTOCOL' && r.err.message.includes('"gamma"'), String(!r.ok && r.err.message));
  });

  it('rejects a pending expect, naming it, when the port vanishes', async () => {
    const pending = settled(s.expect('after the end', { timeoutMs: 60_000 }));
    await board.stop(); // socat goes, the rig's pty with it
    const r = await pending;
    assert.ok(!r.ok, 'resolved');
    assert.equal(r.err.code, 'PORT_VANISHED');
    assert.match(r.err.message, /while waiting for a line matching "after the end"/);
    assert.equal(s.isOpen, false);
    assert.throws(() => s.sendLine('anyone?'), /the console is closed/);
  });

  it('appends every line to a JSONL file, labelled with the board', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-session-'));
    try {
      const file = path.join(dir, 'c.jsonl');
      await s.close(); // serialport locks a port: one session at a time
      const s2 = await ConsoleSession.attach(rig, board.endpoints.serial!, { label: 'dut-3', jsonl: file });
      s2.sendLine('echo recorded');
      await s2.expect(/^recorded$/, { timeoutMs: 5000 });
      await s2.close();
      const rows = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { board: string; text: string; ts: string });
      assert.ok(rows.some((r) => r.text === 'recorded' && r.board === 'dut-3' && /^\d{4}-\d\d-\d\dT[\d:]+\.\d{6}Z$/.test(r.ts)), JSON.stringify(rows));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects attach to a port that does not exist, with the driver\'s code', async () => {
    await assert.rejects(ConsoleSession.attach(rig, 'serial:///dev/hilrig-no-such-port'), (e: HilrigError) => {
      assert.equal(e.code, 'PORT_NOT_FOUND');
      return true;
    });
  });
});
