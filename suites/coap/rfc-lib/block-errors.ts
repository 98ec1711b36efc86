// The block-wise helpers of protocols/coap/block fail a transfer with a CoapBlockError naming the
// rule the server broke ("RFC 7959 §2.2: block 0 of 2 has M=0 but is not the last"): as a verdict
// that is a RuleViolation of the same rule. Anything else keeps its own verdict.
import { CoapBlockError } from '../../../protocols/coap/block/block-error.js';
import { RuleViolation } from '../../../rig/runner/verdicts.js';

export function asVerdict(e: unknown): unknown {
  if (!(e instanceof CoapBlockError)) return e;
  const prefix = `${e.rule}: `;
  return new RuleViolation(e.rule, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
}

/** Run a block-wise step, turning the rule it found broken into the test's verdict. */
export async function blockwise<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw asVerdict(e);
  }
}
