// An MCUboot image on disk, looked at without loading it: the 32-byte header, then the TLV
// areas after the body, then (during the pass that hashes the file anyway) the image hash.
// The TLV areas are parsed by protocols/mcuboot's own parser, shown behind a copy of the header
// whose body is empty, so the rules and their messages stay those of parseImage; offsets are
// mapped back to the file.
import { createHash, type Hash } from 'node:crypto';
import {
  encodeImageHeader,
  formatVersion,
  HASH_TLVS,
  IMAGE_HEADER_SIZE,
  type ImageHeader,
  type ImageTlv,
  parseImage,
  parseImageHeader,
  TLV_INFO_SIZE,
  TlvType,
} from '../../protocols/mcuboot/image.js';
import type { FileReader } from './file-reader.js';

export interface ImageFileInfo {
  header: ImageHeader;
  /** '1.2.3+4' */
  version: string;
  /** the TLVs, value offsets in the file */
  tlvs: ImageTlv[];
  /** the SHA-256 TLV's value: what the board's image list shows for this image */
  hash?: Uint8Array;
  /** bytes the image hash covers (header, body, protected TLVs) */
  hashedLength: number;
  /** where the TLV area ends */
  size: number;
}

export type ImageFileCheck = { kind: 'image'; info: ImageFileInfo } | { kind: 'not-image'; reason: string };

/** The largest the TLV areas can be: two 16-bit sizes. */
const MAX_TLV_BYTES = 2 * 0xffff;

export async function inspectImageFile(reader: FileReader): Promise<ImageFileCheck> {
  const notImage = (reason: string): ImageFileCheck => ({ kind: 'not-image', reason });
  const h = parseImageHeader(await reader.readCopy(0, IMAGE_HEADER_SIZE));
  if (h.kind === 'incomplete') return notImage(`${reader.size} bytes is shorter than the ${IMAGE_HEADER_SIZE}-byte MCUboot header`);
  if (h.kind === 'malformed') return notImage(h.rule);
  const header = h.value;
  const bodyEnd = header.hdrSize + header.imgSize;
  if (bodyEnd + TLV_INFO_SIZE > reader.size) return notImage(`the header says the body ends at byte ${bodyEnd}, but the file has ${reader.size} bytes: no room for the TLV area`);
  const tail = await reader.readCopy(bodyEnd, Math.min(reader.size - bodyEnd, MAX_TLV_BYTES));
  const shadowHeader = encodeImageHeader({ ...header, hdrSize: IMAGE_HEADER_SIZE, imgSize: 0 });
  const shadow = new Uint8Array(IMAGE_HEADER_SIZE + tail.length);
  shadow.set(shadowHeader);
  shadow.set(tail, IMAGE_HEADER_SIZE);
  const shift = bodyEnd - IMAGE_HEADER_SIZE;
  const r = parseImage(shadow);
  if (r.kind === 'incomplete') return notImage(`the TLV area runs past the end of the file (${reader.size} bytes)`);
  if (r.kind === 'malformed') return notImage(`at byte ${r.offset + shift}: ${r.rule}`);
  const tlvs = r.value.tlvs.map((t) => ({ ...t, offset: t.offset + shift, value: t.value.slice() }));
  return {
    kind: 'image',
    info: {
      header,
      version: formatVersion(header.version),
      tlvs,
      hash: tlvs.find((t) => t.type === TlvType.SHA256)?.value,
      hashedLength: bodyEnd + header.protectTlvSize,
      size: r.value.size + shift,
    },
  };
}

export interface ImageHashCheck {
  tlv: string;
  expected: Uint8Array;
  computed: Uint8Array;
  match: boolean;
}

/**
 * Checks the image's hash TLVs while the file streams by: feed it every block in order
 * (FileReader.scan), then ask for the result.
 */
export function imageHashChecker(info: ImageFileInfo): { update(bytes: Uint8Array, offset: number): void; result(): ImageHashCheck[] } {
  const checks = info.tlvs
    .filter((t) => HASH_TLVS.has(t.type))
    .map((t) => ({ tlv: t, hash: createHash(HASH_TLVS.get(t.type)!) as Hash }));
  return {
    update(bytes, offset) {
      const n = Math.min(bytes.length, info.hashedLength - offset);
      if (n > 0) for (const c of checks) c.hash.update(bytes.subarray(0, n));
    },
    result() {
      return checks.map((c) => {
        const computed = new Uint8Array(c.hash.digest());
        return { tlv: c.tlv.name, expected: c.tlv.value, computed, match: Buffer.from(computed).equals(Buffer.from(c.tlv.value)) };
      });
    },
  };
}
