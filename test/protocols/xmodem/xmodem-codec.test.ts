// XMODEM / YMODEM codec vectors: the two checks, block layout byte by byte, YMODEM block 0, the
// receiver's control bytes among console noise, and the receiver-side block decoder's rules.
// CRC vectors were cross-checked with Python's binascii.crc_hqx(data, 0) (CRC-16/XMODEM).
import assert from 'node:assert/strict';
import {
  ACK,
  blockSizes,
  CAN,
  decodeBlock,
  decodeReceiverSignal,
  decodeSenderFrame,
  decodeYmodemHeader,
  encodeBlock,
  encodeYmodemBatchEnd,
  encodeYmodemHeader,
  EOT,
  NAK,
  nextBlockSize,
  SOH,
  STX,
  SUB,
} from '../../../protocols/xmodem/xmodem-codec.js';
import { checksum8, crc16Xmodem } from '../../../protocols/xmodem/xmodem-check.js';

const te = new TextEncoder();
const ascii = (s: string): Uint8Array => te.encode(s);

describe('xmodem checks', () => {
  it('CRC-16/XMODEM has the catalogue check value 0x31C3 for "123456789"', () => {
    assert.equal(crc16Xmodem(ascii('123456789')), 0x31c3);
    assert.equal(crc16Xmodem(new Uint8Array(0)), 0);
    assert.equal(crc16Xmodem(new Uint8Array(128)), 0, 'init 0: zeros stay zero');
  });

  it('CRC-16/XMODEM continues over pieces', () => {
    const all = ascii('123456789');
    assert.equal(crc16Xmodem(all.subarray(4), crc16Xmodem(all.subarray(0, 4))), 0x31c3);
  });

  it('the checksum is the byte sum modulo 256', () => {
    assert.equal(checksum8(ascii('abc')), (97 + 98 + 99) & 0xff);
    assert.equal(checksum8(Uint8Array.of(0xff, 0x01)), 0);
    assert.equal(checksum8(new Uint8Array(0)), 0);
  });
});

describe('xmodem block encoding', () => {
  it('lays out a 128-byte CRC block: SOH, n, 255-n, data, SUB padding, CRC high byte first', () => {
    const b = encodeBlock(1, ascii('hilrig'), { size: 128, check: 'crc' });
    assert.equal(b.length, 133);
    assert.deepEqual([...b.subarray(0, 3)], [SOH, 0x01, 0xfe]);
    assert.deepEqual(b.subarray(3, 9), ascii('hilrig'));
    assert.ok(b.subarray(9, 131).every((x) => x === SUB), 'padded with SUB (0x1A)');
    // binascii.crc_hqx(b'hilrig' + b'\x1a' * 122, 0) == 0x4d2b
    assert.deepEqual([...b.subarray(131)], [0x4d, 0x2b]);
  });

  it('lays out a 128-byte checksum block with one check byte', () => {
    const data = ascii('hilrig');
    const b = encodeBlock(2, data, { size: 128, check: 'checksum' });
    assert.equal(b.length, 132);
    assert.deepEqual([...b.subarray(0, 3)], [SOH, 0x02, 0xfd]);
    assert.equal(b[131], (checksum8(data) + 122 * SUB) & 0xff);
  });

  it('starts a 1024-byte block with STX (1029 bytes with CRC)', () => {
    const b = encodeBlock(3, new Uint8Array(1024).fill(7), { size: 1024, check: 'crc' });
    assert.equal(b.length, 1029);
    assert.deepEqual([...b.subarray(0, 3)], [STX, 0x03, 0xfc]);
    const crc = crc16Xmodem(b.subarray(3, 1027));
    assert.deepEqual([...b.subarray(1027)], [crc >> 8, crc & 0xff]);
  });

  it('wraps block numbers after 255 to 0, with the complement to match', () => {
    assert.deepEqual([...encodeBlock(255, new Uint8Array(0), { size: 128, check: 'crc' }).subarray(1, 3)], [0xff, 0x00]);
    assert.deepEqual([...encodeBlock(256, new Uint8Array(0), { size: 128, check: 'crc' }).subarray(1, 3)], [0x00, 0xff]);
    assert.deepEqual([...encodeBlock(257, new Uint8Array(0), { size: 128, check: 'crc' }).subarray(1, 3)], [0x01, 0xfe]);
  });

  it('refuses data longer than the block', () => {
    assert.throws(() => encodeBlock(1, new Uint8Array(129), { size: 128, check: 'crc' }), RangeError);
  });

  it('sends a short tail in 128-byte blocks, a long one in 1K blocks', () => {
    assert.equal(nextBlockSize(896, 1024), 128, '7 SOH blocks (931 bytes) beat one STX block (1029)');
    assert.equal(nextBlockSize(897, 1024), 1024, '8 SOH blocks (1064 bytes) lose to one STX block');
    assert.equal(nextBlockSize(5000, 128), 128);
    assert.deepEqual(blockSizes(0, 1024), []);
    assert.deepEqual(blockSizes(1, 1024), [128]);
    assert.deepEqual(blockSizes(1025, 1024), [1024, 128]);
    assert.deepEqual(blockSizes(1023, 1024), [1024]);
    assert.deepEqual(blockSizes(129, 128), [128, 128]);
    assert.equal(blockSizes(100 * 1024 + 37, 1024).length, 101);
  });
});

describe('ymodem block 0', () => {
  it('carries the name NUL, the size in decimal, mtime and mode in octal, NUL padded, CRC', () => {
    const b = encodeYmodemHeader({ name: 'firmware.bin', size: 12345, mtime: 0o14371573004, mode: 0o100644 });
    assert.equal(b.length, 133);
    assert.deepEqual([...b.subarray(0, 3)], [SOH, 0x00, 0xff]);
    const want = ascii('firmware.bin\u000012345 14371573004 100644');
    assert.deepEqual(b.subarray(3, 3 + want.length), want);
    assert.ok(b.subarray(3 + want.length, 131).every((x) => x === 0), 'NUL padding');
    // binascii.crc_hqx(b'firmware.bin\x0012345 14371573004 100644' + NUL padding to 128, 0) == 0xf514
    assert.deepEqual([...b.subarray(131)], [0xf5, 0x14]);
  });

  it('leaves out what is not given, but never skips a field (mode without mtime sends mtime 0)', () => {
    const data = (b: Uint8Array): string => new TextDecoder().decode(b.subarray(3, 131)).replace(/\0+$/, '');
    assert.equal(data(encodeYmodemHeader({ name: 'a.bin', size: 7 })), 'a.bin\u00007');
    assert.equal(data(encodeYmodemHeader({ name: 'a.bin' })), 'a.bin');
    assert.equal(data(encodeYmodemHeader({ name: 'a.bin', size: 0, mode: 0o644 })), 'a.bin\u00000 0 644');
  });

  it('takes a 1K block 0 for a long name and refuses what cannot fit', () => {
    assert.equal(encodeYmodemHeader({ name: 'x'.repeat(200), size: 1 })[0], STX);
    assert.throws(() => encodeYmodemHeader({ name: 'x'.repeat(1100), size: 1 }), RangeError);
    assert.throws(() => encodeYmodemHeader({ name: '', size: 1 }), TypeError);
    assert.throws(() => encodeYmodemHeader({ name: 'a\0b', size: 1 }), TypeError);
    assert.throws(() => encodeYmodemHeader({ name: 'a', size: -1 }), TypeError);
  });

  it('ends the batch with an all-NUL block 0 (its CRC is 0)', () => {
    const b = encodeYmodemBatchEnd();
    assert.deepEqual([...b], [SOH, 0x00, 0xff, ...new Array<number>(130).fill(0)]);
  });

  it('reads block 0 back, and the empty block 0 as the end of the batch', () => {
    const info = { name: 'firmware.bin', size: 12345, mtime: 1700000000, mode: 0o100644 };
    const block = decodeBlock(encodeYmodemHeader(info));
    assert.equal(block.kind, 'ok');
    if (block.kind !== 'ok') return;
    assert.deepEqual(decodeYmodemHeader(block.value.payload), { kind: 'ok', value: info, consumed: 128 });
    const end = decodeBlock(encodeYmodemBatchEnd());
    assert.ok(end.kind === 'ok');
    assert.deepEqual(decodeYmodemHeader(end.value.payload), { kind: 'ok', value: null, consumed: 128 });
    assert.deepEqual(decodeYmodemHeader(ascii('sz.txt\u0000')), { kind: 'ok', value: { name: 'sz.txt' }, consumed: 7 });
  });

  it('names the rule a bad block 0 breaks', () => {
    const noNul = decodeYmodemHeader(ascii('firmware.bin'));
    assert.equal(noNul.kind, 'malformed');
    assert.match(noNul.kind === 'malformed' ? noNul.rule : '', /NUL-terminated/);
    const badSize = decodeYmodemHeader(ascii('a\u000012x4\u0000'));
    assert.ok(badSize.kind === 'malformed' && /decimal/.test(badSize.rule) && badSize.offset === 2);
    const badDate = decodeYmodemHeader(ascii('a\u000012 19\u0000'));
    assert.ok(badDate.kind === 'malformed' && /octal/.test(badDate.rule) && badDate.offset === 5);
  });
});

describe("the receiver's control bytes", () => {
  const signals = (bytes: Uint8Array): string[] => {
    const out: string[] = [];
    let off = 0;
    for (;;) {
      const r = decodeReceiverSignal(bytes.subarray(off));
      if (r.kind !== 'ok') {
        if (off < bytes.length) out.push(`(${r.kind})`);
        return out;
      }
      out.push(r.value.kind === 'noise' ? `noise:${new TextDecoder().decode(r.value.bytes)}` : r.value.kind);
      off += r.consumed;
    }
  };

  it('reads ACK, NAK, C and CAN CAN', () => {
    assert.deepEqual(signals(Uint8Array.of(ACK, NAK, 0x43, CAN, CAN)), ['ack', 'nak', 'crc', 'cancel']);
  });

  it('takes console text as noise, up to the next control byte', () => {
    assert.deepEqual(signals(ascii('U-Boot> loadx\r\n\u0006')), ['noise:U-Boot> loadx\r\n', 'ack']);
    // a 'C' in text is a control byte to the codec; the sender decides from what follows it
    assert.deepEqual(signals(ascii('CRC')), ['crc', 'noise:R', 'crc']);
  });

  it('waits after a lone CAN (it may be the first of two); CAN then another byte is noise', () => {
    assert.deepEqual(signals(Uint8Array.of(CAN)), ['(incomplete)']);
    assert.deepEqual(signals(Uint8Array.of(CAN, 0x41, CAN, CAN)), ['noise:\u0018', 'noise:A', 'cancel']);
    assert.deepEqual(decodeReceiverSignal(new Uint8Array(0)), { kind: 'incomplete', needed: 1 });
  });
});

describe('xmodem block decoder (receiver side)', () => {
  const block = encodeBlock(5, ascii('payload'), { size: 128, check: 'crc' });

  it('decodes what the encoder made, padding included, for each size and check', () => {
    for (const size of [128, 1024] as const) {
      for (const check of ['crc', 'checksum'] as const) {
        const data = Uint8Array.from({ length: size - 3 }, (_, i) => i & 0xff);
        const wire = encodeBlock(300, data, { size, check });
        const r = decodeBlock(Buffer.concat([wire, Uint8Array.of(EOT)]), { check });
        assert.ok(r.kind === 'ok', `${size} ${check}`);
        assert.equal(r.consumed, wire.length, 'stops at the end of the block');
        assert.deepEqual({ ...r.value, payload: undefined }, { number: 300 & 0xff, size, check, payload: undefined });
        assert.deepEqual(r.value.payload, Buffer.concat([data, Uint8Array.of(SUB, SUB, SUB)]));
      }
    }
  });

  it('asks for the rest of a block cut short', () => {
    assert.deepEqual(decodeBlock(block.subarray(0, 100)), { kind: 'incomplete', needed: 33 });
    assert.deepEqual(decodeBlock(new Uint8Array(0)), { kind: 'incomplete', needed: 1 });
  });

  it('breaks the complement rule on a garbled block number, before the data is in', () => {
    const bad = Uint8Array.of(SOH, 5, 0xfb);
    const r = decodeBlock(bad);
    assert.ok(r.kind === 'malformed');
    assert.equal(r.offset, 2);
    assert.equal(r.skip, 1);
    assert.match(r.rule, /complement/);
  });

  it('breaks the CRC rule on a flipped data bit, and the checksum rule in checksum mode', () => {
    const crcBad = block.slice();
    crcBad[40]! ^= 0x10;
    const r = decodeBlock(crcBad);
    assert.ok(r.kind === 'malformed' && /CRC/.test(r.rule) && r.offset === 131 && r.skip === 133);
    const sum = encodeBlock(5, ascii('payload'), { size: 128, check: 'checksum' });
    sum[131]! ^= 1;
    const s = decodeBlock(sum, { check: 'checksum' });
    assert.ok(s.kind === 'malformed' && /checksum/.test(s.rule) && s.skip === 132);
  });

  it('breaks the size rule on an STX block to a 128-only receiver, and the start rule on other bytes', () => {
    const big = encodeBlock(1, new Uint8Array(0), { size: 1024, check: 'crc' });
    const r = decodeBlock(big, { maxSize: 128 });
    assert.ok(r.kind === 'malformed' && /128-byte/.test(r.rule) && r.skip === 1);
    const other = decodeBlock(ascii('A'));
    assert.ok(other.kind === 'malformed' && /SOH/.test(other.rule) && other.skip === 1);
  });

  it('tells EOT, CAN CAN and blocks apart in what a sender sends', () => {
    assert.deepEqual(decodeSenderFrame(Uint8Array.of(EOT)), { kind: 'ok', value: { kind: 'eot' }, consumed: 1 });
    assert.deepEqual(decodeSenderFrame(Uint8Array.of(CAN, CAN)), { kind: 'ok', value: { kind: 'cancel' }, consumed: 2 });
    assert.equal(decodeSenderFrame(Uint8Array.of(CAN)).kind, 'incomplete');
    assert.equal(decodeSenderFrame(Uint8Array.of(CAN, 1)).kind, 'malformed');
    const f = decodeSenderFrame(block);
    assert.ok(f.kind === 'ok' && f.value.kind === 'block' && f.value.block.number === 5);
  });
});
