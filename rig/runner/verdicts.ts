// The four verdicts of a conformance test (ARCHITECTURE.md, Verdicts) and the errors a test
// throws to reach them: a broken rule is `fail` (RuleViolation, citing the rule), a board that
// lacks what the test needs is `inconclusive` (Inconclusive), anything else the rig or the link
// threw is `error`.

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/** The board broke a named rule: the message says which and shows the evidence. */
export class RuleViolation extends Error {
  override readonly name = 'RuleViolation';
  constructor(
    /** 'RFC 7252 §4.2' */
    readonly rule: string,
    message: string,
  ) {
    super(`${rule}: ${message}`);
  }
}

/** The board lacks what the test needs (a resource, a content format): nothing to judge. */
export class Inconclusive extends Error {
  override readonly name = 'Inconclusive';
}

/** The link is dead (no answer, ping included): later tests say so at once. */
export class LinkDead extends Error {
  override readonly name = 'LinkDead';
}

/** Fail the test with `rule` unless `ok`. */
export function check(ok: boolean, rule: string, message: string): asserts ok {
  if (!ok) throw new RuleViolation(rule, message);
}

export function inconclusive(reason: string): never {
  throw new Inconclusive(reason);
}

/** The verdict a thrown value earns. */
export function verdictOf(e: unknown): Verdict {
  if (e instanceof RuleViolation) return 'fail';
  if (e instanceof Inconclusive) return 'inconclusive';
  return 'error';
}
