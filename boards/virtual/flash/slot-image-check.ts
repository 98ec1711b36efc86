// Is there a whole, untampered MCUboot image at the start of a slot? The header is parsed by
// protocols/mcuboot (parseImageHeader); the TLV areas are walked here and the hash computed in
// 64 KiB pieces read from the flash, because protocols/mcuboot's parseImage wants the image in
// one buffer and a slot may hold 256 MiB. What "whole" means, following MCUboot's loader:
// the TLV area is where the header says (after the protected one, if any), it holds a SHA-256
// TLV, and the SHA-256 over header + body + protected TLVs equals it. Only SHA-256 is checked,
// as the image list's "hash" is that TLV; signatures are not (the board holds no keys).
import { createHash } from 'node:crypto';
import {
  type ImageHeader,
  ImageFlag,
  IMAGE_HEADER_SIZE,
  parseImageHeader,
  TLV_HEADER_SIZE,
  TLV_INFO_MAGIC,
  TLV_INFO_SIZE,
  TLV_PROT_INFO_MAGIC,
  TlvType,
} from '../../../protocols/mcuboot/image.js';

/** Reads a slot's bytes at offsets from the slot's start. */
export type SlotRead = (offset: number, length: number) => Uint8Array;

export interface ImageCheck {
  header: ImageHeader;
  /** as Zephyr's img_mgmt prints it: "1.2.3", and ".4" when the build number is not 0 */
  version: string;
  /** the SHA-256 TLV's value, when the TLV area can be read */
  hash?: Uint8Array;
  /** header + body + both TLV areas, when the TLV area can be read */
  length?: number;
  /** the whole image is there (TLV area included) and its SHA-256 matches the TLV */
  valid: boolean;
  /** valid, and not flagged non-bootable */
  bootable: boolean;
  /** why it is not bootable */
  problem?: string;
}

const HASH_CHUNK = 64 * 1024;
const SHA256_LEN = 32;
const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * The image at the start of a slot, or undefined when there is no valid header (no magic, or a
 * header size below 32: Zephyr's image list leaves such a slot out too). `imageArea` is how many
 * bytes of the slot an image may use (the slot minus its trailer).
 */
export function checkSlotImage(read: SlotRead, imageArea: number): ImageCheck | undefined {
  if (imageArea < IMAGE_HEADER_SIZE) return undefined;
  const parsed = parseImageHeader(read(0, IMAGE_HEADER_SIZE));
  if (parsed.kind !== 'ok') return undefined;
  const header = parsed.value;
  const base = { header, version: imgMgmtVersion(header) };
  const fail = (problem: string, more: { hash?: Uint8Array; length?: number } = {}): ImageCheck => ({ ...base, ...more, valid: false, bootable: false, problem });

  const bodyEnd = header.hdrSize + header.imgSize;
  const hashed = bodyEnd + header.protectTlvSize;
  if (hashed + TLV_INFO_SIZE > imageArea) return fail(`image of ${hashed} bytes plus TLVs does not fit the slot's ${imageArea}-byte image area`);
  if (header.protectTlvSize > 0) {
    const info = view(read(bodyEnd, TLV_INFO_SIZE));
    if (info.getUint16(0, true) !== TLV_PROT_INFO_MAGIC || info.getUint16(2, true) !== header.protectTlvSize) {
      return fail(`no protected TLV area at ${hex(bodyEnd)}: the image is incomplete or corrupted`);
    }
  }
  const info = view(read(hashed, TLV_INFO_SIZE));
  const tlvTot = info.getUint16(2, true);
  if (info.getUint16(0, true) !== TLV_INFO_MAGIC || tlvTot < TLV_INFO_SIZE) {
    return fail(`no TLV area at ${hex(hashed)}: the image is incomplete or corrupted`);
  }
  const length = hashed + tlvTot;
  if (length > imageArea) return fail(`TLV area ends at ${hex(length)}, past the slot's image area`);
  const hash = findSha256(read(hashed, tlvTot));
  if (!hash) return fail('no SHA-256 TLV', { length });

  const sha = createHash('sha256');
  for (let at = 0; at < hashed; at += HASH_CHUNK) sha.update(read(at, Math.min(HASH_CHUNK, hashed - at)));
  const actual = new Uint8Array(sha.digest());
  if (!actual.every((b, i) => b === hash[i])) return fail('SHA-256 does not match the image: it is incomplete or corrupted', { hash, length });
  if (header.flags & ImageFlag.NON_BOOTABLE) return { ...base, hash, length, valid: true, bootable: false, problem: 'flagged non-bootable (IMAGE_F_NON_BOOTABLE)' };
  return { ...base, hash, length, valid: true, bootable: true };
}

/** Zephyr's img_mgmt_ver_str: "1.2.3", "1.2.3.4" (imgtool writes the latter "1.2.3+4"). */
export function imgMgmtVersion(h: ImageHeader): string {
  const v = h.version;
  return `${v.major}.${v.minor}.${v.revision}${v.build ? `.${v.build}` : ''}`;
}

/** The SHA-256 TLV's value in an unprotected TLV area (info header included). */
function findSha256(area: Uint8Array): Uint8Array | undefined {
  const v = view(area);
  for (let at = TLV_INFO_SIZE; at + TLV_HEADER_SIZE <= area.length; ) {
    const type = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    const value = at + TLV_HEADER_SIZE;
    if (value + len > area.length) return undefined;
    if (type === TlvType.SHA256 && len === SHA256_LEN) return area.slice(value, value + len);
    at = value + len;
  }
  return undefined;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
