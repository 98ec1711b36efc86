// The SMP message (Zephyr doc/services/device_mgmt/smp_protocol.rst, "Frame: The envelope"):
// an 8-byte big-endian header, then `Data Length` bytes of CBOR.
//
//   byte 0   Res (bits 7-5, 0) | Ver (bits 4-3: 0 = SMP v1, 1 = SMP v2) | OP (bits 2-0)
//   byte 1   Flags (none defined, 0)
//   byte 2-3 Data Length (of the CBOR body)
//   byte 4-5 Group ID
//   byte 6   Sequence Num (a response repeats its request's)
//   byte 7   Command ID
//
// Pure: encodeSmp / decodeSmp over bytes. Reserved bits and flags are read and kept, not
// refused (the rig reports what the board sent); an OP above 3 is malformed, as Zephyr's
// smp_handle_single_req refuses it.
import { type Decoded, incomplete, malformed, ok } from '../../rig/engine/codec.js';
import { decodeCbor, encodeCbor, isCborMap, type SmpBody } from './smp-cbor.js';

export type { SmpBody } from './smp-cbor.js';

export const SMP_HEADER_SIZE = 8;
/** the largest Data Length the 16-bit field can say */
export const SMP_MAX_DATA = 0xffff;

export const SmpOp = { Read: 0, ReadRsp: 1, Write: 2, WriteRsp: 3 } as const;
export type SmpOp = (typeof SmpOp)[keyof typeof SmpOp];
export const SMP_OP_NAMES = ['read', 'read-rsp', 'write', 'write-rsp'] as const;

/** Ver bits: 0 is the original protocol (errors as `rc`), 1 is SMP v2 (group errors as `err`). */
export const SmpVersion = { V1: 0, V2: 1 } as const;
export type SmpVersionBits = 0 | 1 | 2 | 3;

/** Management groups of smp_protocol.rst, "Management Group ID's". */
export const SmpGroup = { Os: 0, Image: 1, Stat: 2, Settings: 3, Log: 4, Crash: 5, Split: 6, Run: 7, Fs: 8, Shell: 9, Enum: 10, ZephyrBasic: 63, PerUser: 64 } as const;

export interface SmpMessage {
  op: SmpOp;
  /** the Ver bits: 0 = SMP v1, 1 = SMP v2 (2 and 3 are reserved) */
  version: SmpVersionBits;
  flags: number;
  group: number;
  seq: number;
  /** the command ID within the group */
  id: number;
  /** the CBOR map; undefined when Data Length is 0 (or, for groups >= 64, the data is not CBOR) */
  body?: SmpBody;
  /**
   * The data bytes. decodeSmp sets it; encodeSmp sends it as is when `body` is undefined (a
   * virtual board's bug modes use this to send bytes that are not valid CBOR).
   */
  data?: Uint8Array;
  /** reserved bits 7-5 of byte 0 as received (decodeSmp only; encodeSmp writes 0) */
  reserved?: number;
}

export const isResponseOp = (op: number): boolean => op === SmpOp.ReadRsp || op === SmpOp.WriteRsp;
export const isRequestOp = (op: number): boolean => op === SmpOp.Read || op === SmpOp.Write;

const RULES = {
  op: 'smp_protocol.rst, Frame: OP is 0 (read), 1 (read response), 2 (write) or 3 (write response)',
  truncated: 'smp_protocol.rst, Frame: Data Length bytes of data follow the 8-byte header',
  mismatch: 'smp_protocol.rst, Frame: Data Length is the length of the Data field',
  cbor: 'smp_protocol.rst, Management Group IDs: the payload of groups 0-63 is CBOR',
  map: 'smp_protocol.rst, Minimal response: the data is a CBOR map',
} as const;

/** The 8 header bytes (with `dataLength` for the length field). */
export function encodeSmpHeader(m: Omit<SmpMessage, 'body' | 'data'>, dataLength: number): Uint8Array {
  check(m, dataLength);
  const h = new Uint8Array(SMP_HEADER_SIZE);
  h[0] = ((m.version & 0x3) << 3) | (m.op & 0x7);
  h[1] = m.flags & 0xff;
  h[2] = dataLength >> 8;
  h[3] = dataLength & 0xff;
  h[4] = m.group >> 8;
  h[5] = m.group & 0xff;
  h[6] = m.seq & 0xff;
  h[7] = m.id & 0xff;
  return h;
}

function check(m: Omit<SmpMessage, 'body' | 'data'>, dataLength: number): void {
  const field = (name: string, v: number, max: number): void => {
    if (!(Number.isInteger(v) && v >= 0 && v <= max)) throw new TypeError(`encodeSmp: ${name} must be a whole number from 0 to ${max}, got ${String(v)}`);
  };
  field('op', m.op, 3);
  field('version', m.version, 3);
  field('flags', m.flags, 0xff);
  field('group', m.group, 0xffff);
  field('seq', m.seq, 0xff);
  field('id', m.id, 0xff);
  if (dataLength > SMP_MAX_DATA) throw new TypeError(`encodeSmp: the body is ${dataLength} bytes of CBOR; Data Length holds at most ${SMP_MAX_DATA}`);
}

/** Header plus data: the CBOR of `body`, else `data`, else nothing. Throws TypeError on a bad field. */
export function encodeSmp(m: SmpMessage): Uint8Array {
  const data = m.body !== undefined ? encodeCbor(m.body) : (m.data ?? new Uint8Array(0));
  const out = new Uint8Array(SMP_HEADER_SIZE + data.length);
  out.set(encodeSmpHeader(m, data.length), 0);
  out.set(data, SMP_HEADER_SIZE);
  return out;
}

export interface DecodeSmpOptions {
  /**
   * 'whole' (default): `bytes` is one message (a datagram, a serial packet); fewer or more bytes
   * than the header says is malformed. 'stream': more bytes may follow (raw UART, BLE
   * reassembly); too few is incomplete, and `consumed` says where the next message starts.
   */
  mode?: 'whole' | 'stream';
}

/** Parse one SMP message; the body must be a CBOR map (any data is accepted for groups >= 64). */
export function decodeSmp(bytes: Uint8Array, opts: DecodeSmpOptions = {}): Decoded<SmpMessage> {
  const whole = (opts.mode ?? 'whole') === 'whole';
  if (bytes.length < SMP_HEADER_SIZE) {
    return whole ? malformed(bytes.length, `${RULES.truncated}: ${bytes.length} bytes, shorter than the header`) : incomplete(SMP_HEADER_SIZE - bytes.length);
  }
  const op = bytes[0]! & 0x7;
  if (op > 3) return malformed(0, `${RULES.op}; got ${op}`, whole ? bytes.length : 1);
  const length = (bytes[2]! << 8) | bytes[3]!;
  const end = SMP_HEADER_SIZE + length;
  if (bytes.length < end) {
    if (!whole) return incomplete(end - bytes.length);
    return malformed(bytes.length, `${RULES.truncated}: the header says ${length} bytes of data, ${bytes.length - SMP_HEADER_SIZE} present`);
  }
  if (whole && bytes.length > end) {
    return malformed(end, `${RULES.mismatch}: the header says ${length} bytes of data, ${bytes.length - SMP_HEADER_SIZE} present`);
  }
  const group = (bytes[4]! << 8) | bytes[5]!;
  const msg: SmpMessage = {
    op: op as SmpOp,
    version: ((bytes[0]! >> 3) & 0x3) as SmpVersionBits,
    flags: bytes[1]!,
    group,
    seq: bytes[6]!,
    id: bytes[7]!,
    data: new Uint8Array(bytes.subarray(SMP_HEADER_SIZE, end)),
    reserved: bytes[0]! >> 5,
  };
  if (length === 0) return ok(msg, end);
  const r = decodeCbor(msg.data!);
  const userGroup = group >= SmpGroup.PerUser;
  if (!r.ok) {
    if (userGroup) return ok(msg, end);
    const why = r.truncated ? 'the CBOR item ends after the data does' : r.reason;
    return malformed(SMP_HEADER_SIZE, `${RULES.cbor}: ${why}`, whole ? bytes.length : end);
  }
  if (!isCborMap(r.value)) {
    if (userGroup) return ok(msg, end);
    return malformed(SMP_HEADER_SIZE, `${RULES.map}; got ${describeCborItem(r.value)}`, whole ? bytes.length : end);
  }
  msg.body = r.value;
  return ok(msg, end);
}

function describeCborItem(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a byte string';
  if (v === null) return 'null';
  if (typeof v === 'object') return `a tagged ${v.constructor?.name ?? 'value'}`;
  return `a ${typeof v}`;
}

/** The response to `req` (op + 1, same version, group, sequence and command) carrying `body`. */
export function responseTo(req: SmpMessage, body: SmpBody = {}): SmpMessage {
  const op = req.op === SmpOp.Read ? SmpOp.ReadRsp : SmpOp.WriteRsp;
  return { op, version: req.version, flags: 0, group: req.group, seq: req.seq, id: req.id, body };
}

/** 'write group 1 id 1 seq 7' for logs and errors. */
export function describeSmpHeader(m: Pick<SmpMessage, 'op' | 'group' | 'id' | 'seq'>): string {
  return `${SMP_OP_NAMES[m.op] ?? `op ${m.op}`} group ${m.group} id ${m.id} seq ${m.seq}`;
}
