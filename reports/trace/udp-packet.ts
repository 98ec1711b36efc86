// A datagram as the IP packet that carried it: an IPv4 (RFC 791) or IPv6 (RFC 8200) header and a
// UDP header (RFC 768) with the real addresses and ports, put back around the payload the socket
// gave us, so a trace under LINKTYPE_RAW reads in Wireshark like a capture on the wire (CoAP on
// port 5683 is then dissected as CoAP with no "Decode As"). Pure.
//
// Both checksums are computed: the IPv4 header checksum, and the UDP checksum (optional over
// IPv4, where 0 would do, but mandatory over IPv6, and a correct one keeps Wireshark quiet when
// checksum validation is turned on).

export interface UdpEndpoint {
  family: 4 | 6;
  /** 4 or 16 bytes, network order */
  address: Uint8Array;
  port: number;
}

/** Largest UDP payload one IP packet can carry: IPv4 total length / IPv6 payload length is 16 bits. */
export const MAX_UDP_PAYLOAD = { 4: 0xffff - 20 - 8, 6: 0xffff - 8 } as const;

/**
 * 'udp://127.0.0.1:5683', 'udp://[::1]:5683' (or any scheme, or a bare '127.0.0.1:5683'), as
 * the endpoint a packet header needs; undefined for anything else (a serial path, a hostname).
 */
export function parseUdpEndpoint(text: string): UdpEndpoint | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\[([0-9a-f:.]+)(?:%[^\]]*)?\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})\/?$/i.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 0xffff) return undefined;
  if (m[2] !== undefined) {
    const parts = m[2].split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, address: Uint8Array.from(parts), port };
  }
  const address = ipv6Bytes(m[1]!);
  return address ? { family: 6, address, port } : undefined;
}

/** An IPv6 address in text (RFC 4291 §2.2: `::`, a trailing dotted IPv4) as 16 bytes. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  let s = text;
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (dotted) {
    const b = dotted.slice(1).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    s = `${s.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const zeros = 8 - left.length - right.length;
  if (halves.length === 2 ? zeros < 1 : zeros !== 0) return undefined;
  const words = [...left, ...new Array<number>(halves.length === 2 ? zeros : 0).fill(0), ...right];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** RFC 1071 one's-complement sum of 16-bit words, folded to 16 bits (not yet complemented). */
export function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = bytes.length;
  for (let i = 0; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (n & 1) sum += bytes[n - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export interface UdpPacketOptions {
  /** IPv4 Identification (a writer counts packets with it) */
  ipId?: number;
  /** IPv4 TTL / IPv6 Hop Limit (default 64) */
  ttl?: number;
}

/**
 * The IP+UDP packet from `src` to `dst` carrying `payload`. Both ends must be of one family.
 * Throws RangeError when the payload does not fit one packet (see MAX_UDP_PAYLOAD).
 */
export function udpPacket(src: UdpEndpoint, dst: UdpEndpoint, payload: Uint8Array, opts: UdpPacketOptions = {}): Uint8Array {
  if (src.family !== dst.family) throw new RangeError(`udpPacket: IPv${src.family} source with an IPv${dst.family} destination`);
  const max = MAX_UDP_PAYLOAD[src.family];
  if (payload.length > max) throw new RangeError(`udpPacket: a ${payload.length}-byte payload exceeds ${max}, the most one IPv${src.family} packet carries`);
  const ipLen = src.family === 4 ? 20 : 40;
  const udpLen = 8 + payload.length;
  const out = new Uint8Array(ipLen + udpLen);
  const view = new DataView(out.buffer);
  const ttl = opts.ttl ?? 64;
  if (src.family === 4) {
    out[0] = 0x45; // version 4, IHL 5 words
    view.setUint16(2, ipLen + udpLen);
    view.setUint16(4, (opts.ipId ?? 0) & 0xffff);
    view.setUint16(6, 0x4000); // Don't Fragment: one datagram, one packet
    out[8] = ttl;
    out[9] = 17; // UDP
    out.set(src.address, 12);
    out.set(dst.address, 16);
    view.setUint16(10, ~onesComplementSum(out.subarray(0, 20)) & 0xffff);
  } else {
    out[0] = 0x60; // version 6, traffic class and flow label 0
    view.setUint16(4, udpLen);
    out[6] = 17; // Next Header: UDP
    out[7] = ttl;
    out.set(src.address, 8);
    out.set(dst.address, 24);
  }
  view.setUint16(ipLen, src.port);
  view.setUint16(ipLen + 2, dst.port);
  view.setUint16(ipLen + 4, udpLen);
  out.set(payload, ipLen + 8);
  // pseudo-header (RFC 768; RFC 8200 §8.1): addresses, protocol, UDP length
  let sum = onesComplementSum(src.address);
  sum = onesComplementSum(dst.address, sum);
  sum += 17 + udpLen;
  sum = onesComplementSum(out.subarray(ipLen), sum);
  const check = ~sum & 0xffff;
  // a computed 0 is sent as 0xffff: 0 means "no checksum" (RFC 768)
  view.setUint16(ipLen + 6, check === 0 ? 0xffff : check);
  return out;
}
