// A test's verdict from what mocha saw and what the test recorded (suite-api's TestRecord).
// The record decides whenever the test reached a verdict itself; mocha's view fills the gaps:
//   - mocha's timeout fired              → error "no answer within N ms" (the body never ended)
//   - a record with a verdict            → that verdict and message (pass, fail, inconclusive, error)
//   - no record, mocha passed            → pass (a plain `it` in a user's suite)
//   - no record, mocha failed            → error with mocha's message (a hook failed, a plain
//                                          `it` threw, the test never reached coapTest's body)
//   - no record, pending                 → inconclusive (it.skip / this.skip() in the suite)
import type { Verdict } from './verdicts.js';

export interface MochaOutcome {
  state: 'passed' | 'failed' | 'pending';
  /** what mocha caught, for a failed test */
  err?: { message?: unknown; code?: unknown; name?: unknown; timeout?: unknown };
}

/** The parts of a TestRecord the verdict comes from. */
export interface RecordedVerdict {
  verdict?: Verdict;
  message?: string;
  rule?: string;
  errorName?: string;
}

export interface Judged {
  verdict: Verdict;
  message?: string;
  rule?: string;
  errorName?: string;
}

const MOCHA_TIMEOUT = 'ERR_MOCHA_TIMEOUT';

export function isMochaTimeout(outcome: MochaOutcome): boolean {
  return outcome.state === 'failed' && outcome.err?.code === MOCHA_TIMEOUT;
}

export function judgeTest(outcome: MochaOutcome, record: RecordedVerdict | undefined, timeoutMs: number): Judged {
  if (isMochaTimeout(outcome)) {
    const ms = typeof outcome.err?.timeout === 'number' ? outcome.err.timeout : timeoutMs;
    return { verdict: 'error', errorName: 'Timeout', message: `no answer within ${ms} ms: the test was still waiting when the per-test timeout ran out` };
  }
  if (record?.verdict) {
    // a test that recorded pass but that mocha failed (an afterEach hook of the suite threw)
    if (record.verdict === 'pass' && outcome.state === 'failed') return mochaError(outcome);
    const j: Judged = { verdict: record.verdict };
    if (record.message !== undefined) j.message = record.message;
    if (record.rule !== undefined) j.rule = record.rule;
    if (record.errorName !== undefined) j.errorName = record.errorName;
    return j;
  }
  if (outcome.state === 'passed') return { verdict: 'pass' };
  if (outcome.state === 'pending') return { verdict: 'inconclusive', message: 'skipped by the suite (it.skip or this.skip())' };
  return mochaError(outcome);
}

function mochaError(outcome: MochaOutcome): Judged {
  const e = outcome.err;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : 'the test failed without a message';
  return { verdict: 'error', message, errorName: typeof e?.name === 'string' ? e.name : 'Error' };
}
