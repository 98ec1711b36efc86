// Per-block cost of a block-wise transfer: a 1 MiB Block1 PUT and a 1 MiB Block2 GET (1024
// blocks of 1024 bytes, one round trip each) through the whole stack (Manager, UDP driver,
// CoapEndpoint, block1Put / block2Get) versus a bare node:dgram loop that uses the same codec
// (serialize, send, on the answer send the next block), both against libcoap's
// coap-server-notls on loopback, in the same process, in alternating rounds after a warm-up, so
// machine drift and the server's own cost hit both alike.
//   node dist/bench/coap-hot-path.js [--rounds 9] [--kib 1024]
//   node dist/bench/coap-hot-path.js --mode hilrig-put   one mode, once (for a CPU profile)
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { Manager } from '../rig/index.js';
import { connectCoap } from '../rig/coap/connect-coap.js';
import { block1Put, block2Get } from '../protocols/coap/block/index.js';
import { encodeBlock, block1 as block1Of, block2 as block2Of } from '../protocols/coap/block-option.js';
import { parseCoap, serializeCoap } from '../protocols/coap/coap-codec.js';
import { CoapCode } from '../protocols/coap/coap-codes.js';
import { CoapOptionNumber as O, encodeUint } from '../protocols/coap/coap-options.js';
import { type CoapMessage, type CoapOption, CoapType } from '../protocols/coap/coap-types.js';
import type { CoapEndpoint } from '../protocols/coap/coap-endpoint.js';

type Mode = 'bare-put' | 'hilrig-put' | 'bare-get' | 'hilrig-get';
const MODES: readonly Mode[] = ['bare-put', 'hilrig-put', 'bare-get', 'hilrig-get'];
const SZX = 6;
const BLOCK = 1024;
const PATH = 'bench';
const pathBytes = new TextEncoder().encode(PATH);

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  const port = s.address().port;
  await new Promise<void>((res) => s.close(res));
  return port;
}

/** libcoap's server with dynamic resources (PUT creates /bench), bound to loopback only. */
async function startServer(): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freeUdpPort();
  const proc = spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', String(port), '-d', '10'], { stdio: 'ignore' });
  await new Promise<void>((res, rej) => {
    proc.once('error', rej);
    proc.once('spawn', res);
  });
  // ready when it answers a CoAP ping (an empty CON gets an RST)
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.connect(port, '127.0.0.1', res));
  await new Promise<void>((res, rej) => {
    let tries = 0;
    const ping = (): void => {
      if (++tries > 100) return rej(new Error(`coap-server-notls on port ${port} does not answer`));
      s.send(Uint8Array.of(0x40, 0, tries >> 8, tries & 0xff));
      timer = setTimeout(ping, 20);
    };
    let timer = setTimeout(ping, 0);
    s.on('message', () => (clearTimeout(timer), res()));
    s.on('error', () => undefined);
  });
  s.close();
  return { port, proc };
}

const msg = (code: number, mid: number, token: Uint8Array, options: CoapOption[], payload: Uint8Array): CoapMessage => ({ version: 1, type: CoapType.CON, code, mid, token, options, payload });

/** The bare loop: one connected socket, our codec, the next block sent from the message callback. */
async function bare(port: number, body: Uint8Array, put: boolean): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.connect(port, '127.0.0.1', res));
  const blocks = Math.ceil(body.length / BLOCK);
  const token = Uint8Array.of(1, 2, 3, 4);
  let mid = Math.floor(Math.random() * 0xffff);
  let got = 0;
  const request = (num: number): Uint8Array => {
    mid = (mid + 1) & 0xffff;
    token[3] = num & 0xff;
    const options: CoapOption[] = [{ number: O.URI_PATH, value: pathBytes }];
    if (put) {
      const more = num + 1 < blocks;
      options.push({ number: O.BLOCK1, value: encodeBlock({ num, more, szx: SZX }) });
      if (num === 0) options.push({ number: O.SIZE1, value: encodeUint(body.length) });
      return serializeCoap(msg(CoapCode.PUT, mid, token, options, body.subarray(num * BLOCK, (num + 1) * BLOCK)));
    }
    options.push({ number: O.BLOCK2, value: encodeBlock({ num, more: false, szx: SZX }) });
    return serializeCoap(msg(CoapCode.GET, mid, token, options, new Uint8Array(0)));
  };
  const start = performance.now();
  await new Promise<void>((done, fail) => {
    let num = 0;
    s.on('message', (m) => {
      const r = parseCoap(m);
      if (r.kind !== 'ok' || r.value.mid !== mid) return fail(new Error(`bare: unexpected answer to block ${num}`));
      if (put && num + 1 === blocks) return done(); // libcoap's final 2.04 need not echo Block1
      const b = put ? block1Of(r.value) : block2Of(r.value);
      if (b?.kind !== 'ok' || b.value.num !== num) return fail(new Error(`bare: answer to block ${num} lacks its block option`));
      got += r.value.payload.length;
      if (!put && !b.value.more) return done();
      s.send(request(++num));
    });
    s.send(request(0));
  });
  const ms = performance.now() - start;
  if (!put && got !== body.length) throw new Error(`bare GET: ${got} bytes, expected ${body.length}`);
  s.close();
  return ms;
}

async function hilrig(ep: CoapEndpoint, body: Uint8Array, put: boolean): Promise<number> {
  const start = performance.now();
  if (put) {
    const r = await block1Put(ep, { path: `/${PATH}` }, body, { szx: SZX });
    if (r.stats.blocks !== Math.ceil(body.length / BLOCK)) throw new Error(`hilrig PUT: ${r.stats.blocks} blocks`);
  } else {
    const r = await block2Get(ep, { path: `/${PATH}` }, { szx: SZX });
    if (r.body.length !== body.length) throw new Error(`hilrig GET: ${r.body.length} bytes, expected ${body.length}`);
  }
  return performance.now() - start;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, rounds: { type: 'string', default: '9' }, kib: { type: 'string', default: '1024' } } });
  const body = Uint8Array.from({ length: Number(values.kib) * 1024 }, (_, i) => (i * 31 + 7) & 0xff);
  const blocks = Math.ceil(body.length / BLOCK);
  const { port, proc } = await startServer();
  const mgr = new Manager({ pollMs: 0 });
  const link = connectCoap(mgr, `coap://127.0.0.1:${port}`, () => undefined);
  try {
    await link.c.ready;
    const run = (m: Mode): Promise<number> => (m.startsWith('bare') ? bare(port, body, m === 'bare-put') : hilrig(link.ep, body, m === 'hilrig-put'));
    if (values.mode !== undefined) {
      if (!(MODES as readonly string[]).includes(values.mode)) throw new TypeError(`--mode: expected one of ${MODES.join(', ')}, got "${values.mode}"`);
      // a GET needs the resource: create it first
      if (values.mode.endsWith('get')) await bare(port, body, true);
      const cpu0 = process.cpuUsage();
      const ms = await run(values.mode as Mode);
      const cpu = process.cpuUsage(cpu0);
      console.log(`${values.mode}: ${ms.toFixed(1)} ms for ${blocks} blocks (${((cpu.user + cpu.system) / 1000).toFixed(1)} ms of CPU)`);
      return;
    }
    for (let w = 0; w < 3; w++) for (const m of MODES) await run(m); // warm-up: JIT every path
    const ms: Record<Mode, number[]> = { 'bare-put': [], 'hilrig-put': [], 'bare-get': [], 'hilrig-get': [] };
    const ratios = { put: [] as number[], get: [] as number[] };
    for (let i = 0; i < Number(values.rounds); i++) {
      for (const m of MODES) ms[m].push(await run(m));
      ratios.put.push(ms['hilrig-put'][i]! / ms['bare-put'][i]!);
      ratios.get.push(ms['hilrig-get'][i]! / ms['bare-get'][i]!);
    }
    const per = (xs: number[]): string => `${((median(xs) * 1024) / blocks).toFixed(1)} ms`.padStart(9);
    const us = (a: number[], b: number[]): string => `${(((median(a) - median(b)) * 1000) / blocks).toFixed(1)} µs/block`;
    console.log(`Block-wise over loopback against coap-server-notls, ${body.length} bytes in ${blocks} blocks, ${values.rounds} rounds (median, ms per 1024 blocks):`);
    console.log(`  Block1 PUT  bare dgram ${per(ms['bare-put'])}   hilrig ${per(ms['hilrig-put'])}   hilrig/bare ${median(ratios.put).toFixed(2)}×  (+${us(ms['hilrig-put'], ms['bare-put'])})`);
    console.log(`  Block2 GET  bare dgram ${per(ms['bare-get'])}   hilrig ${per(ms['hilrig-get'])}   hilrig/bare ${median(ratios.get).toFixed(2)}×  (+${us(ms['hilrig-get'], ms['bare-get'])})`);
  } finally {
    await mgr.shutdown();
    proc.kill();
  }
}

await main();
