// SMP over a serial console (Zephyr smp_transport.rst, "UART/serial and console"): the frame
// lines the encoder writes, checked against vectors computed apart from our code (Python's
// binascii.crc_hqx(data, 0) is CRC-16/XMODEM; base64 by hand), and the decoder's handling of
// console text, other firmware's framing, and damage.
import assert from 'node:assert/strict';
import { crc16Xmodem, encodeSmpSerial, encodeSmpSerialFrames, SMP_SERIAL_MAX_FRAME, SmpSerialDecoder } from '../../../protocols/smp/smp-serial-codec.js';
import { encodeSmp, SmpOp } from '../../../protocols/smp/smp-header.js';
import { concat, decodeChunked, normalize, oddCutFrames, oldZephyrFrames, packets, perLinePaddedFrames, textOf } from './smp-fixtures.js';

const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** {"d":"hello"} echo request, SMP v1, seq 0: 17 bytes */
const ECHO = new Uint8Array(Buffer.from('0200000900000000a161646568656c6c6f', 'hex'));
/** length 0x0013 (17 + 2), the message, CRC 0x256f (binascii.crc_hqx(ECHO, 0)), base64 */
const ECHO_LINE = '\x06\x09ABMCAAAJAAAAAKFhZGVoZWxsbyVv\n';

describe('SMP serial framing: encoder', () => {
  it('computes CRC-16/XMODEM (check value 0x31C3; 0x256F for the echo request)', () => {
    assert.equal(crc16Xmodem(new TextEncoder().encode('123456789')), 0x31c3);
    assert.equal(crc16Xmodem(ECHO), 0x256f);
  });

  it('frames the echo request as one line: 0x06 0x09, base64 of length + message + CRC, newline', () => {
    const lines = encodeSmpSerialFrames(ECHO);
    assert.deepEqual(lines.map(ascii), [ECHO_LINE]);
    assert.equal(ascii(encodeSmpSerial(ECHO)), ECHO_LINE);
  });

  it('cuts a long packet into lines of at most 127 bytes: 124 base64 characters, 0x04 0x14 on continuations', () => {
    // 200-byte message: 204 raw bytes, 272 base64 characters -> 124 + 124 + 24
    const msg = Uint8Array.from({ length: 200 }, (_, i) => i);
    const lines = encodeSmpSerialFrames(msg);
    assert.deepEqual(
      lines.map((l) => l.length),
      [127, 127, 27],
    );
    assert.ok(lines.every((l) => l.length <= SMP_SERIAL_MAX_FRAME && l[l.length - 1] === 0x0a));
    assert.deepEqual([...lines[0]!.subarray(0, 2)], [0x06, 0x09]);
    assert.ok(lines.slice(1).every((l) => l[0] === 0x04 && l[1] === 0x14));
    const b64 = lines.map((l) => ascii(l.subarray(2, -1))).join('');
    const raw = Buffer.from(b64, 'base64');
    assert.equal(raw.readUInt16BE(0), 202, 'the length counts the message and the CRC');
    assert.equal(hex(raw.subarray(2, 202)), hex(msg));
    assert.equal(raw.readUInt16BE(202), crc16Xmodem(msg));
    // the line that fills exactly: 93 raw bytes make 124 characters, no padding
    assert.ok(!ascii(lines[0]!).includes('='));
  });

  it('honours a smaller line limit, whole 4-character groups only', () => {
    const lines = encodeSmpSerialFrames(new Uint8Array(40), { maxFrame: 20 });
    assert.ok(lines.every((l) => l.length <= 20));
    assert.ok(lines.slice(0, -1).every((l) => l.length === 19), '16 characters (4 groups) + 3');
  });

  it('can write the old length form (message only) for a virtual board imitating old Zephyr', () => {
    const raw = Buffer.from(ascii(encodeSmpSerial(ECHO, { lengthExcludesCrc: true })).slice(2, -1), 'base64');
    assert.equal(raw.readUInt16BE(0), 17);
  });

  it('refuses options and sizes it cannot honour, naming them', () => {
    assert.throws(() => encodeSmpSerialFrames(ECHO, { maxFrame: 6 }), /maxFrame must be a whole number of bytes >= 7/);
    assert.throws(() => encodeSmpSerialFrames(new Uint8Array(65534)), /does not fit the 16-bit length field/);
  });
});

describe('SMP serial framing: decoder', () => {
  it('reads the echo line back, with console text before and after it as text', () => {
    const wire = concat([text('*** Booting Zephyr OS ***\r\nuart:~$ '), encodeSmpSerial(ECHO), text('log: done\r\n')]);
    const items = decodeChunked(wire, []);
    assert.deepEqual(normalize(items), [`text ${hex(text('*** Booting Zephyr OS ***\r\nuart:~$ '))}`, `packet ${hex(ECHO)}`, `text ${hex(text('log: done\r\n'))}`]);
    const p = items.find((i) => i.kind === 'packet');
    assert.ok(p && p.kind === 'packet');
    assert.deepEqual({ frames: p.frames, longestLine: p.longestLine, lengthExcludesCrc: p.lengthExcludesCrc, crc: p.crc }, { frames: 1, longestLine: ECHO_LINE.length, lengthExcludesCrc: false, crc: 'ok' });
  });

  it('reads a multi-line packet fed one byte at a time, and keeps a UTF-8 character split across reads', () => {
    const msg = encodeSmp({ op: SmpOp.WriteRsp, version: 1, flags: 0, group: 1, seq: 9, id: 1, body: { off: 4096, data: new Uint8Array(300).fill(0x5a) } });
    const wire = concat([text('température: 21 °C\n'), encodeSmpSerial(msg)]);
    const dec = new SmpSerialDecoder();
    const items = [...[...wire].flatMap((b) => dec.push(Uint8Array.of(b))), ...dec.end()];
    assert.deepEqual(packets(items).map(hex), [hex(msg)]);
    assert.equal(items.filter((i) => i.kind === 'text').map((i) => (i.kind === 'text' ? i.text : '')).join(''), 'température: 21 °C\n');
  });

  it('takes a CRC-only bad packet as a bad-crc item and goes on with the next packet', () => {
    const bad = encodeSmpSerial(ECHO);
    // flip a bit of the message inside the base64: 'h' -> 'i' changes one decoded byte
    const at = ascii(bad).indexOf('h');
    bad[at] = 'i'.charCodeAt(0);
    const dec = new SmpSerialDecoder();
    const items = decodeChunked(concat([bad, encodeSmpSerial(ECHO)]), [], dec);
    assert.deepEqual(
      items.map((i) => i.kind),
      ['bad-crc', 'packet'],
    );
    const b = items[0]!;
    assert.ok(b.kind === 'bad-crc');
    assert.equal(b.received, 0x256f);
    assert.notEqual(b.computed, 0x256f);
    assert.match(b.rule, /CRC16/);
    assert.equal(dec.stats.badCrc, 1);
    assert.equal(dec.stats.packets, 1);
  });

  it('accepts the old length form (message only), with its CRC checked', () => {
    const items = decodeChunked(encodeSmpSerial(ECHO, { lengthExcludesCrc: true }), []);
    assert.deepEqual(normalize(items), [`packet ${hex(ECHO)} excl`]);
  });

  it("decodes old Zephyr's frames: 3 bytes at a time, CRC groups padded mid-packet, lines up to 131 bytes", () => {
    // (not 91 + 93k: those sizes fill a line exactly and old Zephyr sends them without CRC; below)
    for (const size of [17, 60, 88, 89, 90, 92, 93, 150, 185, 186, 400]) {
      const msg = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
      const lines = oldZephyrFrames(msg);
      const items = decodeChunked(concat(lines), []);
      assert.deepEqual(normalize(items), [`packet ${hex(msg)} excl`], `size ${size}`);
      const p = items[0]!;
      assert.ok(p.kind === 'packet');
      assert.equal(p.longestLine, Math.max(...lines.map((l) => l.length)));
    }
    // a 90-byte message ends "xxxx" + "xx==" when its line is at 122 bytes: 131 with the newline
    assert.deepEqual(
      oldZephyrFrames(new Uint8Array(90)).map((l) => l.length),
      [131],
    );
  });

  it('delivers, unchecked, a packet old Zephyr sent without CRC (its data filled the first line exactly)', () => {
    // an SMP message of 91 bytes: header (8) + {"d": 78 characters} (83): old Zephyr's first line holds 91
    const msg = encodeSmp({ op: SmpOp.WriteRsp, version: 0, flags: 0, group: 0, seq: 1, id: 0, body: { r: 'x'.repeat(78) } });
    assert.equal(msg.length, 91);
    const lines = oldZephyrFrames(msg);
    assert.equal(lines.length, 1, 'no line for the CRC');
    const dec = new SmpSerialDecoder();
    const items = decodeChunked(concat([...lines, encodeSmpSerial(ECHO)]), [], dec);
    assert.deepEqual(normalize(items), [`packet ${hex(msg)} excl nocrc`, `packet ${hex(ECHO)}`]);
    assert.equal(dec.stats.missingCrc, 1);
  });

  it('decodes lines whose base64 was padded line by line (padding inside the packet)', () => {
    const msg = Uint8Array.from({ length: 250 }, (_, i) => 255 - i);
    for (const per of [10, 31, 50, 92, 94]) {
      assert.deepEqual(normalize(decodeChunked(concat(perLinePaddedFrames(msg, per)), [])), [`packet ${hex(msg)}`], `${per} raw bytes a line`);
    }
  });

  it('decodes lines cut inside a base64 group, carrying the characters over', () => {
    const msg = Uint8Array.from({ length: 250 }, (_, i) => i);
    for (const chars of [5, 61, 125, 126, 127]) {
      assert.deepEqual(normalize(decodeChunked(concat(oddCutFrames(msg, chars)), [])), [`packet ${hex(msg)}`], `${chars} characters a line`);
    }
  });

  it('ignores a carriage return before the newline (a terminal translating \\n to \\r\\n)', () => {
    const crlf = Buffer.from(ascii(encodeSmpSerial(ECHO)).replace('\n', '\r\n'), 'latin1');
    assert.deepEqual(normalize(decodeChunked(crlf, [])), [`packet ${hex(ECHO)}`]);
  });

  it('holds a lone 0x06 at the end of a read until the next byte says whether it opens a frame', () => {
    const dec = new SmpSerialDecoder();
    const line = encodeSmpSerial(ECHO);
    assert.deepEqual(normalize(dec.push(concat([text('abc'), line.subarray(0, 1)]))), [`text ${hex(text('abc'))}`]);
    assert.equal(dec.pending, 1);
    assert.deepEqual(normalize(dec.push(line.subarray(1))), [`packet ${hex(ECHO)}`]);
    // a 0x06 that opens nothing is text, released at once when its successor comes or on idle
    assert.deepEqual(normalize(dec.push(Uint8Array.of(0x41, 0x06))), ['text 41']);
    assert.deepEqual(normalize(dec.flushText()), ['text 06']);
    assert.equal(dec.pending, 0);
  });

  it('reports an orphan continuation, an interrupted packet, an overlong one, bad base64 and a truncated stream', () => {
    const msg = new Uint8Array(200).fill(1);
    const lines = encodeSmpSerialFrames(msg);
    const overlong = Buffer.from('\x06\x09' + Buffer.from([0, 3, 1, 2, 3, 4, 5, 6]).toString('base64') + '\n', 'latin1');
    const items = decodeChunked(
      concat([
        lines[1]!, // a continuation with no packet open
        lines[0]!, // a packet that never finishes: the next start interrupts it
        ...lines, // a whole one
        overlong, // the length says 3, 6 bytes came
        Buffer.from('\x06\x09AB!D\n', 'latin1'), // '!' is no base64
        lines[0]!, // the stream ends inside this one
      ]),
      [],
    );
    assert.deepEqual(
      items.map((i) => (i.kind === 'dropped' ? i.reason : i.kind)),
      ['orphan-continuation', 'interrupted', 'packet', 'overlong', 'bad-base64', 'truncated'],
    );
    const bad = items.find((i) => i.kind === 'dropped' && i.reason === 'bad-base64');
    assert.ok(bad && bad.kind === 'dropped' && /0x21 is not a base64 character/.test(bad.rule), JSON.stringify(bad));
  });

  it('drops a frame line longer than maxLine, and the packet it belonged to, then carries on', () => {
    const dec = new SmpSerialDecoder({ maxLine: 40 });
    const long = encodeSmpSerial(new Uint8Array(60));
    const items = decodeChunked(concat([long, text('ok\n'), encodeSmpSerial(new Uint8Array(5))]), [7, 50], dec);
    assert.deepEqual(normalize(items), [`dropped oversize-line ${long.length}`, `text ${hex(text('ok\n'))}`, `packet ${hex(new Uint8Array(5))}`]);
  });

  it('accounts for every byte: text and frame-line bytes add up to the input', () => {
    const wire = concat([text('a\n'), encodeSmpSerial(ECHO), Buffer.from('\x04\x14garbage\n', 'latin1'), text('tail'), encodeSmpSerial(ECHO).subarray(0, 10)]);
    const dec = new SmpSerialDecoder();
    decodeChunked(wire, [3, 17], dec);
    assert.equal(dec.stats.textBytes + dec.stats.frameBytes, wire.length);
    assert.equal(dec.pending, 0);
    assert.equal(textOf(decodeChunked(wire, [])), 'a\ntail');
  });
});
