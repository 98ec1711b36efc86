// MCUboot images for the flash tests, built by protocols/mcuboot's buildTestImage (header with
// magic 0x96f3b83d, body, optional protected TLVs, SHA-256 TLV), with a seeded body and the
// hash the image list must report (read back with parseImage, not recomputed here).
import { buildTestImage, parseImage, TlvType } from '../../../protocols/mcuboot/image.js';

export interface TestImageOptions {
  /** body bytes (default 1000) */
  size?: number;
  version?: string;
  /** ih_hdr_size (default 32) */
  headerSize?: number;
  flags?: number;
  /** add a protected TLV area (a security counter) */
  protectedTlv?: boolean;
  /** seeds the body bytes */
  seed?: number;
}

export interface TestImage {
  bytes: Uint8Array;
  /** the SHA-256 TLV's value */
  hash: Uint8Array;
}

export function testImage(opts: TestImageOptions = {}): TestImage {
  const payload = new Uint8Array(opts.size ?? 1000);
  let x = ((opts.seed ?? 1) * 2654435761) >>> 0;
  for (let i = 0; i < payload.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    payload[i] = x >>> 24;
  }
  const bytes = buildTestImage({
    version: opts.version ?? '1.0.0',
    payload,
    headerSize: opts.headerSize,
    flags: opts.flags,
    protectedTlvs: opts.protectedTlv ? [{ type: TlvType.SEC_CNT, value: Uint8Array.of(1, 0, 0, 0) }] : undefined,
  });
  const parsed = parseImage(bytes);
  if (parsed.kind !== 'ok') throw new Error(`buildTestImage made an image parseImage refuses: ${parsed.kind}`);
  const sha = parsed.value.tlvs.find((t) => t.type === TlvType.SHA256);
  if (!sha) throw new Error('buildTestImage made an image without a SHA-256 TLV');
  return { bytes, hash: sha.value.slice() };
}
