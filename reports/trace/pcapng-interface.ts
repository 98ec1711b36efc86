// How one traced connection appears in a pcapng file: its link type, name and description, and
// the packet each chunk of bytes becomes.
//
// - A datagram connection with IP addresses (UDP) is LINKTYPE_RAW: each datagram inside a
//   synthetic IPv4/IPv6 + UDP header with the real addresses and ports, the direction choosing
//   source and destination. Wireshark then dissects UDP and, on port 5683, CoAP by itself, and
//   its conversations, filters (`udp.port == 5683`) and "Follow UDP Stream" work.
// - A byte stream (serial, TCP) is LINKTYPE_USER0: the bytes exactly as they crossed, one packet
//   per chunk read or written, the description saying what the bytes are, and a comment naming
//   the slipmux/SMP frames in a chunk. No IP framing would be honest for a UART.
import type { ConnInfo, TraceDir } from '../../rig/engine/trace-tap.js';
import { LinkType } from './pcapng-blocks.js';
import { SerialFrameNotes } from './serial-frame-notes.js';
import { MAX_UDP_PAYLOAD, parseUdpEndpoint, type UdpEndpoint, udpPacket } from './udp-packet.js';

/** What one chunk becomes in the file. */
export interface TracePacket {
  data: Uint8Array;
  /** set when `data` is shorter than what crossed */
  originalLength?: number;
  comment?: string;
}

export interface TraceInterface {
  linkType: number;
  /** if_name: the connection's label and transport */
  name: string;
  /** if_description: what the packets are, in words */
  description: string;
  packet(dir: TraceDir, bytes: Uint8Array): TracePacket;
}

/** The serial driver's default rate (drivers/serial/serial-url.ts), for URLs that name none. */
const DEFAULT_BAUD = 115200;

/** `label (udp#3)`, or just the label when it already is the engine's default `udp#3`. */
export function interfaceName(conn: ConnInfo): string {
  const tag = `${conn.transport}#${conn.connId}`;
  return conn.label === tag || conn.label === '' ? tag : `${conn.label} (${tag})`;
}

/** The interface for a connection; `conn` undefined for bytes of one opened before tracing began. */
export function traceInterface(conn: ConnInfo | undefined, connId: number): TraceInterface {
  if (!conn) {
    return rawInterface(`#${connId}`, `connection #${connId}, opened before the trace started: raw bytes, one packet per chunk`, false);
  }
  if (conn.datagram) {
    const local = parseUdpEndpoint(conn.local);
    const peer = parseUdpEndpoint(conn.peer);
    if (local && peer && local.family === peer.family) return udpInterface(conn, local, peer);
    return rawInterface(interfaceName(conn), `${conn.transport} datagrams of ${conn.url} (peer ${conn.peer || 'unknown'}), one packet per datagram, no IP headers (addresses not IP)`, false);
  }
  return rawInterface(interfaceName(conn), streamDescription(conn), true);
}

function udpInterface(conn: ConnInfo, local: UdpEndpoint, peer: UdpEndpoint): TraceInterface {
  let ipId = 0;
  const max = MAX_UDP_PAYLOAD[local.family];
  return {
    linkType: LinkType.RAW,
    name: interfaceName(conn),
    description: `${conn.transport} datagrams between ${conn.local} (this end) and ${conn.peer}, each in a synthetic IPv${local.family}/UDP header with the real addresses and ports; connection #${conn.connId} of ${conn.url}`,
    packet(dir, bytes) {
      const [src, dst] = dir === 'out' ? [local, peer] : [peer, local];
      ipId = (ipId + 1) & 0xffff;
      if (bytes.length <= max) return { data: udpPacket(src, dst, bytes, { ipId }) };
      const data = udpPacket(src, dst, bytes.subarray(0, max), { ipId });
      return { data, originalLength: data.length - max + bytes.length, comment: `a ${bytes.length}-byte datagram, more than one IPv${local.family} packet holds: cut to ${max} bytes` };
    },
  };
}

function rawInterface(name: string, description: string, annotate: boolean): TraceInterface {
  const notes = annotate ? { in: new SerialFrameNotes(), out: new SerialFrameNotes() } : undefined;
  return {
    linkType: LinkType.USER0,
    name,
    description,
    packet(dir, bytes) {
      const comment = notes?.[dir].comment(bytes);
      return comment === undefined ? { data: bytes } : { data: bytes, comment };
    },
  };
}

function streamDescription(conn: ConnInfo): string {
  const frames = 'slipmux/SMP frames inside are named in packet comments';
  if (conn.transport === 'serial') {
    let path = conn.peer;
    let baud = DEFAULT_BAUD;
    try {
      const u = new URL(conn.url);
      if (!path) path = decodeURIComponent(u.pathname);
      const b = Number(u.searchParams.get('baud') ?? '');
      if (Number.isInteger(b) && b > 0) baud = b;
    } catch {
      // an unparsable URL still has its bytes traced
    }
    return `raw serial bytes of ${path || conn.url} at ${baud} baud, one packet per chunk read or written; ${frames}`;
  }
  if (conn.transport === 'tcp') {
    return `raw TCP stream bytes between ${conn.local || 'this end'} and ${conn.peer || conn.url} (payload only, no TCP/IP headers), one packet per chunk; ${frames}`;
  }
  return `raw ${conn.transport} bytes of ${conn.url}, one packet per chunk read or written; ${frames}`;
}
