// libcoap's example programs (Debian libcoap3-bin) as interop peers nobody here wrote: a free UDP port on 127.0.0.1, coap-server-notls
// started there and awaited (a CoAP ping until it answers), and coap-client-notls run to its end
// with its output collected. Every process is bounded in time and killed by its own pid.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';

export const LIBCOAP_SERVER = 'coap-server-notls';
export const LIBCOAP_CLIENT = 'coap-client-notls';

/** Is the program on PATH (and runnable)? */
export function haveProgram(name: string): boolean {
  const r = spawnSync(name, ['-h'], { stdio: 'ignore', timeout: 5000 });
  return r.error === undefined;
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

/** Send CoAP pings (empty CON) to the port until an RST answers; rejects after `ms`. */
export async function waitForCoap(port: number, ms = 5000): Promise<void> {
  const s = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      let mid = 1;
      const deadline = setTimeout(() => reject(new Error(`no CoAP answer on 127.0.0.1:${port} within ${ms} ms`)), ms);
      const tick = setInterval(ping, 50);
      function ping(): void {
        mid++;
        s.send(Uint8Array.of(0x40, 0x00, mid >> 8, mid & 0xff), port, '127.0.0.1', () => undefined);
      }
      s.on('error', () => undefined); // ICMP port unreachable while the server starts
      s.on('message', (msg) => {
        if (msg.length >= 4 && (msg[0]! & 0x30) === 0x30) {
          clearTimeout(deadline);
          clearInterval(tick);
          resolve();
        }
      });
      s.bind(0, '127.0.0.1', ping);
    });
  } finally {
    s.close();
  }
}

export interface LibcoapServer {
  port: number;
  /** coap://127.0.0.1:PORT */
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Start coap-server-notls on a free loopback port (`extraArgs`, e.g. ['-d', '10'] for dynamic
 * resources that a PUT creates) and resolve once it answers a ping. A missing program is an
 * error, not a skip: CI installs libcoap3-bin (.ci/deps), so a skip would hide a broken setup.
 */
export async function startLibcoapServer(extraArgs: readonly string[] = []): Promise<LibcoapServer> {
  if (!haveProgram(LIBCOAP_SERVER)) throw new Error(`${LIBCOAP_SERVER} not found: apt-get install libcoap3-bin (bash .ci/deps)`);
  const port = await freeUdpPort();
  const proc = spawn(LIBCOAP_SERVER, ['-A', '127.0.0.1', '-p', String(port), ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForCoap(port);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url: `coap://127.0.0.1:${port}`, proc, stop };
}

/** Run coap-client-notls with `args`; resolves with its output when it exits (killed after `ms`). */
export async function runLibcoapClient(args: string[], ms: number): Promise<{ stdout: string; stderr: string; code: number | null; killed: boolean }> {
  const proc = spawn(LIBCOAP_CLIENT, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  let killed = false;
  const t = setTimeout(() => {
    killed = true;
    proc.kill('SIGKILL');
  }, ms);
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  clearTimeout(t);
  return { stdout, stderr, code, killed };
}
