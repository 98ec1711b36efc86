// UDP through node:dgram. A client is a connected socket per board address; a listener is one
// bound socket whose datagrams the engine sorts into one child connection per peer address,
// as Mongoose does for UDP listeners.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type Driver, type DriverContext, HilrigError, type LinkSink, type ListenSink, type PeerTransport, type Transport } from '../../rig/engine/index.js';

/** 'udp://127.0.0.1:5683' or 'udp://[::1]:5683' */
export function udpAddr(address: string, port: number): string {
  return isIPv6(address) ? `udp://[${address}]:${port}` : `udp://${address}:${port}`;
}

/** Host and port of a udp:// URL; throws HilrigError BAD_URL naming what is missing. */
export function udpTarget(url: URL, needPort: boolean): { host: string; port: number; family: 'udp4' | 'udp6' } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 0 : Number(url.port);
  if (needPort && !(port > 0 && port < 65536)) throw new HilrigError('BAD_URL', `${url.href}: expected udp://HOST:PORT with a port from 1 to 65535`);
  if (host === '') throw new HilrigError('BAD_URL', `${url.href}: expected udp://HOST:PORT, the host is missing`);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port, family: isIPv6(host) ? 'udp6' : 'udp4' };
}

function ioError(url: URL, err: NodeJS.ErrnoException): HilrigError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new HilrigError('CONNECT_REFUSED', `${url.href}: port unreachable (nothing listens there, or the board is down)`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new HilrigError('RESOLVE_FAILED', `${url.href}: cannot resolve host "${url.hostname}"`, { cause: err });
    case 'EADDRINUSE':
    case 'EACCES':
    case 'EADDRNOTAVAIL':
      return new HilrigError('BIND_FAILED', `${url.href}: cannot bind: ${err.code} ${err.message}`, { cause: err });
    default:
      return new HilrigError('IO_ERROR', `${url.href}: ${err.code ?? ''} ${err.message}`.trim(), { cause: err });
  }
}

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

export const udpDriver: Driver = {
  datagram: true,

  connect(url: URL, sink: LinkSink, _ctx: DriverContext): Transport {
    let sock: dgram.Socket | undefined;
    let closed = false;
    try {
      const { host, port, family } = udpTarget(url, true);
      sock = dgram.createSocket(family);
      const s = sock;
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (closed) return;
        // ICMP port unreachable: the board may be rebooting; let the handler decide
        sink.failed(ioError(url, err), err.code !== 'ECONNREFUSED');
      });
      s.on('message', (msg) => sink.data(asBytes(msg)));
      s.connect(port, host, () => {
        const r = s.remoteAddress();
        const l = s.address();
        sink.opened({ peer: udpAddr(r.address, r.port), local: udpAddr(l.address, l.port) });
      });
    } catch (e) {
      const err = e instanceof HilrigError ? e : ioError(url, e as NodeJS.ErrnoException);
      queueMicrotask(() => sink.failed(err));
    }
    return {
      write(bytes) {
        if (!sock || closed) return;
        sock.send(bytes, (err) => {
          if (closed) return;
          if (err) sink.failed(ioError(url, err as NodeJS.ErrnoException), false);
          else sink.sent(bytes.length);
        });
      },
      close() {
        if (closed) return;
        closed = true;
        try {
          sock?.close();
        } catch {
          // already closed by an error
        }
      },
    };
  },

  listen(url: URL, sink: ListenSink, _ctx: DriverContext): Transport {
    let sock: dgram.Socket | undefined;
    let closed = false;
    const replies = new Map<string, PeerTransport>();
    try {
      const { host, port, family } = udpTarget(url, false);
      sock = dgram.createSocket(family);
      const s = sock;
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!closed) sink.failed(ioError(url, err));
      });
      s.on('message', (msg, rinfo) => {
        const peer = udpAddr(rinfo.address, rinfo.port);
        let reply = replies.get(peer);
        if (!reply) {
          reply = {
            write: (bytes, done) => {
              if (closed) return done(new HilrigError('IO_ERROR', `${url.href}: listener closed`));
              s.send(bytes, rinfo.port, rinfo.address, (err) => done(err ? ioError(url, err as NodeJS.ErrnoException) : undefined));
            },
          };
          replies.set(peer, reply);
        }
        sink.datagram(peer, asBytes(msg), reply);
      });
      s.bind(port, host, () => {
        const a = s.address();
        sink.opened({ local: udpAddr(a.address, a.port) });
      });
    } catch (e) {
      const err = e instanceof HilrigError ? e : ioError(url, e as NodeJS.ErrnoException);
      queueMicrotask(() => sink.failed(err));
    }
    return {
      write() {
        // a listener does not send; its children do
      },
      close() {
        if (closed) return;
        closed = true;
        try {
          sock?.close();
        } catch {
          // already closed
        }
      },
    };
  },
};
