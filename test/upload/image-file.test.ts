// Looking at an image file without loading it: header, TLVs (through protocols/mcuboot's parser
// behind a stand-in header), the hash checked while the file streams by; the same verdicts as
// parseImage / verifyImage on the whole bytes, and the rule when it is not an image.
import assert from 'node:assert/strict';
import { buildTestImage, parseImage, TlvType, verifyImage } from '../../protocols/mcuboot/image.js';
import { FileReader } from '../../rig/upload/file-reader.js';
import { imageHashChecker, inspectImageFile } from '../../rig/upload/image-file.js';
import { payload, tempFiles, type TempFiles } from './upload-fixtures.js';

describe('image file inspection (streamed)', () => {
  let files: TempFiles;
  beforeEach(() => {
    files = tempFiles();
  });
  afterEach(() => files.remove());

  async function inspect(bytes: Uint8Array): Promise<{ look: Awaited<ReturnType<typeof inspectImageFile>>; reader: FileReader }> {
    const reader = await FileReader.open(files.write('f.bin', bytes));
    return { look: await inspectImageFile(reader), reader };
  }

  const specs = [
    { name: 'plain', version: '1.0.0', payload: payload(5000) },
    { name: 'Zephyr header size, protected TLVs, extra TLVs', version: '3.2.1+77', payload: payload(300_000), headerSize: 0x200, protectedTlvs: [{ type: TlvType.SEC_CNT, value: Uint8Array.of(1, 0, 0, 0) }], tlvs: [{ type: TlvType.KEYHASH, value: new Uint8Array(32).fill(1) }] },
  ];
  for (const spec of specs) {
    it(`agrees with parseImage and verifyImage: ${spec.name}`, async () => {
      const bytes = buildTestImage(spec);
      const whole = parseImage(bytes);
      assert.equal(whole.kind, 'ok');
      if (whole.kind !== 'ok') return;
      const { look, reader } = await inspect(bytes);
      assert.equal(look.kind, 'image');
      if (look.kind !== 'image') return;
      assert.equal(look.info.version, spec.version);
      assert.equal(look.info.size, whole.value.size);
      assert.equal(look.info.hashedLength, whole.value.hashedLength);
      assert.deepEqual(look.info.tlvs.map((t) => [t.type, t.offset, t.protected, Buffer.from(t.value).toString('hex')]), whole.value.tlvs.map((t) => [t.type, t.offset, t.protected, Buffer.from(t.value).toString('hex')]));
      const checker = imageHashChecker(look.info);
      await reader.scan((b, off) => checker.update(b, off));
      const ours = checker.result();
      const theirs = verifyImage(bytes, whole.value).hashes;
      assert.deepEqual(ours.map((c) => [c.tlv, c.match, Buffer.from(c.computed).toString('hex')]), theirs.map((c) => [c.tlv, c.match, Buffer.from(c.computed).toString('hex')]));
      assert.equal(ours[0]!.match, true);
      await reader.close();
    });
  }

  it('a changed byte in the body: the hash check fails', async () => {
    const bytes = buildTestImage({ version: '1.0.0', payload: payload(1000) });
    bytes[500] ^= 0x40;
    const { look, reader } = await inspect(bytes);
    assert.equal(look.kind, 'image');
    if (look.kind !== 'image') return;
    const checker = imageHashChecker(look.info);
    await reader.scan((b, off) => checker.update(b, off));
    assert.equal(checker.result()[0]!.match, false);
    await reader.close();
  });

  it('not an image: the rule, with the file offset where the TLV area is wrong', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [payload(10), /^10 bytes is shorter than the 32-byte MCUboot header$/],
      [payload(100), /ih_magic must be 0x96f3b83d/],
      [buildTestImage({ version: '1.0.0', payload: payload(64) }).subarray(0, 98), /the header says the body ends at byte 96, but the file has 98 bytes/],
      [buildTestImage({ version: '1.0.0', payload: payload(64) }).subarray(0, 120), /the TLV area runs past the end of the file \(120 bytes\)/],
    ];
    const broken = buildTestImage({ version: '1.0.0', payload: payload(64) });
    broken[96] = 0x11;
    cases.push([broken, /^at byte 96: .*the TLV area must start with magic 0x6907; found 0x6911/]);
    for (const [bytes, want] of cases) {
      const { look, reader } = await inspect(bytes);
      assert.equal(look.kind, 'not-image');
      if (look.kind === 'not-image') assert.match(look.reason, want);
      await reader.close();
    }
  });
});
