// Telling silences apart, as the suite API does for an unanswered request (suite-api.ts judge):
// a board that stays silent to a message but answers a CoAP ping broke the rule the test is
// about (`fail`); a board that answers nothing is a dead link (`error`, and later tests say so
// at once). A board that answered a ping just before a malformed message and none after it was
// crashed or wedged by that message: a `fail` of the rule the message tested.
import { LinkDead, RuleViolation } from '../../../rig/runner/verdicts.js';
import type { Link } from './link.js';

/** The board must be reachable before a robustness test sends it something malformed. */
export async function aliveBefore(l: Link, what: string): Promise<void> {
  if (!l.c.c.isClosed && (await l.c.alive())) return;
  l.t.rig.linkDead = `no answer to a ping before ${what}`;
  throw new LinkDead(`the board answers nothing, not even a ping, before ${what} was sent`);
}

/** After `what`, the board must still answer a ping: it did not crash or wedge. */
export async function aliveAfter(l: Link, rule: string, what: string): Promise<void> {
  if (!l.c.c.isClosed && (await l.c.alive())) return;
  l.t.rig.linkDead = `no answer to a ping after ${what}`;
  throw new RuleViolation(rule, `the board answered a ping before ${what} and none after it: it crashed or wedged`);
}

/**
 * Nothing came back for `what`: fail under `rule` when the board still answers a ping, else a
 * dead link. Never returns.
 */
export async function unanswered(l: Link, rule: string, what: string): Promise<never> {
  if (!l.c.c.isClosed && (await l.c.alive())) throw new RuleViolation(rule, `${what}, although the board still answers a ping`);
  l.t.rig.linkDead = `no answer to ${what}, nor to a ping`;
  throw new LinkDead(`the board answers nothing, not even a ping: ${what}`);
}
