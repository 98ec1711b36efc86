// The slipmux splitter on fixed vectors: each frame type round-trips, console text between
// frames splits at frame boundaries, and frames the draft discards come out as items.
import assert from 'node:assert/strict';
import { slipEncode } from '../../../protocols/slip/slip-codec.js';
import { appendFcs16 } from '../../../protocols/slipmux/fcs16.js';
import {
  decodeSlipmuxStream,
  encodeCoapFrame,
  encodeDiagnosticFrame,
  encodeIpFrame,
  nextSlipmuxItem,
  type SlipmuxStreamEntry,
} from '../../../protocols/slipmux/slipmux-codec.js';
import { coapGet, ipv4Packet, ipv6Packet } from './slipmux-fixtures.js';

const te = new TextEncoder();
const cat = (...parts: (Uint8Array | string)[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? te.encode(p) : p)));
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** A compact view of entries for deepEqual: kind plus the interesting field. */
function brief(entries: SlipmuxStreamEntry[]): string[] {
  return entries.map((e) => {
    switch (e.kind) {
      case 'text':
        return `text:${JSON.stringify(e.text)}`;
      case 'diagnostic':
        return `diagnostic:${JSON.stringify(e.text)}`;
      case 'coap':
        return `coap:${hex(e.message)}`;
      case 'ip':
        return `ip${e.version}:${e.packet.length}`;
      case 'bad-fcs':
        return `bad-fcs:${hex(e.frame)}`;
      case 'unknown-type':
        return `unknown-type:${e.type.toString(16).padStart(2, '0')}:${e.frame.length}`;
      case 'malformed':
        return `malformed@${e.offset}`;
      default:
        return `${e.kind}:${e.length}`;
    }
  });
}

const split = (bytes: Uint8Array, maxFrame?: number): string[] => brief(decodeSlipmuxStream(bytes, { idle: true, maxFrame }).entries);

describe('slipmux codec', () => {
  describe('frames of each type round-trip', () => {
    it('CoAP: 0xA9, the message, its FCS little-endian (draft §5)', () => {
      const wire = encodeCoapFrame(coapGet);
      // FCS over A9 40 01 12 34 is 0xE93A: sent 3A E9
      assert.equal(hex(wire), 'c0a9400112343ae9c0');
      assert.deepEqual(split(wire), ['coap:40011234']);
    });

    it('CoAP bytes that need escaping, in the message and in the FCS', () => {
      const msg = Uint8Array.of(0x40, 0x01, 0xc0, 0xdb, 0xc0);
      const wire = encodeCoapFrame(msg);
      assert.ok(wire.subarray(1, -1).every((x) => x !== 0xc0), 'no bare END inside the frame');
      assert.deepEqual(split(wire), [`coap:${hex(msg)}`]);
    });

    it('diagnostic: 0x0A then UTF-8 text (draft §4)', () => {
      const wire = encodeDiagnosticFrame('temp 21.5 °C\n');
      assert.equal(wire[1], 0x0a);
      assert.deepEqual(split(wire), ['diagnostic:"temp 21.5 °C\\n"']);
    });

    it('IPv4 and IPv6 packets keep their first byte (draft §3)', () => {
      const v4 = ipv4Packet(60, 0xc0);
      const v6 = ipv6Packet(72, 0xdb);
      const d = decodeSlipmuxStream(cat(encodeIpFrame(v4), encodeIpFrame(v6)), { idle: true }).entries;
      assert.deepEqual(d, [
        { kind: 'ip', version: 4, packet: v4 },
        { kind: 'ip', version: 6, packet: v6 },
      ]);
    });

    it('refuses to frame a packet that is not IPv4 or IPv6', () => {
      assert.throws(() => encodeIpFrame(Uint8Array.of(0x0a, 1, 2)), TypeError);
      assert.throws(() => encodeIpFrame(new Uint8Array(0)), /empty packet/);
    });
  });

  describe('console text outside frames', () => {
    it('splits text interleaved with frames at the frame boundaries', () => {
      const wire = cat('boot: v1.2\r\n', encodeDiagnosticFrame('hello'), 'printf 1\n', encodeCoapFrame(coapGet), '> ');
      assert.deepEqual(split(wire), ['text:"boot: v1.2\\r\\n"', 'diagnostic:"hello"', 'text:"printf 1\\n"', 'coap:40011234', 'text:"> "']);
    });

    it('emits text eagerly, without waiting for a newline or a frame', () => {
      assert.deepEqual(nextSlipmuxItem(te.encode('partial line')), { kind: 'ok', value: { kind: 'text', text: 'partial line', bytes: te.encode('partial line') }, consumed: 12 });
    });

    it('holds back a UTF-8 character split across reads, unless the line went idle', () => {
      const euro = te.encode('a€'); // 61 e2 82 ac
      const first = nextSlipmuxItem(euro.subarray(0, 3));
      assert.equal(first.kind === 'ok' && first.consumed, 1);
      const idle = nextSlipmuxItem(euro.subarray(1, 3), { idle: true });
      assert.equal(idle.kind === 'ok' && idle.consumed, 2);
    });

    it('reads frames that share their END, as RIOT sends them (one END at start-up, one after each frame)', () => {
      const riot = (frame: Uint8Array): Uint8Array => frame.subarray(1);
      const wire = cat('[boot] RIOT\n', Uint8Array.of(0xc0), riot(encodeDiagnosticFrame('main(): This is RIOT!\n')), riot(encodeCoapFrame(coapGet)), riot(encodeIpFrame(ipv6Packet(48, 0))));
      assert.deepEqual(split(wire), ['text:"[boot] RIOT\\n"', 'diagnostic:"main(): This is RIOT!\\n"', 'coap:40011234', 'ip6:48']);
    });

    it('reads text right after a frame as text even when it starts like an IP packet', () => {
      // 'm' is 0x6D, an IPv6 initial byte; its "payload length" ("()") is far over the limit
      const wire = cat(encodeDiagnosticFrame('x'), 'main(): hi\n', encodeDiagnosticFrame('y'));
      assert.deepEqual(split(wire), ['diagnostic:"x"', 'text:"main(): hi\\n"', 'diagnostic:"y"']);
      // a short word before a pause is held until the line goes idle, then shown
      const shared = cat(encodeDiagnosticFrame('x'), 'ok');
      assert.deepEqual(brief(decodeSlipmuxStream(shared).entries), ['diagnostic:"x"']);
      assert.deepEqual(split(shared), ['diagnostic:"x"', 'text:"ok"']);
    });

    it('takes an IP-looking start for text when the frame does not end at the header\'s length', () => {
      // "E\r\n\r\n": IPv4 initial byte, total length 0x0A0D = 2573, plausible under a 4096 limit
      const early = cat(encodeDiagnosticFrame('x'), 'E\r\n\r\nend', encodeDiagnosticFrame('y'));
      assert.deepEqual(split(early, 4096), ['diagnostic:"x"', 'text:"E\\r\\n\\r\\nend"', 'diagnostic:"y"']);
      // longer than it claims: text as soon as the claimed length is passed, END or not
      const long = cat(encodeDiagnosticFrame('x'), Uint8Array.of(0x45, 0, 0, 20), new Uint8Array(17).fill(0x41));
      assert.deepEqual(brief(decodeSlipmuxStream(long).entries), ['diagnostic:"x"', `text:${JSON.stringify('E\0\0\x14' + 'A'.repeat(17))}`]);
    });

    it('takes a "diagnostic" that outgrows the limit without its END for text that began with a newline', () => {
      const wire = cat(encodeDiagnosticFrame('x'), '\n', 'z'.repeat(40));
      assert.deepEqual(split(wire, 16), ['diagnostic:"x"', `text:"\\n${'z'.repeat(40)}"`]);
    });

    it('drops runs of bare ENDs', () => {
      assert.deepEqual(split(cat(Uint8Array.of(0xc0, 0xc0, 0xc0), 'a', Uint8Array.of(0xc0, 0xc0), encodeDiagnosticFrame('d'))), ['text:"a"', 'diagnostic:"d"']);
      const r = decodeSlipmuxStream(Uint8Array.of(0xc0, 0xc0, 0xc0, 0xc0));
      assert.deepEqual([r.entries.length, r.rest.length], [0, 1]);
    });
  });

  describe('frames the draft discards are items, not failures', () => {
    it('bad FCS (draft §5) keeps the whole frame', () => {
      const good = appendFcs16(Uint8Array.of(0xa9, ...coapGet));
      const bad = good.slice();
      bad[bad.length - 1]! ^= 0xff;
      assert.deepEqual(split(slipEncode(bad)), [`bad-fcs:${hex(bad)}`]);
      // too short to hold an FCS at all
      assert.deepEqual(split(slipEncode(Uint8Array.of(0xa9, 0x01))), ['bad-fcs:a901']);
    });

    it('unknown initial bytes (draft §7.3), including escaped and reserved ones (§8)', () => {
      const frames = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xdb].map((t) => slipEncode(Uint8Array.of(t, 1, 2, 3)));
      assert.deepEqual(split(cat(...frames)), ['00', '01', '7f', '80', 'ff', 'c0', 'db'].map((t) => `unknown-type:${t}:4`));
    });

    it('oversize: reported once, the rest discarded up to the END, then back in step', () => {
      const big = encodeCoapFrame(new Uint8Array(100).fill(0x55));
      const wire = cat(big, encodeDiagnosticFrame('after'));
      const entries = decodeSlipmuxStream(wire, { maxFrame: 32 }).entries;
      assert.deepEqual(brief(entries), ['oversize:32', 'discarded:71', 'diagnostic:"after"']);
    });

    it('a frame aborted with ESC END (draft §6) is dropped; the END may open the next frame', () => {
      const wire = cat(Uint8Array.of(0xc0, 0xa9, 0x40, 0x01, 0xdb, 0xc0), encodeDiagnosticFrame('next').subarray(1));
      assert.deepEqual(split(wire), ['aborted:3', 'diagnostic:"next"']);
    });

    it('a bad SLIP escape is malformed, with a skip to the frame\'s END', () => {
      const wire = cat(Uint8Array.of(0xc0, 0xa9, 0x40, 0xdb, 0x41, 0x01, 0xc0), encodeDiagnosticFrame('ok'));
      const first = nextSlipmuxItem(wire);
      assert.equal(first.kind, 'malformed');
      if (first.kind === 'malformed') {
        assert.deepEqual([first.offset, first.skip], [4, 6]);
        assert.match(first.rule, /RFC 1055/);
      }
      assert.deepEqual(split(wire), ['malformed@4', 'diagnostic:"ok"']);
    });

    it('waits for the END of a frame, and for the byte after a trailing ESC', () => {
      const wire = encodeCoapFrame(coapGet);
      for (let cut = 1; cut < wire.length; cut++) assert.equal(nextSlipmuxItem(wire.subarray(0, cut)).kind, 'incomplete', `cut at ${cut}`);
      assert.equal(nextSlipmuxItem(Uint8Array.of(0xc0, 0xa9, 0x01, 0xdb), { idle: true }).kind, 'incomplete');
    });
  });
});
