// How a test's verdict comes from its record and from what mocha saw (verdict-map.ts), and the
// exit code a run earns (progress.ts).
import assert from 'node:assert/strict';
import { runResult, type TestResult } from '../../reports/results/result-model.js';
import { exitCodeOf, progressLine, terminalSafe } from '../../rig/runner/progress.js';
import { judgeTest } from '../../rig/runner/verdict-map.js';

describe('runner: verdicts from records and mocha', () => {
  it('a record with a verdict decides', () => {
    assert.deepEqual(judgeTest({ state: 'passed' }, { verdict: 'pass' }, 1000), { verdict: 'pass' });
    assert.deepEqual(judgeTest({ state: 'failed', err: { message: 'x' } }, { verdict: 'fail', message: 'RFC 7252 §4.2: m', rule: 'RFC 7252 §4.2' }, 1000), { verdict: 'fail', message: 'RFC 7252 §4.2: m', rule: 'RFC 7252 §4.2' });
    assert.deepEqual(judgeTest({ state: 'pending' }, { verdict: 'inconclusive', message: 'no /obs' }, 1000), { verdict: 'inconclusive', message: 'no /obs' });
    assert.deepEqual(judgeTest({ state: 'failed', err: {} }, { verdict: 'error', message: 'dead', errorName: 'LinkDead' }, 1000), { verdict: 'error', message: 'dead', errorName: 'LinkDead' });
  });

  it("mocha's timeout is an error, whatever the record says", () => {
    const timeout = { state: 'failed' as const, err: { code: 'ERR_MOCHA_TIMEOUT', timeout: 4000, message: 'Timeout of 4000ms exceeded' } };
    for (const rec of [undefined, {}, { verdict: 'pass' as const }]) {
      assert.deepEqual(judgeTest(timeout, rec, 1), { verdict: 'error', errorName: 'Timeout', message: 'no answer within 4000 ms: the test was still waiting when the per-test timeout ran out' });
    }
  });

  it('without a record: mocha passed is pass, failed is error with its message, pending is inconclusive', () => {
    assert.deepEqual(judgeTest({ state: 'passed' }, undefined, 1), { verdict: 'pass' });
    assert.deepEqual(judgeTest({ state: 'failed', err: { message: '"before all" hook failed', name: 'Error' } }, undefined, 1), { verdict: 'error', message: '"before all" hook failed', errorName: 'Error' });
    assert.equal(judgeTest({ state: 'pending' }, undefined, 1).verdict, 'inconclusive');
    assert.deepEqual(judgeTest({ state: 'failed', err: { message: 'afterEach threw' } }, { verdict: 'pass' }, 1), { verdict: 'error', message: 'afterEach threw', errorName: 'Error' });
  });

  it('exit codes: 1 on any fail, else 3 on any error or an interrupted run, else 0 (inconclusive allowed)', () => {
    const t = (verdict: TestResult['verdict']): TestResult => ({ id: verdict, suite: 's', title: verdict, verdict, durationMs: 1, startedAt: '', specRefs: [], needs: [], exchange: [], notes: [], console: [] });
    const info = { board: { name: 'b' }, host: 'h', startedAt: '', durationMs: 0, hilrig: '0', suites: [], bail: false, timeoutMs: 1, clockFactor: 1, planned: 0, finished: true, interrupted: false };
    assert.equal(exitCodeOf(runResult(info, [t('pass'), t('inconclusive')])), 0);
    assert.equal(exitCodeOf(runResult(info, [t('pass'), t('error'), t('fail')])), 1);
    assert.equal(exitCodeOf(runResult(info, [t('pass'), t('error')])), 3);
    assert.equal(exitCodeOf(runResult({ ...info, interrupted: true }, [t('pass')])), 3);
  });

  it('progress lines never pass board bytes to the terminal raw', () => {
    assert.equal(terminalSafe('a\u001b[2Jb\u0000c\u009b'), 'a\\x1b[2Jb\\x00c\\x9b');
    const line = progressLine({ id: 'X_01', suite: 's', title: 'clear \u001b[2J screen', verdict: 'fail', durationMs: 1500, startedAt: '', specRefs: [], needs: [], exchange: [], notes: [], console: [] }, 3, 12, false);
    assert.equal(line, '  [ 3/12] fail          X_01  clear \\x1b[2J screen  (1.50 s)');
    assert.match(progressLine({ id: 'X', suite: 's', title: 't', verdict: 'pass', durationMs: 5, startedAt: '', specRefs: [], needs: [], exchange: [], notes: [], console: [] }, 1, 1, true), /\x1b\[32mpass/);
  });
});
