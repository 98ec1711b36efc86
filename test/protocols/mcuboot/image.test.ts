// MCUboot images (mcuboot docs/design.md, "Image format"): parsing and hash checking against
// images MCUboot's own imgtool wrote, our builder against imgtool byte for byte, and damage of
// every kind detected with the rule it breaks.
import assert from 'node:assert/strict';
import {
  buildTestImage,
  describeImage,
  encodeImageHeader,
  formatVersion,
  IMAGE_MAGIC,
  parseImage,
  parseImageHeader,
  parseVersion,
  tlvTypeName,
  TlvType,
  verifyImage,
} from '../../../protocols/mcuboot/image.js';
import { IMGTOOL_PAYLOAD, IMGTOOL_PLAIN, IMGTOOL_PLAIN_DIGEST, IMGTOOL_SIGNED, IMGTOOL_SIGNED_DIGEST } from './imgtool-fixtures.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function parsed(bytes: Uint8Array): NonNullable<Extract<ReturnType<typeof parseImage>, { kind: 'ok' }>['value']> {
  const r = parseImage(bytes);
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  if (r.kind !== 'ok') throw new Error('unreachable');
  return r.value;
}

describe('MCUboot image: images written by imgtool', () => {
  it('reads the header of a signed image: magic, sizes, version 2.0.0+7', () => {
    const img = parsed(IMGTOOL_SIGNED);
    assert.deepEqual(img.header, {
      magic: IMAGE_MAGIC,
      loadAddr: 0,
      hdrSize: 0x20,
      protectTlvSize: 12,
      imgSize: 64,
      flags: 0,
      version: { major: 2, minor: 0, revision: 0, build: 7 },
    });
    assert.deepEqual(img.body, IMGTOOL_PAYLOAD);
    assert.equal(img.size, IMGTOOL_SIGNED.length);
    assert.equal(img.trailing, 0);
    assert.equal(img.hashedLength, 0x20 + 64 + 12, 'header, body and the protected area');
  });

  it('lists its TLVs by name, protected first, and finds the hash imgtool reported', () => {
    const img = parsed(IMGTOOL_SIGNED);
    assert.deepEqual(
      img.tlvs.map((t) => [t.name, t.protected, t.value.length]),
      [
        ['SEC_CNT', true, 4],
        ['SHA256', false, 32],
        ['KEYHASH', false, 32],
        ['ECDSA_SIG', false, 71],
      ],
    );
    assert.deepEqual([...img.tlvs[0]!.value], [5, 0, 0, 0], 'security counter 5');
    const v = verifyImage(IMGTOOL_SIGNED, img);
    assert.deepEqual({ ok: v.ok, signatures: v.signatures, problems: v.problems }, { ok: true, signatures: ['ECDSA_SIG'], problems: [] });
    assert.equal(hex(v.hashes[0]!.computed), IMGTOOL_SIGNED_DIGEST);
  });

  it('covers the header padding (0xff) in the hash of an unsigned image with a 0x80-byte header', () => {
    const img = parsed(IMGTOOL_PLAIN);
    assert.equal(img.header.hdrSize, 0x80);
    assert.equal(formatVersion(img.header.version), '1.2.3');
    const v = verifyImage(IMGTOOL_PLAIN, img);
    assert.ok(v.ok, v.problems.join('; '));
    assert.equal(hex(v.hashes[0]!.computed), IMGTOOL_PLAIN_DIGEST);
    assert.deepEqual(v.signatures, []);
  });

  it('builds, from the same input, the very bytes imgtool writes', () => {
    assert.equal(hex(buildTestImage({ version: '1.2.3', payload: IMGTOOL_PAYLOAD, headerSize: 0x80 })), hex(IMGTOOL_PLAIN));
    // the signed one up to the end of its SHA-256 TLV: only the TLV area's total size differs (no KEYHASH, no signature here)
    const mine = buildTestImage({ version: '2.0.0+7', payload: IMGTOOL_PAYLOAD, protectedTlvs: [{ type: TlvType.SEC_CNT, value: Uint8Array.of(5, 0, 0, 0) }] });
    const tlvArea = 0x20 + 64 + 12;
    assert.equal(hex(mine.subarray(0, tlvArea + 2)), hex(IMGTOOL_SIGNED.subarray(0, tlvArea + 2)));
    assert.equal(hex(mine.subarray(tlvArea + 4, tlvArea + 4 + 36)), hex(IMGTOOL_SIGNED.subarray(tlvArea + 4, tlvArea + 4 + 36)));
  });

  it('accepts an image read whole from a slot, erased flash after it', () => {
    const slot = new Uint8Array(IMGTOOL_SIGNED.length + 500).fill(0xff);
    slot.set(IMGTOOL_SIGNED);
    const img = parsed(slot);
    assert.equal(img.trailing, 500);
    assert.ok(verifyImage(slot, img).ok);
    assert.match(describeImage(slot), /\(\+500 bytes after it\)/);
  });
});

describe('MCUboot image: build, verify, damage', () => {
  const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) & 0xff);

  it('round-trips a built image: the parse gives back version, payload and a matching SHA-256', () => {
    const bytes = buildTestImage({ version: '3.4.5+678', payload, loadAddr: 0x10000, headerSize: 0x200, tlvs: [{ type: 0x01a5, value: Uint8Array.of(1) }] });
    const img = parsed(bytes);
    assert.equal(formatVersion(img.header.version), '3.4.5+678');
    assert.equal(img.header.loadAddr, 0x10000);
    assert.deepEqual(img.body, payload);
    assert.deepEqual(
      img.tlvs.map((t) => t.name),
      ['SHA256', 'vendor 0x01a5'],
    );
    const v = verifyImage(bytes, img);
    assert.ok(v.ok);
    assert.deepEqual(v.hashes[0]!.expected, v.hashes[0]!.computed);
  });

  it('detects a flipped bit in the body, in the header, in the protected TLVs, but not in the unprotected TLVs it does not cover', () => {
    const bytes = buildTestImage({ version: '1.0.0', payload, protectedTlvs: [{ type: TlvType.SEC_CNT, value: Uint8Array.of(1, 0, 0, 0) }], tlvs: [{ type: TlvType.KEYHASH, value: new Uint8Array(32) }] });
    const img = parsed(bytes);
    const at = (off: number): boolean => {
      const copy = bytes.slice();
      copy[off]! ^= 0x01;
      const r = parseImage(copy);
      return r.kind === 'ok' && verifyImage(copy, r.value).ok;
    };
    assert.equal(at(32 + 1500), false, 'body');
    assert.equal(at(20), false, 'header: the version');
    assert.equal(at(32 + payload.length + 8), false, 'protected TLV value');
    const keyhash = img.tlvs.find((t) => t.type === TlvType.KEYHASH)!;
    assert.equal(at(keyhash.offset), true, 'an unprotected TLV is not covered by the hash');
    const corrupt = bytes.slice();
    corrupt[32 + 7]! ^= 0x80;
    const v = verifyImage(corrupt, parsed(corrupt));
    assert.deepEqual(v.problems, ['SHA256 TLV does not match the image: the image was changed after it was built, or is corrupt']);
    assert.match(describeImage(corrupt), /MISMATCH: the image hashes to [0-9a-f]{64}/);
  });

  it('names the rule for a bad magic, an old v1 magic, a short header size, and broken TLV areas', () => {
    const good = buildTestImage({ version: '1.0.0', payload: new Uint8Array(16) });
    const bad = (mutate: (b: Uint8Array, dv: DataView) => void): string => {
      const b = good.slice();
      mutate(b, new DataView(b.buffer));
      const r = parseImage(b);
      assert.equal(r.kind, 'malformed', JSON.stringify(r));
      return r.kind === 'malformed' ? r.rule : '';
    };
    assert.match(
      bad((_b, dv) => dv.setUint32(0, 0x12345678, true)),
      /ih_magic must be 0x96f3b83d .* got 0x12345678/,
    );
    assert.match(
      bad((_b, dv) => dv.setUint32(0, 0x96f3b83c, true)),
      /version-1 magic/,
    );
    assert.match(
      bad((_b, dv) => dv.setUint16(8, 16, true)),
      /ih_hdr_size \(16\) is smaller than the 32-byte header/,
    );
    const tlvAt = 32 + 16;
    assert.match(
      bad((_b, dv) => dv.setUint16(tlvAt, 0x1234, true)),
      /must start with magic 0x6907; found 0x1234/,
    );
    assert.match(
      bad((_b, dv) => dv.setUint16(10, 8, true)),
      /ih_protect_tlv_size is 8, so a protected TLV area \(magic 0x6908\) must follow/,
    );
    assert.match(
      bad((_b, dv) => dv.setUint16(tlvAt + 4 + 2, 33, true)),
      /TLV SHA256 of 33 bytes runs past the end of its area/,
    );
    assert.match(
      bad((_b, dv) => dv.setUint16(tlvAt + 2, 3, true)),
      /smaller than its own 4-byte info header/,
    );
  });

  it('says incomplete, with how many bytes are missing, for an image cut short (an upload in progress)', () => {
    const bytes = buildTestImage({ version: '1.0.0', payload });
    assert.deepEqual(parseImage(bytes.subarray(0, 10)), { kind: 'incomplete', needed: 22 });
    assert.deepEqual(parseImageHeader(bytes.subarray(0, 31)), { kind: 'incomplete', needed: 1 });
    assert.deepEqual(parseImage(bytes.subarray(0, bytes.length - 5)), { kind: 'incomplete', needed: 5 });
    assert.match(describeImage(bytes.subarray(0, 100)), /not a whole MCUboot image/);
  });

  it('reports an image without a hash TLV, or with two', () => {
    const none = buildTestImage({ version: '1.0.0', payload: new Uint8Array(8) });
    // retype the SHA256 TLV as a vendor one
    new DataView(none.buffer).setUint16(32 + 8 + 4, 0x00a0, true);
    assert.match(verifyImage(none, parsed(none)).problems.join(), /no hash TLV/);
    const two = buildTestImage({ version: '1.0.0', payload: new Uint8Array(8), tlvs: [{ type: TlvType.SHA256, value: new Uint8Array(32) }] });
    assert.match(verifyImage(two, parsed(two)).problems.join(), /2 hash TLVs/);
  });

  it('describes an image for `hilrig image info`', () => {
    const text = describeImage(IMGTOOL_SIGNED);
    assert.match(text, /^MCUboot image, 259 bytes/);
    assert.match(text, /version {8}2\.0\.0\+7/);
    assert.match(text, /TLVs {11}SEC_CNT \(protected\) 4 B, SHA256 32 B, KEYHASH 32 B, ECDSA_SIG 71 B/);
    assert.match(text, new RegExp(`SHA256 {9}${IMGTOOL_SIGNED_DIGEST} \\(matches the image\\)`));
    assert.match(text, /signed {9}ECDSA_SIG \(not verified: no keys\)/);
    assert.match(describeImage(new Uint8Array(64)), /not a valid MCUboot image: at byte 0: .*ih_magic/);
  });

  it('versions: parse and format, with the limits of the header fields', () => {
    assert.deepEqual(parseVersion('1.2'), { major: 1, minor: 2, revision: 0, build: 0 });
    assert.deepEqual(parseVersion('255.255.65535+4294967295'), { major: 255, minor: 255, revision: 65535, build: 4294967295 });
    assert.throws(() => parseVersion('256.0.0'), /major, minor <= 255/);
    assert.throws(() => parseVersion('v1.0'), /expected MAJOR.MINOR/);
    assert.equal(formatVersion({ major: 1, minor: 2, revision: 3, build: 0 }), '1.2.3');
    assert.equal(hex(encodeImageHeader({ loadAddr: 0, hdrSize: 32, protectTlvSize: 0, imgSize: 1, flags: 0, version: parseVersion('1.2.3+4') }).subarray(20, 28)), '0102030004000000');
    assert.equal(tlvTypeName(0x22), 'ECDSA_SIG');
    assert.equal(tlvTypeName(0x99), 'unknown 0x0099');
  });
});
