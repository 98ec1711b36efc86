// serialport's Unix read retries at once when read() returns 0 bytes (bindings-cpp
// `unixRead`, issue serialport/bindings-cpp#162). On Linux a 0-byte read from a tty in raw
// mode means the line hung up: a USB adapter unplugged, or the master side of a pty closed
// (socat killed). The retry then spins forever on the thread pool, the stream never hears of
// it, and a vanished port goes unreported whenever a read was in flight at the moment it went.
// This wraps the platform binding so that each opened port reads the way serialport does,
// except that 0 bytes is a disconnect error, which the stream turns into a 'close' with a
// DisconnectedError like any other lost port.
import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';

const readAsync = promisify(fsRead);

/** The parts of bindings-cpp's LinuxPortBinding this relies on, checked at run time. */
interface UnixPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: 'readable', cb: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

interface OpeningBinding<O, P> {
  open(options: O): Promise<P>;
}

function isUnixPort(p: unknown): p is UnixPort {
  const port = p as Partial<UnixPort> | null;
  return typeof port?.fd === 'number' && typeof port.poller?.once === 'function' && typeof port.read === 'function';
}

/** What the stream treats as "closed on purpose": it must not be reported as a disconnect. */
const canceled = (): Error => Object.assign(new Error('Port is not open'), { canceled: true });

async function readOrHangUp(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    const fd = port.fd;
    if (!port.isOpen || fd === null) throw canceled();
    let bytesRead: number;
    try {
      ({ bytesRead } = await readAsync(fd, buffer, offset, length, null));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw e;
      if (!port.isOpen) throw canceled();
      // nothing to read yet: wait for the poller, which fails when the port is closed or lost
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
      continue;
    }
    if (bytesRead > 0) return { buffer, bytesRead };
    throw Object.assign(new Error('hang-up: read returned end of file'), { code: 'EOF', disconnect: true });
  }
}

/**
 * The same binding, whose ports report a hang-up instead of spinning. Only on Linux, where it
 * was measured; elsewhere the binding is returned unchanged.
 */
export function hangupAwareBinding<O, P, B extends OpeningBinding<O, P>>(binding: B): B {
  if (process.platform !== 'linux') return binding;
  return {
    ...binding,
    async open(options: O): Promise<P> {
      const port = await binding.open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readOrHangUp(port, buffer, offset, length);
      return port;
    },
  };
}
