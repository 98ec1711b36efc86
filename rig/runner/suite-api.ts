// What a conformance suite file sees: the board under test and a fresh CoAP link per test
// (`coapTest`), the verdict helpers, and the record of each test (verdict, message, spec
// references, exchange) that the runner turns into results.json, junit.xml and the report.
// Suites are mocha files: `coapTest` registers an `it`. A user's own suite imports this module
// (`import { coapTest, check } from 'hilrig/suite'`) and runs with `hilrig run --suite ./mine`.
import type { Clock } from '../engine/clock.js';
import type { Manager } from '../engine/manager.js';
import type { CoapParams } from '../../protocols/coap/coap-params.js';
import { CoapRequestError } from '../../protocols/coap/client-requests.js';
import { describe as describeMsg } from '../../protocols/coap/coap-endpoint.js';
import { CoapClient, type ExchangeEntry } from './coap-client.js';
import { check, Inconclusive, inconclusive, LinkDead, RuleViolation, type Verdict, verdictOf } from './verdicts.js';

export { check, inconclusive, RuleViolation, Inconclusive, type Verdict };
export type { CoapClient, ExchangeEntry };

export interface BoardUnderTest {
  name: string;
  /** coap://HOST:PORT or coap+serial:///dev/ttyX?baud=N, when the board speaks CoAP */
  coapUrl?: string;
}

/** Set by the runner before it loads suite files. */
export interface RigContext {
  board: BoardUnderTest;
  mgr: Manager;
  clock: Clock;
  /** transmission parameters of the links the tests open (RFC defaults unless the rig says otherwise) */
  coapParams?: Partial<CoapParams>;
  /** set when the board stopped answering anything, ping included */
  linkDead?: string;
}

export interface TestMeta {
  /** 'TD_COAP_CORE_01', 'RFC7252_4.5_DUPLICATE_CON' */
  id: string;
  title: string;
  /** 'RFC 7252 §5.8.1', 'ETSI CoAP plugtest TD_COAP_CORE_01' */
  refs: string[];
  /** what the board must offer, for the report: '/test', 'Content-Format 40' */
  needs?: string[];
}

export interface TestRecord {
  meta: TestMeta;
  suite: string;
  verdict?: Verdict;
  message?: string;
  durationMs?: number;
  exchange: ExchangeEntry[];
  /** notes a test adds to its result (`t.note(...)`) */
  notes: string[];
}

export interface TestContext {
  /** a fresh CoAP link to the board for this test (closed afterwards) */
  coap(): Promise<CoapClient>;
  rig: RigContext;
  note(text: string): void;
}

let context: RigContext | undefined;
/** Every test registered so far, by its mocha full title. */
export const testRecords = new Map<string, TestRecord>();

export function setRigContext(ctx: RigContext | undefined): void {
  context = ctx;
}

export function rigContext(): RigContext {
  if (!context) throw new Error('this suite runs under `hilrig run`, which sets the board up first');
  return context;
}

/** Register a conformance test of `suite` (a mocha `it`). */
export function coapTest(suite: string, meta: TestMeta, body: (t: TestContext) => Promise<void>): void {
  const title = `${meta.id}: ${meta.title}`;
  it(title, async function () {
    const record: TestRecord = { meta, suite, exchange: [], notes: [] };
    testRecords.set(this.test!.fullTitle(), record);
    const rig = rigContext();
    const clients: CoapClient[] = [];
    const t: TestContext = {
      rig,
      note: (text) => void record.notes.push(text),
      coap: async () => {
        if (!rig.board.coapUrl) inconclusive(`board ${rig.board.name} has no CoAP endpoint in the rig description`);
        const c = await CoapClient.open(rig.mgr, rig.board.coapUrl, { params: rig.coapParams, label: `${rig.board.name} ${meta.id}` });
        clients.push(c);
        return c;
      },
    };
    const started = rig.clock.now();
    try {
      if (rig.linkDead) throw new LinkDead(`the board stopped answering earlier (${rig.linkDead}); not tried`);
      await body(t);
      record.verdict = 'pass';
    } catch (e) {
      const judged = await judge(e, clients, rig);
      record.verdict = verdictOf(judged);
      record.message = judged instanceof Error ? judged.message : String(judged);
      if (record.verdict === 'inconclusive') this.skip();
      throw judged;
    } finally {
      record.durationMs = rig.clock.now() - started;
      for (const c of clients) {
        record.exchange.push(...c.log);
        c.close();
      }
    }
  });
}

/**
 * A request that got no answer needs a second look (RFC 7252 §4.2): a board that answers a ping
 * but not the request broke a rule; a board that answers nothing is a dead link.
 */
async function judge(e: unknown, clients: CoapClient[], rig: RigContext): Promise<unknown> {
  if (!(e instanceof CoapRequestError) || (e.reason !== 'gave-up' && e.reason !== 'timeout')) return e;
  const probe = clients[clients.length - 1];
  if (probe && !probe.c.isClosed && (await probe.alive())) {
    return new RuleViolation('RFC 7252 §4.2', `the board answers a ping but left ${describeMsg(e.request)} unanswered (${e.message})`);
  }
  rig.linkDead = `no answer to ${describeMsg(e.request)}, nor to a ping`;
  return new LinkDead(`the board answers nothing, not even a ping: ${e.message}`);
}
