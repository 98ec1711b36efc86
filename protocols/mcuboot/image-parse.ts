// Parse and verify an MCUboot image (mcuboot docs/design.md, "Image format"). The layout:
//
//   [0, hdrSize)                        header (32 bytes) and padding
//   [hdrSize, hdrSize + imgSize)         the body
//   then, when ih_protect_tlv_size > 0: the protected TLV area (magic 0x6908), exactly that size
//   then                                the TLV area (magic 0x6907)
//
// The image hash (the SHA-256 TLV, the "hash" SMP's image state reports) covers the header with
// its padding, the body and the protected TLV area, info header included: design.md says so,
// and image_validate.c hashes hdr_size + img_size + protect_tlv_size bytes from the start.
// Pure: bytes in, a typed image or a malformed verdict out; hashing with node:crypto.
import { createHash } from 'node:crypto';
import { type Decoded, incomplete, malformed, ok } from '../../rig/engine/codec.js';
import { HASH_TLVS, type ImageHeader, ImageFlag, parseImageHeader, SIGNATURE_TLVS, TLV_HEADER_SIZE, TLV_INFO_MAGIC, TLV_INFO_SIZE, TLV_PROT_INFO_MAGIC, tlvTypeName } from './image-format.js';

export interface ImageTlv {
  type: number;
  /** 'SHA256', 'ECDSA_SIG', 'vendor 0x01a3', ... */
  name: string;
  /** in the protected area (covered by the image hash) */
  protected: boolean;
  /** where its value starts in the image */
  offset: number;
  value: Uint8Array;
}

export interface McubootImage {
  header: ImageHeader;
  /** the body: a view into the parsed bytes */
  body: Uint8Array;
  /** protected TLVs first, in image order */
  tlvs: ImageTlv[];
  /** bytes the image hash covers: header with padding, body, protected TLV area */
  hashedLength: number;
  /** where the TLV area ends: the image's size */
  size: number;
  /** bytes after the image (a slot read whole ends in erased 0xff) */
  trailing: number;
}

const RULE = 'mcuboot design.md, Image format';

/** Read the TLVs of one area (after its 4-byte info header) up to `end`. */
function readTlvs(bytes: Uint8Array, from: number, end: number, prot: boolean, out: ImageTlv[]): Decoded<never> | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = from;
  while (off < end) {
    if (off + TLV_HEADER_SIZE > end) return malformed(off, `${RULE}: ${end - off} bytes left in the ${prot ? 'protected ' : ''}TLV area, too few for a TLV header`);
    const type = dv.getUint16(off, true);
    const len = dv.getUint16(off + 2, true);
    const valueAt = off + TLV_HEADER_SIZE;
    if (valueAt + len > end) return malformed(off, `${RULE}: TLV ${tlvTypeName(type)} of ${len} bytes runs past the end of its area`);
    out.push({ type, name: tlvTypeName(type), protected: prot, offset: valueAt, value: bytes.subarray(valueAt, valueAt + len) });
    off = valueAt + len;
  }
  return undefined;
}

/**
 * Parse an image from its first byte. Incomplete when the bytes stop before the TLV area ends
 * (an upload in progress); malformed with the rule when a magic or a size is wrong.
 */
export function parseImage(bytes: Uint8Array): Decoded<McubootImage> {
  const h = parseImageHeader(bytes);
  if (h.kind !== 'ok') return h;
  const header = h.value;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyEnd = header.hdrSize + header.imgSize;
  const tlvs: ImageTlv[] = [];
  let areaAt = bodyEnd;
  if (bytes.length < areaAt + TLV_INFO_SIZE) return incomplete(areaAt + TLV_INFO_SIZE - bytes.length);
  let magic = dv.getUint16(areaAt, true);
  if (magic === TLV_PROT_INFO_MAGIC || header.protectTlvSize > 0) {
    if (magic !== TLV_PROT_INFO_MAGIC) return malformed(areaAt, `${RULE}: ih_protect_tlv_size is ${header.protectTlvSize}, so a protected TLV area (magic 0x6908) must follow the body; found 0x${magic.toString(16).padStart(4, '0')}`);
    const tot = dv.getUint16(areaAt + 2, true);
    if (tot !== header.protectTlvSize) return malformed(areaAt + 2, `${RULE}: the protected TLV area says ${tot} bytes, ih_protect_tlv_size says ${header.protectTlvSize}`);
    if (bytes.length < areaAt + tot + TLV_INFO_SIZE) return incomplete(areaAt + tot + TLV_INFO_SIZE - bytes.length);
    const bad = readTlvs(bytes, areaAt + TLV_INFO_SIZE, areaAt + tot, true, tlvs);
    if (bad) return bad;
    areaAt += tot;
    magic = dv.getUint16(areaAt, true);
  }
  if (magic !== TLV_INFO_MAGIC) return malformed(areaAt, `${RULE}: the TLV area must start with magic 0x6907; found 0x${magic.toString(16).padStart(4, '0')}`);
  const tot = dv.getUint16(areaAt + 2, true);
  if (tot < TLV_INFO_SIZE) return malformed(areaAt + 2, `${RULE}: the TLV area's size (${tot}) is smaller than its own 4-byte info header`);
  const end = areaAt + tot;
  if (bytes.length < end) return incomplete(end - bytes.length);
  const bad = readTlvs(bytes, areaAt + TLV_INFO_SIZE, end, false, tlvs);
  if (bad) return bad;
  const image: McubootImage = {
    header,
    body: bytes.subarray(header.hdrSize, bodyEnd),
    tlvs,
    hashedLength: bodyEnd + header.protectTlvSize,
    size: end,
    trailing: bytes.length - end,
  };
  return ok(image, end);
}

/** The digest MCUboot computes for an image (default SHA-256): what the hash TLV must hold. */
export function computeImageHash(bytes: Uint8Array, image: McubootImage, alg: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Uint8Array {
  return new Uint8Array(createHash(alg).update(bytes.subarray(0, image.hashedLength)).digest());
}

export interface HashCheck {
  /** 'SHA256' */
  tlv: string;
  expected: Uint8Array;
  computed: Uint8Array;
  match: boolean;
}

export interface ImageVerification {
  /** every hash TLV present matches, and there is exactly one */
  ok: boolean;
  hashes: HashCheck[];
  /** the signature TLVs present, by name (listed, not checked: the rig holds no keys) */
  signatures: string[];
  /** what is wrong, in words */
  problems: string[];
}

/** Check the hash TLV against the image; list signatures. */
export function verifyImage(bytes: Uint8Array, image: McubootImage): ImageVerification {
  const problems: string[] = [];
  const hashTlvs = image.tlvs.filter((t) => HASH_TLVS.has(t.type));
  const signatures = image.tlvs.filter((t) => SIGNATURE_TLVS.has(t.type)).map((t) => t.name);
  const encrypted = (image.header.flags & (ImageFlag.ENCRYPTED_AES128 | ImageFlag.ENCRYPTED_AES256)) !== 0;
  const hashes: HashCheck[] = [];
  if (hashTlvs.length === 0) problems.push('no hash TLV (SHA256, SHA384 or SHA512): MCUboot and Zephyr refuse such an image');
  if (hashTlvs.length > 1) problems.push(`${hashTlvs.length} hash TLVs: MCUboot wants exactly one`);
  for (const t of hashTlvs) {
    const alg = HASH_TLVS.get(t.type)!;
    const computed = computeImageHash(bytes, image, alg);
    const match = Buffer.from(computed).equals(Buffer.from(t.value));
    hashes.push({ tlv: t.name, expected: t.value, computed, match });
    if (!match && !encrypted) problems.push(`${t.name} TLV does not match the image: the image was changed after it was built, or is corrupt`);
  }
  if (encrypted) problems.push('encrypted image: its hash covers the plaintext, which the rig cannot check');
  return { ok: problems.length === 0, hashes, signatures, problems };
}
