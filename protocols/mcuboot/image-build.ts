// Build an MCUboot image the way imgtool lays out an unsigned one: header, padding up to the
// header size (0xff, the erased-flash value imgtool pads with by default), the payload, an
// optional protected TLV area, then the TLV area holding the SHA-256 of everything before it.
// Byte for byte what `imgtool sign --pad-header` writes for the same input (checked against
// imgtool 2.4.0 in the tests). For tests and for the virtual board's slots.
import { createHash } from 'node:crypto';
import { encodeImageHeader, IMAGE_HEADER_SIZE, type ImageVersion, parseVersion, TLV_HEADER_SIZE, TLV_INFO_MAGIC, TLV_INFO_SIZE, TLV_PROT_INFO_MAGIC, TlvType } from './image-format.js';

export interface TlvSpec {
  type: number;
  value: Uint8Array;
}

export interface TestImageSpec {
  /** '1.2.3+4' or the parts */
  version: string | ImageVersion;
  payload: Uint8Array;
  /** ih_hdr_size (default 32; Zephyr builds use 0x200): the body starts here */
  headerSize?: number;
  loadAddr?: number;
  flags?: number;
  /** TLVs for the protected area (covered by the hash), e.g. a security counter */
  protectedTlvs?: TlvSpec[];
  /** more TLVs after the SHA-256 one, e.g. a KEYHASH and a made-up signature for listing tests */
  tlvs?: TlvSpec[];
  /** the byte between the 32-byte header and the body (default 0xff, imgtool's --erased-val) */
  padByte?: number;
}

function tlvArea(magic: number, tlvs: readonly TlvSpec[]): Uint8Array {
  const size = TLV_INFO_SIZE + tlvs.reduce((n, t) => n + TLV_HEADER_SIZE + t.value.length, 0);
  if (size > 0xffff) throw new TypeError(`buildTestImage: a TLV area of ${size} bytes does not fit its 16-bit size`);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, magic, true);
  dv.setUint16(2, size, true);
  let off = TLV_INFO_SIZE;
  for (const t of tlvs) {
    dv.setUint16(off, t.type, true);
    dv.setUint16(off + 2, t.value.length, true);
    out.set(t.value, off + TLV_HEADER_SIZE);
    off += TLV_HEADER_SIZE + t.value.length;
  }
  return out;
}

/** A valid unsigned image: its SHA-256 TLV matches. Throws TypeError on an impossible spec. */
export function buildTestImage(spec: TestImageSpec): Uint8Array {
  const version = typeof spec.version === 'string' ? parseVersion(spec.version) : spec.version;
  const hdrSize = spec.headerSize ?? IMAGE_HEADER_SIZE;
  if (!(Number.isInteger(hdrSize) && hdrSize >= IMAGE_HEADER_SIZE && hdrSize <= 0xffff)) {
    throw new TypeError(`buildTestImage: headerSize must be a whole number from ${IMAGE_HEADER_SIZE} to 65535, got ${String(hdrSize)}`);
  }
  const prot = spec.protectedTlvs && spec.protectedTlvs.length > 0 ? tlvArea(TLV_PROT_INFO_MAGIC, spec.protectedTlvs) : new Uint8Array(0);
  const header = encodeImageHeader({
    loadAddr: spec.loadAddr ?? 0,
    hdrSize,
    protectTlvSize: prot.length,
    imgSize: spec.payload.length,
    flags: spec.flags ?? 0,
    version,
  });
  const hashed = new Uint8Array(hdrSize + spec.payload.length + prot.length);
  hashed.fill(spec.padByte ?? 0xff, IMAGE_HEADER_SIZE, hdrSize);
  hashed.set(header, 0);
  hashed.set(spec.payload, hdrSize);
  hashed.set(prot, hdrSize + spec.payload.length);
  const sha = new Uint8Array(createHash('sha256').update(hashed).digest());
  const tlvs = tlvArea(TLV_INFO_MAGIC, [{ type: TlvType.SHA256, value: sha }, ...(spec.tlvs ?? [])]);
  const out = new Uint8Array(hashed.length + tlvs.length);
  out.set(hashed, 0);
  out.set(tlvs, hashed.length);
  return out;
}
