// junit.xml for CI (Jenkins, GitLab, GitHub): the Apache Ant form, the strictest common one
// (schema: junit-ant.xsd). A `testsuite` per suite inside `testsuites`; a `testcase` per test,
// named "ID: title" (or the title alone when it is the id) with the suite as classname. Verdicts map to what CI understands:
//   fail         → <failure message="RFC 7252 §4.2: ..." type="RFC 7252 §4.2"> with the exchange
//   error        → <error message="..." type="LinkDead">, the exchange likewise
//   inconclusive → <skipped message="what the board lacks">
// The schema gives a testcase no output of its own, so notes and console lines of every test go
// to the suite's system-out, each line tagged with the test's ID.
import type { RunResult, TestResult } from '../results/result-model.js';
import { xmlAttr, xmlText, xmlToken } from './xml-text.js';

/** Ant wants a local date-time without a zone; ours is UTC (the ISO string's first 19 chars). */
const antTimestamp = (iso: string): string => iso.slice(0, 19);
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** The evidence under a failure or error: spec references, the exchange, the notes. */
export function evidence(t: TestResult): string {
  const lines: string[] = [];
  if (t.message) lines.push(t.message, '');
  if (t.specRefs.length > 0) lines.push(`spec: ${t.specRefs.join('; ')}`);
  if (t.exchange.length > 0) {
    lines.push('exchange:');
    for (const m of t.exchange) {
      const rt = m.retransmission > 0 ? ` (retransmission ${m.retransmission})` : '';
      lines.push(`  ${m.t.toFixed(0).padStart(7)} ms ${m.dir === 'out' ? '->' : '<-'} ${m.text}${rt}${m.hex ? ` [${m.hex}]` : ''}`);
    }
  } else {
    lines.push('exchange: (no message crossed the link)');
  }
  for (const n of t.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function testcase(t: TestResult): string {
  const name = t.id === t.title ? t.id : `${t.id}: ${t.title}`;
  const head = `    <testcase name="${xmlToken(name, 'test')}" classname="${xmlToken(t.suite, 'hilrig')}" time="${seconds(t.durationMs)}"`;
  switch (t.verdict) {
    case 'pass':
      return `${head}/>`;
    case 'inconclusive':
      return `${head}>\n      <skipped message="${xmlAttr(`inconclusive: ${t.message ?? ''}`)}"/>\n    </testcase>`;
    case 'fail':
      return `${head}>\n      <failure message="${xmlAttr(t.message ?? 'failed')}" type="${xmlAttr(t.rule ?? 'RuleViolation')}">${xmlText(evidence(t))}</failure>\n    </testcase>`;
    case 'error':
      return `${head}>\n      <error message="${xmlAttr(t.message ?? 'error')}" type="${xmlAttr(t.errorName ?? 'Error')}">${xmlText(evidence(t))}</error>\n    </testcase>`;
  }
}

/** What the board printed and what tests noted, in test order, each line tagged with the test. */
function systemOut(tests: readonly TestResult[]): string {
  const lines: string[] = [];
  for (const t of tests) {
    for (const n of t.notes) lines.push(`[${t.id}] note: ${n}`);
    for (const c of t.console) lines.push(`[${t.id}] console: ${c}`);
  }
  return lines.join('\n');
}

function systemErr(tests: readonly TestResult[]): string {
  return tests
    .filter((t) => t.verdict === 'error')
    .map((t) => `[${t.id}] ${t.errorName ?? 'error'}: ${t.message ?? ''}`)
    .join('\n');
}

function properties(run: RunResult): string {
  const props: [string, string][] = [
    ['board', run.board.name],
    ['coap.url', run.board.coapUrl ?? ''],
    ['board.bugs', (run.board.bugs ?? []).join(',')],
    ['hilrig.version', run.hilrig],
    ['run.startedAt', run.startedAt],
    ['run.clockFactor', String(run.clockFactor)],
    ['run.timeoutMs', String(run.timeoutMs)],
    ['run.grep', run.grep ?? ''],
    ['run.finished', String(run.finished)],
  ];
  return props.map(([k, v]) => `      <property name="${xmlToken(k, 'property')}" value="${xmlAttr(v)}"/>`).join('\n');
}

/** Suites in the order their first test ran, each with its tests in order. */
export function groupBySuite(tests: readonly TestResult[]): Map<string, TestResult[]> {
  const bySuite = new Map<string, TestResult[]>();
  for (const t of tests) {
    const list = bySuite.get(t.suite);
    if (list) list.push(t);
    else bySuite.set(t.suite, [t]);
  }
  return bySuite;
}

/** The whole junit.xml document for `run`. Pure. */
export function junitXml(run: RunResult): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  let id = 0;
  for (const [suite, tests] of groupBySuite(run.tests)) {
    const count = (v: TestResult['verdict']): number => tests.filter((t) => t.verdict === v).length;
    const time = tests.reduce((s, t) => s + t.durationMs, 0);
    out.push(
      `  <testsuite name="${xmlToken(suite, 'hilrig')}" package="${xmlToken(suite, 'hilrig')}" id="${id++}"` +
        ` timestamp="${antTimestamp(tests[0]!.startedAt)}" hostname="${xmlToken(run.host, 'localhost')}"` +
        ` tests="${tests.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('inconclusive')}" time="${seconds(time)}">`,
      `    <properties>\n${properties(run)}\n    </properties>`,
      ...tests.map(testcase),
      `    <system-out>${xmlText(systemOut(tests))}</system-out>`,
      `    <system-err>${xmlText(systemErr(tests))}</system-err>`,
      '  </testsuite>',
    );
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
