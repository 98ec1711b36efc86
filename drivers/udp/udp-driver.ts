// UDP through node:dgram. A client is a connected socket per board address; a listener is one
// bound socket whose datagrams the engine sorts into one child connection per peer address,
// as Mongoose does for UDP listeners.
import dgram from 'node:dgram';
import { type Driver, type DriverContext, HilrigError, type LinkSink, type ListenSink, type PeerTransport, type Transport } from '../../rig/engine/index.js';

/**
 * An IPv6 literal, told apart by its colon: node's addresses and a URL's host (brackets removed)
 * are an IPv4 address, a host name or an IPv6 address, and only the last has colons. net.isIPv6
 * would say the same through a regular expression whose first use costs milliseconds of a
 * one-shot command's start.
 */
const isV6 = (host: string): boolean => host.includes(':');

/** 'udp://127.0.0.1:5683' or 'udp://[::1]:5683' */
export function udpAddr(address: string, port: number): string {
  return isV6(address) ? `udp://[${address}]:${port}` : `udp://${address}:${port}`;
}

/** Host and port of a udp:// URL; throws HilrigError BAD_URL naming what is missing. */
export function udpTarget(url: URL, needPort: boolean): { host: string; port: number; family: 'udp4' | 'udp6' } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 0 : Number(url.port);
  if (needPort && !(port > 0 && port < 65536)) throw new HilrigError('BAD_URL', `${url.href}: expected udp://HOST:PORT with a port from 1 to 65535`);
  if (host === '') throw new HilrigError('BAD_URL', `${url.href}: expected udp://HOST:PORT, the host is missing`);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port, family: isV6(host) ? 'udp6' : 'udp4' };
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
  // node:dgram allocates each received datagram afresh, and this driver keeps no reference
  handsOverDatagrams: true,

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
    interface Peer {
      address: string;
      port: number;
      /** 'udp://address:port', the child connection's key */
      name: string;
      reply: PeerTransport;
    }
    const peers = new Map<string, Peer>();
    // the peer of the previous datagram: a board or a test talks to one peer at a time, and the
    // check spares building its name and a map lookup per datagram
    let last: Peer | undefined;
    try {
      const { host, port, family } = udpTarget(url, false);
      sock = dgram.createSocket(family);
      const s = sock;
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!closed) sink.failed(ioError(url, err));
      });
      s.on('message', (msg, rinfo) => {
        let p = last;
        if (p === undefined || p.port !== rinfo.port || p.address !== rinfo.address) {
          const name = udpAddr(rinfo.address, rinfo.port);
          p = peers.get(name);
          if (!p) {
            const { address, port } = rinfo;
            const reply: PeerTransport = {
              write: (bytes, done) => {
                if (closed) return done(new HilrigError('IO_ERROR', `${url.href}: listener closed`));
                s.send(bytes, port, address, (err) => done(err ? ioError(url, err as NodeJS.ErrnoException) : undefined));
              },
            };
            p = { address, port, name, reply };
            peers.set(name, p);
          }
          last = p;
        }
        sink.datagram(p.name, asBytes(msg), p.reply);
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
