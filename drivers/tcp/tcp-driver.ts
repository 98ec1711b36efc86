// TCP through node:net: a byte stream like serial (boards with an Ethernet shell, ser2net or
// RFC 2217 bridges, SMP over TCP). A listener hands each accepted socket to the engine, which
// makes a child connection for it.
import net from 'node:net';
import { type Driver, type DriverContext, HilrigError, type LinkSink, type ListenSink, type Transport } from '../../rig/engine/index.js';

function tcpAddr(address: string | undefined, port: number | undefined): string {
  const a = address ?? '?';
  return net.isIPv6(a) ? `tcp://[${a}]:${port}` : `tcp://${a}:${port}`;
}

function tcpTarget(url: URL, needPort: boolean): { host: string; port: number } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 0 : Number(url.port);
  if (needPort && !(port > 0 && port < 65536)) throw new HilrigError('BAD_URL', `${url.href}: expected tcp://HOST:PORT with a port from 1 to 65535`);
  if (host === '') throw new HilrigError('BAD_URL', `${url.href}: expected tcp://HOST:PORT, the host is missing`);
  return { host, port };
}

function ioError(url: URL, err: NodeJS.ErrnoException): HilrigError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new HilrigError('CONNECT_REFUSED', `${url.href}: connection refused (nothing listens there)`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new HilrigError('RESOLVE_FAILED', `${url.href}: cannot resolve host "${url.hostname}"`, { cause: err });
    case 'EADDRINUSE':
    case 'EACCES':
      return new HilrigError('BIND_FAILED', `${url.href}: cannot listen: ${err.code}`, { cause: err });
    default:
      return new HilrigError('IO_ERROR', `${url.href}: ${err.code ?? ''} ${err.message}`.trim(), { cause: err });
  }
}

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

/** Wire an open socket to a sink; `onOpen` decides when `opened` is reported. */
function socketTransport(sock: net.Socket, url: URL, sink: LinkSink): Transport {
  let done = false;
  sock.on('data', (b) => sink.data(asBytes(b)));
  sock.on('error', (err: NodeJS.ErrnoException) => {
    if (done) return;
    done = true;
    sink.failed(ioError(url, err));
  });
  sock.on('end', () => {
    if (done) return;
    done = true;
    sink.ended('peer closed');
  });
  sock.on('close', () => {
    if (done) return;
    done = true;
    sink.ended('connection closed');
  });
  return {
    write(bytes) {
      if (done) return;
      sock.write(bytes, (err) => {
        if (!err && !done) sink.sent(bytes.length);
      });
    },
    close() {
      done = true;
      sock.destroy();
    },
    pause: () => sock.pause(),
    resume: () => sock.resume(),
  };
}

export const tcpDriver: Driver = {
  datagram: false,

  connect(url: URL, sink: LinkSink, _ctx: DriverContext): Transport {
    let target: { host: string; port: number };
    try {
      target = tcpTarget(url, true);
    } catch (e) {
      queueMicrotask(() => sink.failed(e as HilrigError));
      return { write() {}, close() {} };
    }
    const sock = net.connect({ host: target.host, port: target.port, noDelay: true });
    sock.once('connect', () => sink.opened({ peer: tcpAddr(sock.remoteAddress, sock.remotePort), local: tcpAddr(sock.localAddress, sock.localPort) }));
    return socketTransport(sock, url, sink);
  },

  listen(url: URL, sink: ListenSink, _ctx: DriverContext): Transport {
    let closed = false;
    let target: { host: string; port: number };
    try {
      target = tcpTarget(url, false);
    } catch (e) {
      queueMicrotask(() => sink.failed(e as HilrigError));
      return { write() {}, close() {} };
    }
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ noDelay: true }, (sock) => {
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
      // the engine needs the child's transport before it can hand back the child's sink
      let childSink: LinkSink | undefined;
      const relay: LinkSink = {
        opened: () => undefined,
        data: (b) => childSink?.data(b),
        sent: (n) => childSink?.sent(n),
        failed: (e, fatal) => childSink?.failed(e, fatal),
        ended: (r) => childSink?.ended(r),
      };
      const transport = socketTransport(sock, url, relay);
      childSink = sink.accepted(tcpAddr(sock.remoteAddress, sock.remotePort), tcpAddr(sock.localAddress, sock.localPort), transport);
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (!closed) sink.failed(ioError(url, err));
    });
    server.listen(target.port, target.host, () => {
      const a = server.address() as net.AddressInfo;
      sink.opened({ local: tcpAddr(a.address, a.port) });
    });
    return {
      write() {},
      close() {
        if (closed) return;
        closed = true;
        for (const s of sockets) s.destroy();
        server.close();
      },
    };
  },
};
