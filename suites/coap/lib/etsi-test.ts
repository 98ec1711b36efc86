// `etsiTest`: a coapTest of the 'coap' suite whose links are watched (link.ts) and whose every
// request/answer pair is audited for its transport (transport-checks.ts) once the body is done,
// so a test about ETags still fails when the board piggybacks a response in a CON. Each call to
// `t.link()` opens a fresh link: tests share nothing and assume no order.
import { type CoapParams, derivedTimes, resolveParams } from '../../../protocols/coap/coap-params.js';
import { coapTest, type TestContext, type TestMeta } from '../../../rig/runner/suite-api.js';
import { Link } from './link.js';
import { auditPairs } from './transport-checks.js';

export interface EtsiContext extends TestContext {
  /** a fresh, watched CoAP link to the board */
  link(): Promise<Link>;
}

export function etsiTest(meta: TestMeta, body: (t: EtsiContext) => Promise<void>): void {
  coapTest('coap', meta, async (t) => {
    const links: Link[] = [];
    const et: EtsiContext = {
      ...t,
      link: async () => {
        const l = new Link(await t.coap());
        links.push(l);
        return l;
      },
    };
    await body(et);
    for (const l of links) {
      l.throwIfViolated();
      auditPairs(l.client.log);
    }
  });
}

/** The transmission parameters of the run's links, and the times derived from them. */
export function runParams(t: TestContext): CoapParams & { maxTransmitWaitMs: number } {
  const p = resolveParams(t.rig.coapParams);
  return { ...p, maxTransmitWaitMs: derivedTimes(p).maxTransmitWaitMs };
}

/**
 * The longest a test waits for something the plugtest expects within "a couple of seconds" (a
 * separate response, a NON answer): MAX_TRANSMIT_WAIT of the run's parameters, but at least 5 s
 * (the board's processing time does not shrink with the rig's timeouts) and at most 15 s, so a
 * silent board costs a test seconds, not minutes of run-clock time.
 */
export function answerWaitMs(t: TestContext): number {
  return Math.min(Math.max(runParams(t).maxTransmitWaitMs, 5_000), 15_000);
}
