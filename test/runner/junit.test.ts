// junit.xml against the Ant schema CI tools accept (xmllint --schema), whatever the board sent:
// NUL, ESC, lone surrogates and markup characters in notes and messages.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { junitXml } from '../../reports/junit/junit-xml.js';
import { xmlAttr, xmlSafe, xmlText } from '../../reports/junit/xml-text.js';
import { readResultsJson } from '../../reports/results/results-json.js';
import { type RunResult, runResult, type TestResult } from '../../reports/results/result-model.js';
import { virtualBoard } from '../../rig/runner/board-setup.js';
import { OUTPUT_FILES } from '../../rig/runner/run-outputs.js';
import { runSuites } from '../../rig/runner/run-suites.js';
import { within } from '../helpers/wait.js';
import { writeFixtures } from './fixtures.js';

// a copy of the schema (Apache License 2.0, Windy Road) beside this test's source
const schemaPath = fileURLToPath(new URL('../../../test/runner/junit-ant.xsd', import.meta.url));

function xmllint(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('xmllint', args, { timeout: 10_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

async function assertValid(file: string): Promise<void> {
  const r = await xmllint(['--noout', '--schema', schemaPath, file]);
  assert.equal(r.code, 0, `xmllint rejects ${file}:\n${r.err}\n${fs.readFileSync(file, 'utf8')}`);
}

function result(over: Partial<TestResult> & { id: string; verdict: TestResult['verdict'] }): TestResult {
  return { suite: 'coap', title: `title of ${over.id}`, durationMs: 12, startedAt: '2024-05-01T12:00:01.234Z', specRefs: [], needs: [], exchange: [], notes: [], console: [], ...over };
}

function run(tests: TestResult[]): RunResult {
  return runResult(
    { board: { name: 'nucleo', coapUrl: 'coap://192.0.2.1:5683' }, host: 'rig-host', startedAt: '2024-05-01T12:00:00.000Z', durationMs: 100, hilrig: '0.1.0', suites: ['coap', 'smoke'], bail: false, timeoutMs: 30000, clockFactor: 1, planned: tests.length, finished: true, interrupted: false },
    tests,
  );
}

describe('junit.xml', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-junit-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('xmlSafe shows control characters, replaces lone surrogates, keeps the rest', () => {
    assert.equal(xmlSafe('a\u0000b\u001bc\td\ne\rf'), 'a\\x00b\\x1bc\td\ne\rf');
    assert.equal(xmlSafe('x\ud800y\udc00z'), 'x\ufffdy\ufffdz');
    assert.equal(xmlSafe('pair \ud83d\ude00 kept, \ufffe \uffff'), 'pair \ud83d\ude00 kept, \\ufffe \\uffff');
    assert.equal(xmlText('<a href="x">&'), '&lt;a href="x"&gt;&amp;');
    assert.equal(xmlAttr('say "hi"\nthen\tgo'), 'say &quot;hi&quot;&#10;then&#9;go');
  });

  it('maps verdicts to failure, error and skipped; a testsuite per suite with counts; validates', async () => {
    const tests = [
      result({ id: 'TD_COAP_CORE_01', verdict: 'pass' }),
      result({ id: 'TD_COAP_CORE_02', verdict: 'fail', rule: 'RFC 7252 §4.2', message: 'RFC 7252 §4.2: wrong MID', exchange: [{ t: 0, dir: 'out', text: 'CON 0.01 GET MID 0x0001 (0 B)', retransmission: 0, type: 'CON', code: '0.01', mid: 1, token: '', payloadSize: 0 }], notes: ['a note'] }),
      result({ id: 'TD_COAP_CORE_03', verdict: 'error', errorName: 'LinkDead', message: 'the board answers nothing' }),
      result({ id: 'SMOKE_02', suite: 'smoke', verdict: 'inconclusive', message: 'no CBOR' }),
    ];
    const file = path.join(dir, 'synthetic.xml');
    fs.writeFileSync(file, junitXml(run(tests)));
    await assertValid(file);
    const xml = fs.readFileSync(file, 'utf8');
    assert.match(xml, /<testsuite name="coap" package="coap" id="0" timestamp="2024-05-01T12:00:01" hostname="rig-host" tests="3" failures="1" errors="1" skipped="0" time="0\.036">/);
    assert.match(xml, /<testsuite name="smoke" package="smoke" id="1" [^>]*tests="1" failures="0" errors="0" skipped="1"/);
    assert.match(xml, /<testcase name="TD_COAP_CORE_02: title of TD_COAP_CORE_02" classname="coap" time="0\.012">\s*<failure message="RFC 7252 §4\.2: wrong MID" type="RFC 7252 §4\.2">RFC 7252 §4\.2: wrong MID/);
    assert.match(xml, /-&gt; CON 0\.01 GET MID 0x0001 \(0 B\)/);
    assert.match(xml, /<error message="the board answers nothing" type="LinkDead">/);
    assert.match(xml, /<skipped message="inconclusive: no CBOR"\/>/);
    assert.match(xml, /<system-out>\[TD_COAP_CORE_02\] note: a note<\/system-out>/);
  });

  it('a run whose tests carry NUL, ESC, lone surrogates and markup writes a junit.xml that validates and reads back', async () => {
    const fx = writeFixtures(['weird']);
    const board = await virtualBoard({ bugs: [], speed: 50 });
    try {
      const outDir = path.join(dir, 'weird');
      const r = await within(runSuites({ board: board.board, mgr: board.mgr, clock: board.clock, outDir, suites: [fx.dir] }), 20_000, 'the run');
      assert.deepEqual(r.tests.map((t) => t.verdict), ['pass', 'fail', 'error']);
      const junit = path.join(outDir, OUTPUT_FILES.junit);
      await assertValid(junit);
      // what CI shows: the message with the control characters made visible
      const msg = await xmllint(['--xpath', 'string(//testcase[starts-with(@name,"WEIRD_02")]/failure/@message)', junit]);
      assert.equal(msg.code, 0, msg.err);
      assert.equal(msg.out.replace(/\n$/, ''), 'RFC 7252 §3: the board said A\\x00B\\x1b[31mRED\\x1b[0m \ufffd lone \ufffd \\ufffe \u0085 <&>"\'\ufffd\ufffd(');
      const out = await xmllint(['--xpath', 'string(//testsuite/system-out)', junit]);
      assert.match(out.out, /^\[WEIRD_01\] note: console said: A\\x00B\\x1b\[31mRED/);
      assert.match(out.out, /\[WEIRD_02\] note: payload \d+ B/);
      // results.json keeps the text as it was (JSON escapes what it must)
      const json = readResultsJson(path.join(outDir, OUTPUT_FILES.results));
      assert.ok(json.tests[0]!.notes[0]!.includes('A\u0000B\u001b[31m'));
      assert.ok(json.tests[2]!.message!.startsWith('rig broke on A\u0000B'));
    } finally {
      await board.close();
      fx.cleanup();
    }
  });
});
