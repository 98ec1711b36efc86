// Suite files for the runner's tests, written to a temporary folder as a user's own suites are:
// compiled .js that imports hilrig's suite API (here by the file URL of this build's copy, which
// the bundled CLI does not share: the run must still see their records).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const api = JSON.stringify(new URL('../../rig/runner/suite-api.js', import.meta.url).href);

/** The text of the suite files, by name. */
export const FIXTURES = {
  /** board bytes that XML and terminals cannot take: NUL, ESC, C1 controls, lone surrogates, U+FFFE */
  weird: `
import { coapTest, check } from ${api};
const nasty = 'A\\u0000B\\u001b[31mRED\\u001b[0m \\ud800 lone \\udc00 \\ufffe \\u0085 <&>"\\'' + Buffer.from([0xff, 0xc3, 0x28]).toString('utf8');
coapTest('weird', { id: 'WEIRD_01', title: 'notes what the board printed', refs: ['none'] }, async (t) => {
  t.note('console said: ' + nasty);
});
coapTest('weird', { id: 'WEIRD_02', title: 'fails with board bytes in the message', refs: ['RFC 7252 §3'] }, async (t) => {
  const c = await t.coap();
  // a CON with the reserved token length 9: the board logs it on its console, then rejects it
  c.sendRaw(Uint8Array.of(0x49, 0x01, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  const res = await c.ep.request({ method: 'GET', path: '/test' });
  t.note('payload ' + res.msg.payload.length + ' B');
  check(false, 'RFC 7252 §3', 'the board said ' + nasty);
});
coapTest('weird', { id: 'WEIRD_03', title: 'errors with board bytes in the message', refs: [] }, async () => {
  throw new TypeError('rig broke on ' + nasty);
});
`,
  /** a test whose body never ends, after sending a request: mocha's timeout decides */
  hang: `
import { coapTest } from ${api};
coapTest('hang', { id: 'HANG_01', title: 'sends a GET then waits forever', refs: [] }, async (t) => {
  const c = await t.coap();
  await c.ep.request({ method: 'GET', path: '/test' });
  await new Promise(() => {});
});
coapTest('hang', { id: 'HANG_02', title: 'the next test still has a link', refs: [] }, async (t) => {
  const c = await t.coap();
  const res = await c.ep.request({ method: 'GET', path: '/test' });
  if (res.msg.code !== 0x45) throw new Error('expected 2.05, got ' + res.msg.code);
});
`,
  /** throws while loading, on line 3 */
  broken: `
import { coapTest } from ${api};
const table = undefined; table.rows.push(1);
coapTest('broken', { id: 'NEVER', title: 'never registered', refs: [] }, async () => {});
`,
  /** a plain mocha test that throws, and one that passes: no records */
  plain: `
import assert from 'node:assert/strict';
describe('plain mocha', () => {
  it('PLAIN_01: passes without coapTest', () => assert.equal(1 + 1, 2));
  it('PLAIN_02: throws without coapTest', () => { throw new RangeError('plain test threw'); });
  it.skip('PLAIN_03: skipped in the file', () => {});
});
`,
  /** a before-hook that throws (its tests never run and each is an error) and an after-hook that throws */
  hook: `
import { coapTest } from ${api};
describe('hooked', () => {
  before(() => { throw new Error('fixture setup failed'); });
  coapTest('hook', { id: 'HOOK_01', title: 'behind a broken hook', refs: [] }, async () => {});
  coapTest('hook', { id: 'HOOK_02', title: 'also behind it', refs: [] }, async () => {});
});
describe('cleaned up badly', () => {
  after(() => { throw new Error('fixture teardown failed'); });
  coapTest('hook', { id: 'HOOK_03', title: 'runs, then its after-hook throws', refs: [] }, async () => {});
});
`,
  /** tests that each wait `SLOW_MS` of clock time, for runs that are killed half way */
  slow: `
import { coapTest } from ${api};
for (let i = 1; i <= 6; i++) {
  coapTest('slow', { id: 'SLOW_0' + i, title: 'GET /test then wait', refs: ['RFC 7252 §5.8.1'] }, async (t) => {
    const c = await t.coap();
    await c.ep.request({ method: 'GET', path: '/test' });
    await c.waitFor(() => false, Number(process.env.SLOW_MS ?? 1000));
  });
}
`,
} as const;

export type FixtureName = keyof typeof FIXTURES;

/** A temporary folder with one .js suite file per name; remove with `cleanup()`. */
export function writeFixtures(names: readonly FixtureName[]): { dir: string; file(name: FixtureName): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-suites-'));
  // the files are ES modules like the project's own build
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const n of names) fs.writeFileSync(path.join(dir, `${n}.js`), FIXTURES[n]);
  return { dir, file: (n) => path.join(dir, `${n}.js`), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
