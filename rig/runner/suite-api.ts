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
  /** for a `fail`: the rule broken ('RFC 7252 §4.2') */
  rule?: string;
  /** for an `error`: the name of what was thrown ('LinkDead', 'CoapRequestError', 'TypeError') */
  errorName?: string;
  /** clock ms (RFC time on a scaled clock) */
  durationMs?: number;
  exchange: ExchangeEntry[];
  /** notes a test adds to its result (`t.note(...)`) */
  notes: string[];
  /**
   * The test's links while it runs. When mocha gives up on a test (its timeout), the body is
   * still awaiting: the runner takes the exchange from here and closes the links, so the next
   * test starts on a fresh one and the stranded body unwinds.
   */
  links: CoapClient[];
}

export interface TestContext {
  /** a fresh CoAP link to the board for this test (closed afterwards) */
  coap(): Promise<CoapClient>;
  rig: RigContext;
  note(text: string): void;
}

/**
 * The context and the records live on globalThis, not in this module: the bundled CLI carries
 * its own copy of this file while suite files import the one in dist/ (or a user's installed
 * hilrig), and all copies must see the one run.
 */
interface SharedState {
  context?: RigContext;
  records: Map<string, TestRecord>;
}
const SHARED = Symbol.for('hilrig.suite-api.v1');
const registry = globalThis as unknown as Record<symbol, SharedState | undefined>;
const shared: SharedState = (registry[SHARED] ??= { records: new Map() });

/** Every test run so far, by its mocha full title. */
export const testRecords: Map<string, TestRecord> = shared.records;

export function setRigContext(ctx: RigContext | undefined): void {
  shared.context = ctx;
}

export function rigContext(): RigContext {
  if (!shared.context) throw new Error('this suite runs under `hilrig run`, which sets the board up first');
  return shared.context;
}

/** Register a conformance test of `suite` (a mocha `it`). */
export function coapTest(suite: string, meta: TestMeta, body: (t: TestContext) => Promise<void>): void {
  const title = `${meta.id}: ${meta.title}`;
  it(title, async function () {
    const record: TestRecord = { meta, suite, exchange: [], notes: [], links: [] };
    testRecords.set(this.test!.fullTitle(), record);
    const rig = rigContext();
    const clients = record.links;
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
      if (judged instanceof RuleViolation) record.rule = judged.rule;
      else if (record.verdict === 'error') record.errorName = judged instanceof Error ? judged.name : typeof judged;
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
 * but not the request broke a rule; a board that answers nothing is a dead link. A response with
 * the wrong token is the board's fault too (§5.3.2).
 */
async function judge(e: unknown, clients: CoapClient[], rig: RigContext): Promise<unknown> {
  if (e instanceof CoapRequestError && e.reason === 'token-mismatch') {
    // the endpoint caught the board answering with another token: a broken rule, not a rig error
    const rule = 'RFC 7252 §5.3.2';
    return new RuleViolation(rule, e.message.startsWith(`${rule}: `) ? e.message.slice(rule.length + 2) : e.message);
  }
  if (!(e instanceof CoapRequestError) || (e.reason !== 'gave-up' && e.reason !== 'timeout')) return e;
  const probe = clients[clients.length - 1];
  if (probe && !probe.c.isClosed && (await probe.alive())) {
    return new RuleViolation('RFC 7252 §4.2', `the board answers a ping but left ${describeMsg(e.request)} unanswered (${e.message})`);
  }
  rig.linkDead = `no answer to ${describeMsg(e.request)}, nor to a ping`;
  return new LinkDead(`the board answers nothing, not even a ping: ${e.message}`);
}
