// The result of a suite run as data: what results.json holds, and what the JUnit writer and the
// HTML report read. Plain JSON-able values only (strings, numbers, arrays), so the file is the
// model and any tool can read it without hilrig. The runner (rig/runner) fills it in; nothing
// here knows about mocha.

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'inconclusive', 'error'];

/** results.json's `schema`: bump the number when a field changes meaning or goes away. */
export const RESULTS_SCHEMA = 'hilrig-results/1';

/** One message of a test's exchange with the board, decoded for people and scripts. */
export interface ExchangeMessage {
  /** clock ms since the link opened (RFC time on a scaled clock) */
  t: number;
  dir: 'out' | 'in';
  /** one line: `CON 0.01 GET MID 0x1a2b token 0a0b Uri-Path:"test" (0 B)`, or why the bytes are not CoAP */
  text: string;
  /** 'CON' | 'NON' | 'ACK' | 'RST'; absent for bytes that are not a CoAP message */
  type?: string;
  /** '2.05' */
  code?: string;
  mid?: number;
  /** hex, '' for an empty token */
  token?: string;
  payloadSize?: number;
  /** 0 first transmission; n: the n-th retransmission of a CON */
  retransmission: number;
  /** the datagram as hex, for bytes that are not a CoAP message (malformed on purpose or by the board) */
  hex?: string;
}

export interface TestResult {
  /** 'TD_COAP_CORE_01' */
  id: string;
  suite: string;
  title: string;
  verdict: Verdict;
  /** why (fail: the rule and the evidence; inconclusive: what the board lacks; error: what broke) */
  message?: string;
  /** for a fail: the rule broken, 'RFC 7252 §4.2' */
  rule?: string;
  /** for an error: what was thrown ('LinkDead', 'Timeout', 'TypeError') */
  errorName?: string;
  /** wall-clock ms the test took */
  durationMs: number;
  /** clock ms the test took (differs from durationMs on a scaled clock) */
  clockMs?: number;
  /** ISO-8601 UTC */
  startedAt: string;
  specRefs: string[];
  /** what the board must offer ('/test', 'Content-Format 40') */
  needs: string[];
  exchange: ExchangeMessage[];
  notes: string[];
  /** console lines the board printed while the test ran */
  console: string[];
  /** the spec file that holds the test */
  file?: string;
}

export interface VerdictCounts {
  pass: number;
  fail: number;
  inconclusive: number;
  error: number;
  /** tests that ended (the sum of the four) */
  total: number;
  /** tests selected but not run: --bail stopped the run, or it was interrupted */
  notRun: number;
}

export interface RunInfo {
  board: { name: string; coapUrl?: string; bugs?: string[] };
  host: string;
  /** ISO-8601 UTC */
  startedAt: string;
  durationMs: number;
  hilrig: string;
  /** suite names or paths, as asked for */
  suites: string[];
  grep?: string;
  bail: boolean;
  /** the per-test timeout mocha used, wall-clock ms */
  timeoutMs: number;
  /** how fast the run's clock ran: 1 is real time, 50 the virtual board's default */
  clockFactor: number;
  /** tests selected (after --grep) */
  planned: number;
  /** false while the run is going on, and in the file a killed run leaves */
  finished: boolean;
  /** stopped by a signal (SIGINT/SIGTERM) before the last test */
  interrupted: boolean;
}

export interface RunResult extends RunInfo {
  schema: typeof RESULTS_SCHEMA;
  counts: VerdictCounts;
  tests: TestResult[];
}

export function countVerdicts(tests: readonly TestResult[], planned: number): VerdictCounts {
  const counts: VerdictCounts = { pass: 0, fail: 0, inconclusive: 0, error: 0, total: tests.length, notRun: 0 };
  for (const t of tests) counts[t.verdict]++;
  counts.notRun = Math.max(0, planned - tests.length);
  return counts;
}

export function runResult(info: RunInfo, tests: readonly TestResult[]): RunResult {
  return { schema: RESULTS_SCHEMA, ...info, counts: countVerdicts(tests, info.planned), tests: [...tests] };
}
