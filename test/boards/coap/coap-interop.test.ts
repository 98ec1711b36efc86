// The virtual board's CoAP server against a client nobody here wrote: libcoap's coap-client-notls
// (Debian libcoap3-bin) on 127.0.0.1, for block-wise GET and PUT and for Observe.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningBoard } from '../../../boards/virtual/virtual-board.js';
import { largeBody } from '../../../boards/virtual/coap/resources/large.js';
import { startBoard } from './coap-board-fixture.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run coap-client-notls without blocking the event loop (the board runs in this process). */
function coapClient(args: string[], timeoutMs = 8000): Promise<Run> {
  return new Promise((resolve, reject) => {
    // -B: libcoap's own bound on waiting, below ours
    const child = spawn('coap-client-notls', ['-B', String(Math.floor(timeoutMs / 1000) - 1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? 'coap-client-notls not found: apt-get install libcoap3-bin' : e.message));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('virtual board CoAP server: interop with libcoap coap-client-notls', function () {
  this.timeout(20000);
  let board: RunningBoard | undefined;
  let base = '';
  let dir = '';

  before(async () => {
    board = await startBoard({ coap: { obsPeriodMs: 500 } });
    base = board.endpoints.udp!.replace(/^udp:/, 'coap:');
    dir = await mkdtemp(path.join(tmpdir(), 'hilrig-coap-interop-'));
  });
  after(async () => {
    await board?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('GET /large in 64-byte blocks: every byte of the body', async () => {
    const out = path.join(dir, 'large.out');
    const r = await coapClient(['-m', 'get', '-b', '64', '-o', out, `${base}/large`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(new Uint8Array(await readFile(out)), largeBody());
  });

  it('PUT a 3000-byte file to /large-update in blocks, then GET it back', async () => {
    const body = Buffer.alloc(3000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + 3) & 0xff;
    const file = path.join(dir, 'upload.bin');
    await writeFile(file, body);
    const put = await coapClient(['-m', 'put', '-b', '256', '-f', file, `${base}/large-update`]);
    assert.equal(put.code, 0, put.stderr);
    const out = path.join(dir, 'update.out');
    const get = await coapClient(['-m', 'get', '-o', out, `${base}/large-update`]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(await readFile(out), body);
  });

  it('observes /obs for 3 s: at least three notifications, each a newer state', async () => {
    const r = await coapClient(['-s', '3', '-w', `${base}/obs`], 10000);
    assert.equal(r.code, 0, r.stderr);
    const changes = r.stdout
      .split('\n')
      .map((l) => /^\/obs change (\d+) at [\d.]+ s$/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
    assert.ok(changes.length >= 3, `notifications: ${JSON.stringify(r.stdout)}`);
    for (let i = 1; i < changes.length; i++) assert.ok(changes[i]! > changes[i - 1]!, `change ${changes[i]} after ${changes[i - 1]}`);
  });

  it('discovers the resources: /.well-known/core as link-format, block-wise', async () => {
    const r = await coapClient(['-m', 'get', '-b', '128', `${base}/.well-known/core`]);
    assert.equal(r.code, 0, r.stderr);
    for (const p of ['</test>', '</large>;', '</obs>;', '</validate>']) assert.ok(r.stdout.includes(p), `${p} in ${r.stdout}`);
  });
});
