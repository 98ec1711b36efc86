// pcapng blocks as bytes (draft-ietf-opsawg-pcapng): Section Header, Interface Description and
// Enhanced Packet blocks, and the options they carry. Pure: every function returns a whole block
// or option, little-endian, padded to 32 bits with zeros (§3.6.2). A writer that appends whole
// blocks leaves a file every reader can read up to its last block, whatever stops it.
//
// Layout shared by every block (§3.1): type (u32), total length (u32), body, total length again.
// Options (§3.5): code (u16), value length (u16, without padding), value padded to 32 bits; a
// non-empty list ends with opt_endofopt (code 0, length 0).

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Option codes valid in every block (§3.5). */
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
/** Custom options (§3.5.1): UTF-8 / binary, copyable when a file is rewritten. */
export const OPT_CUSTOM_STRING_COPY = 2988;
export const OPT_CUSTOM_BINARY_COPY = 2989;
/** Section Header Block options (§4.1). */
export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;
/** Interface Description Block options (§4.2). */
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
/** Enhanced Packet Block options (§4.3). */
export const EPB_FLAGS = 2;

/** Link types (draft-ietf-opsawg-pcaplinktype) this rig writes. */
export const LinkType = {
  /** a raw IPv4 or IPv6 packet, told apart by its version nibble */
  RAW: 101,
  /** reserved for private use: what the bytes are is said in the interface description */
  USER0: 147,
} as const;

/** epb_flags bits 0-1 (§4.3.1). */
export const EPB_DIR_INBOUND = 0b01;
export const EPB_DIR_OUTBOUND = 0b10;

/** if_tsresol 9: timestamps count nanoseconds since 1970-01-01 UTC. */
export const TSRESOL_NANOSECONDS = 9;

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

const utf8 = new TextEncoder();
const pad4 = (n: number): number => (n + 3) & ~3;

/** A UTF-8 string option (comments, names, descriptions; never zero-terminated). */
export function stringOption(code: number, text: string): PcapngOption {
  return { code, value: utf8.encode(text) };
}

export function commentOption(text: string): PcapngOption {
  return stringOption(OPT_COMMENT, text);
}

export function u8Option(code: number, v: number): PcapngOption {
  return { code, value: Uint8Array.of(v & 0xff) };
}

export function u32Option(code: number, v: number): PcapngOption {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, v >>> 0, true);
  return { code, value };
}

/** A custom option (§3.5.1): the Private Enterprise Number, then the data. */
export function customOption(pen: number, data: string | Uint8Array): PcapngOption {
  const body = typeof data === 'string' ? utf8.encode(data) : data;
  const value = new Uint8Array(4 + body.length);
  new DataView(value.buffer).setUint32(0, pen >>> 0, true);
  value.set(body, 4);
  return { code: typeof data === 'string' ? OPT_CUSTOM_STRING_COPY : OPT_CUSTOM_BINARY_COPY, value };
}

/** Bytes the options take in a block: each padded, plus opt_endofopt; 0 for none. */
function optionsLength(opts: readonly PcapngOption[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of opts) n += 4 + pad4(o.value.length);
  return n;
}

function writeOptions(view: DataView, out: Uint8Array, at: number, opts: readonly PcapngOption[]): number {
  if (opts.length === 0) return at;
  for (const o of opts) {
    if (o.value.length > 0xffff) throw new RangeError(`pcapng option ${o.code}: a value of ${o.value.length} bytes exceeds 65535`);
    view.setUint16(at, o.code, true);
    view.setUint16(at + 2, o.value.length, true);
    out.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  view.setUint32(at, 0, true); // opt_endofopt
  return at + 4;
}

/** A block: type, length, `body` bytes written by `fill` from offset 8, options, length. */
function block(type: number, bodyLength: number, opts: readonly PcapngOption[], fill: (view: DataView, out: Uint8Array) => void): Uint8Array {
  const total = 8 + pad4(bodyLength) + optionsLength(opts) + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  fill(view, out);
  writeOptions(view, out, 8 + pad4(bodyLength), opts);
  view.setUint32(total - 4, total, true);
  return out;
}

/** Drop options whose text is absent, so callers can pass optional fields straight through. */
function present(list: (PcapngOption | undefined)[]): PcapngOption[] {
  return list.filter((o): o is PcapngOption => o !== undefined);
}

export interface SectionHeader {
  hardware?: string;
  os?: string;
  application?: string;
  comment?: string;
  options?: readonly PcapngOption[];
}

/** The Section Header Block (§4.1): version 1.0, section length -1 (not given). */
export function sectionHeaderBlock(h: SectionHeader = {}): Uint8Array {
  const opts = present([
    h.comment === undefined ? undefined : commentOption(h.comment),
    h.hardware === undefined ? undefined : stringOption(SHB_HARDWARE, h.hardware),
    h.os === undefined ? undefined : stringOption(SHB_OS, h.os),
    h.application === undefined ? undefined : stringOption(SHB_USERAPPL, h.application),
    ...(h.options ?? []),
  ]);
  return block(BLOCK_SHB, 16, opts, (view) => {
    view.setUint32(8, BYTE_ORDER_MAGIC, true);
    view.setUint16(12, 1, true);
    view.setUint16(14, 0, true);
    view.setBigInt64(16, -1n, true);
  });
}

export interface InterfaceDescription {
  linkType: number;
  /** most bytes kept of each packet; 0 means no limit (default) */
  snapLen?: number;
  name?: string;
  description?: string;
  /** if_tsresol (default 9: nanoseconds); written always, so readers never assume microseconds */
  tsresol?: number;
  comment?: string;
  options?: readonly PcapngOption[];
}

/** An Interface Description Block (§4.2). Interfaces are numbered 0, 1, ... in the order written. */
export function interfaceDescriptionBlock(d: InterfaceDescription): Uint8Array {
  const opts = present([
    d.comment === undefined ? undefined : commentOption(d.comment),
    d.name === undefined ? undefined : stringOption(IF_NAME, d.name),
    d.description === undefined ? undefined : stringOption(IF_DESCRIPTION, d.description),
    u8Option(IF_TSRESOL, d.tsresol ?? TSRESOL_NANOSECONDS),
    ...(d.options ?? []),
  ]);
  return block(BLOCK_IDB, 8, opts, (view) => {
    view.setUint16(8, d.linkType, true);
    view.setUint16(10, 0, true);
    view.setUint32(12, d.snapLen ?? 0, true);
  });
}

export interface EnhancedPacket {
  interfaceId: number;
  /** in the interface's if_tsresol units (nanoseconds here) since 1970-01-01 UTC */
  timestamp: bigint;
  data: Uint8Array;
  /** the length on the wire when `data` was cut short (default data.length) */
  originalLength?: number;
  /** epb_flags direction bits; omitted when undefined */
  direction?: 'in' | 'out';
  comment?: string;
  options?: readonly PcapngOption[];
}

/** An Enhanced Packet Block (§4.3). */
export function enhancedPacketBlock(p: EnhancedPacket): Uint8Array {
  const opts = present([
    p.comment === undefined ? undefined : commentOption(p.comment),
    p.direction === undefined ? undefined : u32Option(EPB_FLAGS, p.direction === 'in' ? EPB_DIR_INBOUND : EPB_DIR_OUTBOUND),
    ...(p.options ?? []),
  ]);
  const ts = p.timestamp < 0n ? 0n : BigInt.asUintN(64, p.timestamp);
  return block(BLOCK_EPB, 20 + p.data.length, opts, (view, out) => {
    view.setUint32(8, p.interfaceId, true);
    view.setUint32(12, Number(ts >> 32n), true);
    view.setUint32(16, Number(ts & 0xffffffffn), true);
    view.setUint32(20, p.data.length, true);
    view.setUint32(24, Math.max(p.originalLength ?? p.data.length, p.data.length), true);
    out.set(p.data, 28);
  });
}
