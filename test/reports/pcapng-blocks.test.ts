// The pcapng block encoders and the synthetic IP/UDP headers, byte for byte against values
// worked out by hand from draft-ietf-opsawg-pcapng (§3.1 block layout, §3.5 options, §4.1-4.3)
// and RFC 791 / RFC 768 / RFC 1071.
import assert from 'node:assert/strict';
import {
  customOption,
  enhancedPacketBlock,
  interfaceDescriptionBlock,
  LinkType,
  sectionHeaderBlock,
} from '../../reports/trace/pcapng-blocks.js';
import { ipv6Bytes, onesComplementSum, parseUdpEndpoint, udpPacket } from '../../reports/trace/udp-packet.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): string => h.replace(/\s+/g, '');

describe('pcapng blocks', () => {
  it('Section Header Block without options: magic, version 1.0, section length -1, 28 bytes', () => {
    assert.equal(hex(sectionHeaderBlock()), bytes('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000'));
  });

  it('Section Header Block with shb_userappl: option padded to 32 bits, then opt_endofopt', () => {
    const b = sectionHeaderBlock({ application: 'hi' });
    assert.equal(hex(b), bytes('0a0d0d0a 28000000 4d3c2b1a 0100 0000 ffffffffffffffff  0400 0200 6869 0000  0000 0000  28000000'));
  });

  it('Interface Description Block: link type, snaplen 0, if_name padded, if_tsresol = 9 (ns)', () => {
    const b = interfaceDescriptionBlock({ linkType: LinkType.RAW, name: 'ab' });
    assert.equal(hex(b), bytes('01000000 28000000 6500 0000 00000000  0200 0200 6162 0000  0900 0100 09 000000  0000 0000  28000000'));
  });

  it('Interface Description Block: if_description of exactly 4 bytes needs no padding; USER0 is 147', () => {
    const b = interfaceDescriptionBlock({ linkType: LinkType.USER0, description: 'tty0', snapLen: 65535 });
    assert.equal(hex(b), bytes('01000000 28000000 9300 0000 ffff0000  0300 0400 74747930  0900 0100 09 000000  0000 0000  28000000'));
  });

  it('Enhanced Packet Block: 64-bit ns timestamp as high/low words, data padded, epb_flags outbound', () => {
    const b = enhancedPacketBlock({ interfaceId: 1, timestamp: 1_700_000_000_123_456_789n, data: Uint8Array.of(1, 2, 3, 4, 5), direction: 'out' });
    assert.equal(b.length, 52);
    assert.equal(hex(b), bytes('06000000 34000000 01000000 fe9c9717 15cd853d 05000000 05000000  0102030405 000000  0200 0400 02000000  0000 0000  34000000'));
  });

  it('Enhanced Packet Block: opt_comment and epb_flags inbound; data of a multiple of 4 gets no padding', () => {
    const b = enhancedPacketBlock({ interfaceId: 0, timestamp: 0n, data: Uint8Array.of(0xc0, 0xa9, 0, 0xc0), direction: 'in', comment: 'abc' });
    assert.equal(hex(b), bytes('06000000 38000000 00000000 00000000 00000000 04000000 04000000  c0a900c0  0100 0300 616263 00  0200 0400 01000000  0000 0000  38000000'));
  });

  it('Enhanced Packet Block: no options means no opt_endofopt; original length never below captured', () => {
    const b = enhancedPacketBlock({ interfaceId: 2, timestamp: 5n, data: Uint8Array.of(9), originalLength: 100 });
    assert.equal(hex(b), bytes('06000000 24000000 02000000 00000000 05000000 01000000 64000000  09 000000  24000000'));
    const short = enhancedPacketBlock({ interfaceId: 0, timestamp: 0n, data: Uint8Array.of(1, 2), originalLength: 1 });
    assert.equal(new DataView(short.buffer).getUint32(24, true), 2);
  });

  it('custom option: 2988 with the PEN first, length counting PEN and data, padded', () => {
    const b = sectionHeaderBlock({ options: [customOption(32473, 'x')] });
    assert.equal(hex(b.subarray(24, b.length - 4)), bytes('ac0b 0500 d97e0000 78 000000  0000 0000'));
  });

  it('an option value over 65535 bytes is refused rather than written with a wrapped length', () => {
    assert.throws(() => enhancedPacketBlock({ interfaceId: 0, timestamp: 0n, data: new Uint8Array(0), comment: 'x'.repeat(70000) }), RangeError);
  });
});

describe('synthetic IP/UDP headers', () => {
  it('IPv4 header checksum matches the worked example (RFC 1071 sum, 0xb861)', () => {
    // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: total length 115 = 20 + 8 + 87
    const src = parseUdpEndpoint('udp://192.168.0.1:1000')!;
    const dst = parseUdpEndpoint('udp://192.168.0.199:5683')!;
    const p = udpPacket(src, dst, new Uint8Array(87), { ipId: 0 });
    assert.equal(hex(p.subarray(0, 20)), bytes('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7'));
    assert.equal(hex(p.subarray(20, 26)), bytes('03e8 1633 005f'), 'ports 1000 -> 5683, UDP length 95');
  });

  it('UDP checksum over the pseudo-header sums to 0xffff, for IPv4 and IPv6', () => {
    for (const [a, b] of [
      ['udp://127.0.0.1:40000', 'udp://127.0.0.1:5683'],
      ['udp://[::1]:40000', 'udp://[2001:db8::7]:5683'],
    ] as const) {
      const src = parseUdpEndpoint(a)!;
      const dst = parseUdpEndpoint(b)!;
      const payload = Uint8Array.of(0x40, 0x01, 0x12, 0x34, 0xb4, 0x74, 0x65, 0x73, 0x74);
      const p = udpPacket(src, dst, payload);
      const ipLen = src.family === 4 ? 20 : 40;
      const udp = p.subarray(ipLen);
      let sum = onesComplementSum(src.address);
      sum = onesComplementSum(dst.address, sum) + 17 + udp.length;
      assert.equal(onesComplementSum(udp, sum), 0xffff, `${a} -> ${b}`);
      assert.equal(new DataView(p.buffer).getUint16(ipLen + 4), 8 + payload.length, 'UDP length');
    }
  });

  it('IPv6 header: version 6, payload length, next header UDP, hop limit 64, addresses', () => {
    const p = udpPacket(parseUdpEndpoint('udp://[::1]:1')!, parseUdpEndpoint('udp://[::2]:2')!, Uint8Array.of(7));
    assert.equal(hex(p.subarray(0, 8)), bytes('60000000 0009 11 40'));
    assert.equal(hex(p.subarray(8, 40)), `${'00'.repeat(15)}01${'00'.repeat(15)}02`);
  });

  it('parses the engine\'s peer/local strings and refuses what is not an IP endpoint', () => {
    assert.deepEqual(parseUdpEndpoint('udp://10.0.0.7:5683'), { family: 4, address: Uint8Array.of(10, 0, 0, 7), port: 5683 });
    assert.equal(parseUdpEndpoint('udp://[::1]:5683')?.family, 6);
    for (const bad of ['serial:///dev/pts/7', '/dev/ttyACM0', 'udp://localhost:5683', 'udp://300.0.0.1:1', 'udp://1.2.3.4:70000', '']) {
      assert.equal(parseUdpEndpoint(bad), undefined, bad);
    }
    assert.equal(hex(ipv6Bytes('2001:db8::1')!), '20010db8000000000000000000000001');
    assert.equal(hex(ipv6Bytes('::ffff:127.0.0.1')!), '00000000000000000000ffff7f000001');
    assert.equal(hex(ipv6Bytes('1:2:3:4:5:6:7:8')!), '00010002000300040005000600070008');
    for (const bad of ['1::2::3', '1:2:3', '12345::', '1:2:3:4:5:6:7:8::', 'g::1']) assert.equal(ipv6Bytes(bad), undefined, bad);
  });

  it('a payload larger than one IP packet is refused', () => {
    const v4 = parseUdpEndpoint('udp://127.0.0.1:1')!;
    assert.throws(() => udpPacket(v4, v4, new Uint8Array(65508)), RangeError);
    assert.equal(udpPacket(v4, v4, new Uint8Array(65507)).length, 65535);
  });
});
