// Packet comments of a serial trace: what a reader searches for (`frame.comment contains
// "slipmux"`) must name the frames a chunk holds, also when a frame spans chunks, and never
// turn console text into a frame.
import assert from 'node:assert/strict';
import { serializeCoap } from '../../protocols/coap/coap-codec.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { encodeCoapFrame, encodeDiagnosticFrame } from '../../protocols/slipmux/slipmux-frame.js';
import { describeSmpFrame, SmpFrameNotes } from '../../reports/trace/smp-serial-notes.js';
import { SerialFrameNotes } from '../../reports/trace/serial-frame-notes.js';

const utf8 = new TextEncoder();

function coapFrame(type: CoapType, code: number, mid: number): Uint8Array {
  const msg = serializeCoap({ version: 1, type, code, mid, token: Uint8Array.of(1, 2), options: [], payload: utf8.encode('hi') }).slice();
  return encodeCoapFrame(msg);
}

/** An SMP serial frame: 0x06 0x09, base64(length, 8-byte header, body, CRC), newline. */
function smpFrame(op: number, group: number, id: number, seq: number, body = Uint8Array.of(0xa0)): Uint8Array {
  const pkt = new Uint8Array(2 + 8 + body.length + 2);
  const v = new DataView(pkt.buffer);
  v.setUint16(0, 8 + body.length + 2);
  pkt[2] = op;
  v.setUint16(4, body.length);
  v.setUint16(6, group);
  pkt[8] = seq;
  pkt[9] = id;
  pkt.set(body, 10);
  return Uint8Array.from([0x06, 0x09, ...utf8.encode(Buffer.from(pkt).toString('base64')), 0x0a]);
}

const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('pcapng packet comments for serial chunks', () => {
  it('names a slipmux CoAP frame and a diagnostic in one chunk, and nothing for console text', () => {
    const n = new SerialFrameNotes();
    assert.equal(n.comment(utf8.encode('*** Booting ***\r\nuart:~$ ')), undefined);
    const chunk = cat(utf8.encode('log line\n'), coapFrame(CoapType.ACK, 0x45, 0x1234), encodeDiagnosticFrame('heap 12k\n'));
    assert.equal(n.comment(chunk), 'slipmux: CoAP ACK 2.05 MID 0x1234; slipmux: diagnostic "heap 12k"');
  });

  it('a frame split over chunks: "starts here" where it starts, its name where it ends', () => {
    const n = new SerialFrameNotes();
    const f = coapFrame(CoapType.CON, 0x01, 0xbeef);
    assert.equal(n.comment(f.subarray(0, 5)), 'slipmux: a frame starts here (continues in the next packet)');
    assert.equal(n.comment(f.subarray(5, 7)), undefined);
    assert.equal(n.comment(f.subarray(7)), 'slipmux: CoAP CON 0.01 GET MID 0xbeef (began in an earlier packet)');
  });

  it('a frame with a bad FCS is named as such', () => {
    const f = coapFrame(CoapType.NON, 0x45, 7);
    f[f.length - 2] ^= 0xff; // spoil the FCS's last byte (not END, not ESC)
    assert.match(new SerialFrameNotes().comment(f) ?? '', /^slipmux: CoAP frame with a bad FCS/);
  });

  it('SMP frames: the header of a packet\'s first frame, continuation frames, a frame split in two', () => {
    assert.equal(describeSmpFrame(smpFrame(2, 1, 1, 7)), 'smp frame: write request, group 1 (image) command 1, seq 7');
    assert.equal(describeSmpFrame(smpFrame(1, 0, 0, 0)), 'smp frame: read response, group 0 (os) command 0, seq 0');
    assert.equal(describeSmpFrame(Uint8Array.from([0x04, 0x14, ...utf8.encode('QUJD'), 0x0a])), 'smp frame (continuation)');
    const n = new SmpFrameNotes();
    const f = smpFrame(0, 9, 0, 3);
    assert.deepEqual(n.notes(cat(utf8.encode('uart:~$ '), f.subarray(0, 1))), [], 'a lone 0x06 is not yet a frame');
    assert.deepEqual(n.notes(f.subarray(1, 6)), [], 'it started in the chunk before');
    assert.deepEqual(n.notes(f.subarray(6)), ['smp frame: read request, group 9 (shell) command 0, seq 3 (began in an earlier packet)']);
  });

  it('never throws, and keeps bounded state, on arbitrary bytes', () => {
    const n = new SerialFrameNotes();
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 300; i++) {
      const chunk = new Uint8Array(1 + (rnd() % 600));
      for (let j = 0; j < chunk.length; j++) chunk[j] = rnd() % 7 === 0 ? [0xc0, 0xdb, 0x06, 0x09, 0x0a, 0xa9][rnd() % 6]! : rnd() & 0xff;
      n.comment(chunk);
    }
    // and still names a frame afterwards
    assert.match(n.comment(cat(Uint8Array.of(0xc0, 0xc0), coapFrame(CoapType.ACK, 0x44, 1))) ?? '', /slipmux: CoAP ACK 2\.04 MID 0x0001/);
  });
});
