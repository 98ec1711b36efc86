// The programs the CoAP benchmarks run, all on 127.0.0.1: libcoap's coap-server-notls and
// coap-client-notls (the peer nobody here wrote), hilrig's bundled CLI (`hilrig coap`, `hilrig
// relay`, `hilrig sim`) as users run it, a free UDP port, and a CoAP ping (empty CON, answered
// with RST, RFC 7252 §4.3) to know when a server is up and what round trip a link has.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RunOptions, type Service, startReady, startUntil } from './procs.js';

export const LIBCOAP_SERVER = 'coap-server-notls';
export const LIBCOAP_CLIENT = 'coap-client-notls';
/** dist/cli/bin/main.js: what package.json's `bin` names (built by `npm run bundle`) */
export const HILRIG_CLI = fileURLToPath(new URL('../../cli/bin/main.js', import.meta.url));
/** the Node that runs this benchmark runs the CLI too */
export const NODE = process.execPath;

/** The argv of `hilrig ARGS` as a user runs it. */
export const hilrig = (...args: string[]): [string, string[]] => [NODE, [HILRIG_CLI, ...args]];

/** Fail early, saying what to install or build, when a program the benchmark runs is missing. */
export function requirePrograms(): void {
  for (const prog of [LIBCOAP_SERVER, LIBCOAP_CLIENT]) {
    if (spawnSync(prog, ['-h'], { stdio: 'ignore', timeout: 5000 }).error) throw new Error(`${prog} not found: apt-get install libcoap3-bin`);
  }
  if (!existsSync(HILRIG_CLI)) throw new Error(`${HILRIG_CLI} not found: build it with \`npx tsc -p tsconfig.json && npm run --silent bundle\``);
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** `udp://127.0.0.1:5683` or `coap://127.0.0.1:5683/x` → 5683 */
export function portOf(url: string): number {
  const port = Number(new URL(url).port);
  if (!(port > 0)) throw new TypeError(`no port in ${url}`);
  return port;
}

/**
 * `count` CoAP pings to 127.0.0.1:`port`, one after the other, each from a fresh socket (libcoap's
 * server answers the first ping of a peer at once but later ones only now and then); resolves
 * with the round trip of each (ms). A ping unanswered for 50 ms is sent again (the server may
 * still be starting, and that round trip is not counted); rejects when `ms` pass.
 */
export async function coapPings(port: number, count: number, ms: number): Promise<number[]> {
  const rtts: number[] = [];
  const until = performance.now() + ms;
  for (let i = 0; i < count; i++) rtts.push(await coapPing(port, until - performance.now()));
  return rtts;
}

async function coapPing(port: number, ms: number): Promise<number> {
  const s = dgram.createSocket('udp4');
  let deadline: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      let mid = Math.floor(Math.random() * 0xff00);
      let sentAt = 0;
      deadline = setTimeout(() => reject(new Error(`no CoAP answer from 127.0.0.1:${port} within ${ms.toFixed(0)} ms`)), Math.max(0, ms));
      retry = setInterval(ping, 50);
      function ping(): void {
        mid = (mid + 1) & 0xffff;
        sentAt = performance.now();
        s.send(Uint8Array.of(0x40, 0x00, mid >> 8, mid & 0xff), port, '127.0.0.1', () => undefined);
      }
      s.on('error', () => undefined); // ICMP port unreachable while the server starts
      s.on('message', (m) => {
        // RST (type 3) with the MID of the latest ping
        if (m.length >= 4 && (m[0]! & 0x30) === 0x30 && ((m[2]! << 8) | m[3]!) === mid) resolve(performance.now() - sentAt);
      });
      s.bind(0, '127.0.0.1', ping);
    });
  } finally {
    clearTimeout(deadline);
    clearInterval(retry);
    s.close();
  }
}

/** coap-server-notls on a free loopback port with `args` (e.g. -d 10), once it answers a ping. */
export async function startLibcoapServer(args: readonly string[], opts: RunOptions): Promise<Service & { port: number }> {
  const port = await freeUdpPort();
  const svc = await startUntil(LIBCOAP_SERVER, ['-A', '127.0.0.1', '-p', String(port), ...args], async () => void (await coapPings(port, 1, opts.timeoutMs)), {
    label: `${LIBCOAP_SERVER} on port ${port}`,
    ...opts,
  });
  return { ...svc, url: `coap://127.0.0.1:${port}`, port };
}

/** `hilrig relay --to udp://127.0.0.1:PORT --delay D` (each way) as its own process. */
export async function startRelay(toPort: number, delayMs: number, opts: RunOptions): Promise<Service & { port: number }> {
  const [cmd, args] = hilrig('relay', '--listen', 'udp://127.0.0.1:0', '--to', `udp://127.0.0.1:${toPort}`, '--delay', String(delayMs));
  const svc = await startReady(cmd, args, { label: `hilrig relay to port ${toPort}`, ...opts });
  return { ...svc, port: portOf(svc.url) };
}

/** `hilrig sim --udp 127.0.0.1:0 [--coap-max-body N]`: the virtual board as its own process. */
export async function startVirtualBoard(maxBody: number | undefined, opts: RunOptions): Promise<Service & { port: number }> {
  const extra = maxBody === undefined ? [] : ['--coap-max-body', String(maxBody)];
  const [cmd, args] = hilrig('sim', '--udp', '127.0.0.1:0', ...extra);
  const svc = await startReady(cmd, args, { label: 'hilrig sim', ...opts });
  return { ...svc, port: portOf(svc.url) };
}
