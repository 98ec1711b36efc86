// Interop with libcoap (Debian's libcoap3-bin, coap-server-notls) on 127.0.0.1: our Block1
// client PUTs 1 MiB into a resource the server creates (-d), our Block2 client GETs it back,
// and the two must be byte-identical. The server runs as a child process for this suite only.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { Manager } from '../../../../rig/index.js';
import { block1Put } from '../../../../protocols/coap/block/block1-client.js';
import { block2Get } from '../../../../protocols/coap/block/block2-client.js';
import { qblock1Put } from '../../../../protocols/coap/block/qblock1-client.js';
import { serializeCoap } from '../../../../protocols/coap/coap-codec.js';
import { coapEndpoint, setProtocolCoap } from '../../../../protocols/coap/coap-protocol.js';
import { bodyOf, firstDifference } from './block-rig.js';

const SERVER = 'coap-server-notls';

/** The executable's path when it is on PATH. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A UDP port free a moment ago (bound to 0, read, released). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Until the server answers a CoAP ping (an RST), bounded by `ms`. An unconnected socket ignores ICMP errors while it starts. */
async function waitForCoap(port: number, ms: number): Promise<void> {
  const s = dgram.createSocket('udp4');
  const ping = serializeCoap({ version: 1, type: 0, code: 0, mid: 0x4242, token: new Uint8Array(0), options: [], payload: new Uint8Array(0) }).slice();
  try {
    const pong = once(s, 'message');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    const deadline = Date.now() + ms;
    const t = setInterval(() => s.send(ping, port, '127.0.0.1'), 25);
    try {
      await Promise.race([pong, new Promise((_, reject) => setTimeout(() => reject(new Error(`${SERVER} did not answer a ping on port ${port} within ${ms} ms`)), Math.max(0, deadline - Date.now())).unref())]);
    } finally {
      clearInterval(t);
    }
  } finally {
    s.close();
  }
}

describe('interop with libcoap coap-server-notls (RFC 7959)', function () {
  this.timeout(15_000);
  let child: ChildProcess | undefined;
  let port = 0;
  let mgr: Manager | undefined;
  let stderr = '';

  before(async function () {
    const exe = onPath(SERVER);
    if (!exe) this.skip();
    port = await freeUdpPort();
    child = spawn(exe, ['-A', '127.0.0.1', '-p', String(port), '-d', '10'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitForCoap(port, 5000);
  });

  after(async () => {
    await mgr?.shutdown();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  async function client(): Promise<ReturnType<typeof coapEndpoint>> {
    mgr ??= new Manager();
    const c = mgr.connect(`udp://127.0.0.1:${port}`, () => undefined);
    setProtocolCoap(c);
    await c.ready;
    return coapEndpoint(c);
  }

  it('PUT 1 MiB with Block1, GET it back with Block2: byte-identical', async function () {
    const ep = await client();
    const body = bodyOf(1 << 20, 99);
    const t0 = performance.now();
    const put = await block1Put(ep, { path: '/hilrig/big' }, body, { szx: 6 });
    const putS = (performance.now() - t0) / 1000;
    assert.equal(put.code, 0x41, `2.01 Created expected, got 0x${put.code.toString(16)} ${new TextDecoder().decode(put.body)} ${stderr}`);
    assert.equal(put.stats.requests, 1024);
    const t1 = performance.now();
    const get = await block2Get(ep, { path: '/hilrig/big' }, { szx: 6 });
    const getS = (performance.now() - t1) / 1000;
    assert.equal(get.code, 0x45);
    assert.equal(get.body.length, body.length);
    assert.equal(firstDifference(get.body, body), -1);
    this.test!.title += ` — PUT ${(body.length / 1e6 / putS).toFixed(2)} MB/s, GET ${(body.length / 1e6 / getS).toFixed(2)} MB/s`;
  });

  it('Q-Block1 PUT: Q-Block1 if the server has it, else the fallback to Block1 (RFC 9177 §4.1); GET back byte-identical', async function () {
    const ep = await client();
    const body = bodyOf(64 * 1024, 98);
    const put = await qblock1Put(ep, { path: '/hilrig/q' }, body, { clock: mgr!.clock });
    assert.ok(put.code === 0x41 || put.code === 0x44, `2.01 or 2.04 expected, got 0x${put.code.toString(16)}`);
    const get = await block2Get(ep, { path: '/hilrig/q' });
    assert.equal(firstDifference(get.body, body), -1);
    this.test!.title += put.usedQBlock ? ' — the server has Q-Block1' : ' — the server answered 4.02: fell back to Block1';
  });
});
