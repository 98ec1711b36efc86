// The MCUboot image format (mcuboot docs/design.md, "Image format"; boot/bootutil/include/
// bootutil/image.h): a 32-byte little-endian header, padding up to ih_hdr_size, the image, then
// an optional protected TLV area (magic 0x6908, ih_protect_tlv_size bytes) and the TLV area
// (magic 0x6907). Each area starts with { u16 magic, u16 total size including these 4 bytes }
// and holds TLVs { u16 type, u16 length, value }. Pure: constants, names, the header codec.
import { type Decoded, incomplete, malformed, ok } from '../../rig/engine/codec.js';

export const IMAGE_MAGIC = 0x96f3b83d;
/** the version-1 format MCUboot no longer reads */
export const IMAGE_MAGIC_V1 = 0x96f3b83c;
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_INFO_SIZE = 4;
export const TLV_HEADER_SIZE = 4;

export const ImageFlag = {
  PIC: 0x01,
  ENCRYPTED_AES128: 0x04,
  ENCRYPTED_AES256: 0x08,
  NON_BOOTABLE: 0x10,
  RAM_LOAD: 0x20,
  ROM_FIXED: 0x100,
  COMPRESSED_LZMA1: 0x200,
  COMPRESSED_LZMA2: 0x400,
  COMPRESSED_ARM_THUMB_FLT: 0x800,
} as const;

export const TlvType = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  SHA256: 0x10,
  SHA384: 0x11,
  SHA512: 0x12,
  RSA2048_PSS: 0x20,
  ECDSA224: 0x21,
  ECDSA_SIG: 0x22,
  RSA3072_PSS: 0x23,
  ED25519: 0x24,
  SIG_PURE: 0x25,
  ENC_RSA2048: 0x30,
  ENC_KW: 0x31,
  ENC_EC256: 0x32,
  ENC_X25519: 0x33,
  ENC_X25519_SHA512: 0x34,
  DEPENDENCY: 0x40,
  SEC_CNT: 0x50,
  BOOT_RECORD: 0x60,
  DECOMP_SIZE: 0x70,
  DECOMP_SHA: 0x71,
  DECOMP_SIGNATURE: 0x72,
  COMP_DEC_SIZE: 0x73,
  // image.h has 0x74/0x75; design.md lists 0x80/0x81. We follow the code.
  UUID_VID: 0x74,
  UUID_CID: 0x75,
} as const;

const TLV_NAMES = new Map<number, string>(Object.entries(TlvType).map(([name, type]) => [type, name]));

/** The hash TLVs and the digest each holds (MCUboot's image hash, over header, body and protected TLVs). */
export const HASH_TLVS: ReadonlyMap<number, 'sha256' | 'sha384' | 'sha512'> = new Map([
  [TlvType.SHA256, 'sha256'],
  [TlvType.SHA384, 'sha384'],
  [TlvType.SHA512, 'sha512'],
]);

/** The TLVs that carry a signature over the image hash (or, with SIG_PURE, over the image). */
export const SIGNATURE_TLVS: ReadonlySet<number> = new Set([TlvType.RSA2048_PSS, TlvType.ECDSA224, TlvType.ECDSA_SIG, TlvType.RSA3072_PSS, TlvType.ED25519]);

/** 'SHA256', 'ECDSA_SIG', 'vendor 0x01a3' (xxA0-xxFF are vendor reserved), or 'unknown 0x0099'. */
export function tlvTypeName(type: number): string {
  const known = TLV_NAMES.get(type);
  if (known) return known;
  const hex = `0x${type.toString(16).padStart(4, '0')}`;
  return (type & 0xff) >= 0xa0 ? `vendor ${hex}` : `unknown ${hex}`;
}

export function imageFlagNames(flags: number): string[] {
  const names = Object.entries(ImageFlag)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
  const known = Object.values(ImageFlag).reduce((a, b) => a | b, 0);
  const rest = flags & ~known;
  if (rest !== 0) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names;
}

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

/** '1.2.3+4', imgtool's form ('+0' left out) */
export function formatVersion(v: ImageVersion): string {
  const base = `${v.major}.${v.minor}.${v.revision}`;
  return v.build === 0 ? base : `${base}+${v.build}`;
}

/** '1.2.3+4', '1.2.3', '1.2' -> ImageVersion; TypeError naming the rule otherwise. */
export function parseVersion(s: string): ImageVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:\+(\d+))?$/.exec(s.trim());
  const v = m ? { major: Number(m[1]), minor: Number(m[2]), revision: Number(m[3] ?? 0), build: Number(m[4] ?? 0) } : undefined;
  if (!v || v.major > 0xff || v.minor > 0xff || v.revision > 0xffff || v.build > 0xffffffff) {
    throw new TypeError(`version "${s}": expected MAJOR.MINOR[.REVISION][+BUILD] with major, minor <= 255, revision <= 65535, build < 2^32`);
  }
  return v;
}

export interface ImageHeader {
  magic: number;
  loadAddr: number;
  /** bytes from the start of the image to its body (header and padding) */
  hdrSize: number;
  /** bytes of the protected TLV area, its info header included; 0 when there is none */
  protectTlvSize: number;
  /** bytes of the body */
  imgSize: number;
  flags: number;
  version: ImageVersion;
}

const RULE = 'mcuboot design.md, Image format';

/** The header at the start of `bytes`; incomplete when fewer than 32 bytes are there. */
export function parseImageHeader(bytes: Uint8Array): Decoded<ImageHeader> {
  if (bytes.length < IMAGE_HEADER_SIZE) return incomplete(IMAGE_HEADER_SIZE - bytes.length);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, IMAGE_HEADER_SIZE);
  const magic = dv.getUint32(0, true);
  if (magic !== IMAGE_MAGIC) {
    const what = magic === IMAGE_MAGIC_V1 ? 'the version-1 magic 0x96f3b83c, a format MCUboot no longer boots' : `0x${magic.toString(16).padStart(8, '0')}`;
    return malformed(0, `${RULE}: ih_magic must be 0x96f3b83d (little-endian: 3d b8 f3 96); got ${what}`);
  }
  const h: ImageHeader = {
    magic,
    loadAddr: dv.getUint32(4, true),
    hdrSize: dv.getUint16(8, true),
    protectTlvSize: dv.getUint16(10, true),
    imgSize: dv.getUint32(12, true),
    flags: dv.getUint32(16, true),
    version: { major: dv.getUint8(20), minor: dv.getUint8(21), revision: dv.getUint16(22, true), build: dv.getUint32(24, true) },
  };
  if (h.hdrSize < IMAGE_HEADER_SIZE) return malformed(8, `${RULE}: ih_hdr_size (${h.hdrSize}) is smaller than the 32-byte header`);
  return ok(h, IMAGE_HEADER_SIZE);
}

export function encodeImageHeader(h: Omit<ImageHeader, 'magic'> & { magic?: number }): Uint8Array {
  const out = new Uint8Array(IMAGE_HEADER_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.magic ?? IMAGE_MAGIC, true);
  dv.setUint32(4, h.loadAddr, true);
  dv.setUint16(8, h.hdrSize, true);
  dv.setUint16(10, h.protectTlvSize, true);
  dv.setUint32(12, h.imgSize, true);
  dv.setUint32(16, h.flags, true);
  dv.setUint8(20, h.version.major);
  dv.setUint8(21, h.version.minor);
  dv.setUint16(22, h.version.revision, true);
  dv.setUint32(24, h.version.build, true);
  return out;
}
