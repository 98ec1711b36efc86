// A human summary of an MCUboot image for `hilrig image info` and for reports: header fields,
// TLVs by name, the hash check and the signatures present.
import { formatVersion, imageFlagNames } from './image-format.js';
import { parseImage, verifyImage } from './image-parse.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Lines describing `bytes` as an MCUboot image; says what is wrong when it is not one. */
export function describeImage(bytes: Uint8Array): string {
  const r = parseImage(bytes);
  if (r.kind === 'incomplete') return `not a whole MCUboot image: ${bytes.length} bytes, at least ${r.needed ?? 1} more needed`;
  if (r.kind === 'malformed') return `not a valid MCUboot image: at byte ${r.offset}: ${r.rule}`;
  const img = r.value;
  const h = img.header;
  const v = verifyImage(bytes, img);
  const flags = imageFlagNames(h.flags);
  const tlvs = img.tlvs.map((t) => `${t.name}${t.protected ? ' (protected)' : ''} ${t.value.length} B`);
  const lines = [
    `MCUboot image, ${img.size} bytes${img.trailing > 0 ? ` (+${img.trailing} bytes after it)` : ''}`,
    `  version        ${formatVersion(h.version)}`,
    `  load address   ${hex8(h.loadAddr)}`,
    `  header         ${h.hdrSize} bytes, flags ${hex8(h.flags)}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`,
    `  body           ${h.imgSize} bytes`,
    `  protected TLVs ${h.protectTlvSize} bytes`,
    `  TLVs           ${tlvs.length > 0 ? tlvs.join(', ') : 'none'}`,
  ];
  for (const c of v.hashes) lines.push(`  ${c.tlv.padEnd(14)} ${hex(c.expected)} ${c.match ? '(matches the image)' : `(MISMATCH: the image hashes to ${hex(c.computed)})`}`);
  lines.push(`  signed         ${v.signatures.length > 0 ? `${v.signatures.join(', ')} (not verified: no keys)` : 'no'}`);
  for (const p of v.problems) lines.push(`  problem        ${p}`);
  return lines.join('\n');
}
