// libcoap's coap-server-notls (Debian libcoap3-bin) as a peer nobody here wrote, on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';

export interface LibcoapServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A free UDP port on 127.0.0.1 (bound and released; the race with other processes is accepted). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Start coap-server-notls with dynamic resources (-d), answering once it answers a ping. */
export async function startLibcoapServer(extraArgs: string[] = []): Promise<LibcoapServer> {
  const port = await freeUdpPort();
  const child: ChildProcess = spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', String(port), '-d', '10', ...extraArgs], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ENOENT' ? 'coap-server-notls not found: apt-get install libcoap3-bin' : e.message)));
    child.once('exit', (code) => reject(new Error(`coap-server-notls exited with ${code}`)));
  });
  failed.catch(() => undefined);
  // ready when it answers a CoAP ping (empty CON → RST)
  const sock = dgram.createSocket('udp4');
  try {
    await Promise.race([
      failed,
      new Promise<void>((resolve, reject) => {
        let tries = 0;
        const ping = (): void => {
          if (++tries > 100) return reject(new Error('coap-server-notls did not answer a ping within 2 s'));
          sock.send(Uint8Array.of(0x40, 0x00, 0x00, tries), port, '127.0.0.1');
        };
        sock.on('message', () => resolve());
        const timer = setInterval(ping, 20);
        void Promise.resolve().then(ping);
        sock.once('close', () => clearInterval(timer));
        void failed.catch(() => clearInterval(timer));
        void new Promise<void>((r) => sock.once('message', () => r())).then(() => clearInterval(timer));
      }),
    ]);
  } finally {
    sock.close();
  }
  return {
    url: `coap://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
