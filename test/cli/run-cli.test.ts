// `hilrig`, `hilrig run` and help texts as a user meets them: exit codes and messages that say
// what was wrong.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';

const EXAMPLE_RIG = fileURLToPath(new URL('../../../boards/examples/rig.yaml', import.meta.url));

function hilrig(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 15000 }, (error, out, err) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, out, err });
    });
  });
}

describe('hilrig CLI: run and help', () => {
  it('hilrig --help lists every command and the exit codes', async () => {
    const r = await hilrig(['--help']);
    assert.equal(r.code, 0);
    for (const cmd of ['run', 'sim', 'console', 'ports', 'relay']) assert.match(r.out, new RegExp(`^  ${cmd} `, 'm'));
    assert.match(r.out, /Exit codes: 0 all passed, 1 a test failed, 2 usage or config error, 3 rig or link error/);
  });

  it('every command answers --help with its usage and exits 0', async () => {
    for (const cmd of ['run', 'sim', 'console', 'ports', 'relay']) {
      const r = await hilrig([cmd, '--help']);
      assert.equal(r.code, 0, `${cmd} --help`);
      assert.match(r.out, new RegExp(`hilrig ${cmd}`), `${cmd} --help names itself`);
    }
  });

  it('an unknown command or option is exit 2, naming it', async () => {
    const a = await hilrig(['frobnicate']);
    assert.equal(a.code, 2);
    assert.match(a.err, /unknown command "frobnicate"/);
    const b = await hilrig(['run', '--tagret', 'udp://127.0.0.1:5683']);
    assert.equal(b.code, 2);
    assert.match(b.err, /unknown option '--tagret'/);
  });

  it('run without a board says how to name one (exit 2)', async () => {
    const r = await hilrig(['run']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--rig FILE \[--board NAME\], --target URL or --virtual/);
  });

  it('run with a bad rig file names the key path and line (exit 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-run-'));
    const file = path.join(dir, 'rig.yaml');
    fs.writeFileSync(file, 'version: 1\nboards:\n  b1:\n    transports:\n      coap: { udp: { host: 127.0.0.1, prot: 5683 } }\n');
    try {
      const r = await hilrig(['run', '--rig', file]);
      assert.equal(r.code, 2);
      assert.match(r.err, /line 5 .*boards\.b1\.transports\.coap\.udp.*unknown key "prot"; did you mean "port"\?/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run with a valid board and a suite that is not there names what is installed (exit 2)', async () => {
    const r = await hilrig(['run', '--rig', EXAMPLE_RIG, '--board', 'sim', '--suite', 'no-such-suite']);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /no suite "no-such-suite": installed suites are .*smoke/);
  });

  it('run --virtual boots the built-in board, runs against it and stops it again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-run-'));
    try {
      const r = await hilrig(['run', '--virtual', '--suite', 'smoke', '--out', path.join(dir, 'out')]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /against virtual \(coap:\/\/127\.0\.0\.1:\d+\)/);
      assert.match(r.out, /results: .*results\.json\nreport:  .*report\.html\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const bad = await hilrig(['run', '--virtual', '--bug', 'no-such-bug']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown bug mode "no-such-bug"/);
  });
});
