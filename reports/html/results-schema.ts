// results.json as the report reads it, checked field by field: a file edited by hand, cut off, or
// written by another version must be refused with the field named, not turned into a page that
// breaks in the browser.
import { z } from 'zod';
import { countVerdicts, RESULTS_SCHEMA, type RunResult } from '../results/result-model.js';

const ExchangeSchema = z.object({
  t: z.number(),
  dir: z.enum(['out', 'in']),
  text: z.string(),
  type: z.string().optional(),
  code: z.string().optional(),
  mid: z.number().optional(),
  token: z.string().optional(),
  payloadSize: z.number().optional(),
  retransmission: z.number(),
  hex: z.string().optional(),
});

const TestSchema = z.object({
  id: z.string(),
  suite: z.string(),
  title: z.string(),
  verdict: z.enum(['pass', 'fail', 'inconclusive', 'error']),
  message: z.string().optional(),
  rule: z.string().optional(),
  errorName: z.string().optional(),
  durationMs: z.number(),
  clockMs: z.number().optional(),
  startedAt: z.string(),
  specRefs: z.array(z.string()),
  needs: z.array(z.string()),
  exchange: z.array(ExchangeSchema),
  notes: z.array(z.string()),
  console: z.array(z.string()),
  file: z.string().optional(),
});

const RunSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  board: z.object({ name: z.string(), coapUrl: z.string().optional(), bugs: z.array(z.string()).optional() }),
  host: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  hilrig: z.string(),
  suites: z.array(z.string()),
  grep: z.string().optional(),
  bail: z.boolean(),
  timeoutMs: z.number(),
  clockFactor: z.number(),
  planned: z.number(),
  finished: z.boolean(),
  interrupted: z.boolean(),
  tests: z.array(TestSchema),
});

/** `value` as a RunResult, or the problems found, each naming its field (`tests[3].verdict: ...`). */
export function checkRunResult(value: unknown): { ok: true; run: RunResult } | { ok: false; problems: string[] } {
  if (typeof value === 'object' && value !== null && 'schema' in value && value.schema !== RESULTS_SCHEMA) {
    const s = (value as { schema: unknown }).schema;
    return { ok: false, problems: [`schema is ${JSON.stringify(s)}; this hilrig reads ${RESULTS_SCHEMA}${typeof s === 'string' && s.startsWith('hilrig-results/') ? ' (written by another hilrig version)' : ''}`] };
  }
  const r = RunSchema.safeParse(value);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => `${pathText(i.path) || '(the file)'}: ${i.message}`) };
  // the counts are worked out again from the tests: a file edited by hand may disagree with its own
  const run: RunResult = { ...r.data, counts: countVerdicts(r.data.tests, r.data.planned) };
  return { ok: true, run };
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
