// SMP over a serial console, receiving side: a streaming decoder over the bytes of a port that
// carries console text and SMP frame lines mixed (Zephyr smp_transport.rst, "UART/serial and
// console"; the receiver is mcumgr_serial_process_frag in serial_util.c). Pure: bytes in, items
// out, no I/O; it keeps only the line and the packet in progress.
//
// What it accepts, liberal where real firmware differs from the document:
// - A frame line starts with 0x06 0x09 (first line of a packet) or 0x04 0x14 (continuation) and
//   ends at '\n' (a '\r' before it is ignored). The document puts markers at a line start; we
//   also find them mid-line, because a shell prompt without a newline ("uart:~$ ") often sits
//   right before a response. 0x04 and 0x06 are control bytes no console text carries.
// - Everything else is console text, reported as it comes (console capture still shows it).
// - Base64 is decoded one 4-character group at a time, so padding may close any group (older
//   Zephyr and per-line encoders pad inside a packet), and a line cut at a length that is not a
//   multiple of 4 carries its last characters over to the next line.
// - The length field: Zephyr's document and today's serial_util.c count the message plus the
//   2 CRC bytes; Zephyr's serial_util.c before its 2022 rewrite wrote the message length alone,
//   and when the message filled a line exactly it sent no CRC at all. A packet ends at the end
//   of a frame line, so there we compare the decoded bytes n with the length field L:
//     n == L with a good CRC residue     the documented form
//     n == L + 2 with a good residue     the length left the CRC out (lengthExcludesCrc)
//     n == L, the SMP header inside says
//       the message is exactly L bytes   the old form with its CRC missing (crc: 'missing');
//                                        a 2-byte continuation right after is taken as its CRC
//     n == L + 1                         wait: the CRC is split over two lines
//   and a bad residue otherwise is a 'bad-crc' item, not fatal.
// - Lines longer than 127 bytes are accepted (Python smp writes up to 8192, old Zephyr 131)
//   up to `maxLine`; each packet reports its longest line so a suite can hold a board to 127.
import { decodeBase64Groups } from './base64-groups.js';
import { crc16Xmodem } from './crc16-xmodem.js';
import { SMP_SERIAL_MAX_MESSAGE } from './smp-serial-encoder.js';

export interface SmpSerialText {
  kind: 'text';
  /** console bytes as they came: a chunk, not necessarily a line */
  bytes: Uint8Array;
  /** `bytes` as UTF-8, decoded across chunks (a character split by a read is not lost) */
  text: string;
}
export interface SmpSerialPacket {
  kind: 'packet';
  /** the SMP message, without length field and CRC */
  message: Uint8Array;
  frames: number;
  /** the longest frame line of the packet, marker and '\n' included (Zephyr's limit: 127) */
  longestLine: number;
  /** the length field counted the message alone, as Zephyr did before 2022 */
  lengthExcludesCrc: boolean;
  /** 'missing': the old form that sent no CRC (the message is delivered unchecked) */
  crc: 'ok' | 'missing';
}
export interface SmpSerialBadCrc {
  kind: 'bad-crc';
  message: Uint8Array;
  /** the CRC that came with the message */
  received: number;
  /** the CRC of the message as received */
  computed: number;
  frames: number;
  rule: string;
}
export type SmpSerialDropReason = 'bad-base64' | 'orphan-continuation' | 'interrupted' | 'overlong' | 'oversize-line' | 'short-first-frame' | 'truncated';
export interface SmpSerialDropped {
  kind: 'dropped';
  reason: SmpSerialDropReason;
  /** frame-line bytes thrown away (markers and newlines included) */
  bytes: number;
  rule: string;
}
export type SmpSerialItem = SmpSerialText | SmpSerialPacket | SmpSerialBadCrc | SmpSerialDropped;

export interface SmpSerialStats {
  packets: number;
  badCrc: number;
  dropped: number;
  /** packets whose length field left the CRC out */
  lengthExcludesCrc: number;
  /** packets delivered without a CRC (old Zephyr) */
  missingCrc: number;
  textBytes: number;
  /** bytes of frame lines, delivered or dropped */
  frameBytes: number;
}

/** base64 of the largest packet (2 + 65535 bytes) plus marker and '\n': one line can hold any packet */
export const SMP_SERIAL_DEFAULT_MAX_LINE = 4 * Math.ceil((2 + SMP_SERIAL_MAX_MESSAGE + 2) / 3) + 3;

export interface SmpSerialDecoderOptions {
  /** the longest frame line accepted, marker and '\n' included; longer lines are dropped */
  maxLine?: number;
}

const RULES: Record<SmpSerialDropReason | 'bad-crc', string> = {
  'bad-crc': 'smp_transport.rst, CRC Details: CRC16 (polynomial 0x1021, initial value 0) of the packet body',
  'bad-base64': 'smp_transport.rst, Frame formats: the body of a frame is base64 encoded',
  'orphan-continuation': 'smp_transport.rst, Frame formats: a partial frame (0x04 0x14) continues an initial frame',
  interrupted: 'smp_transport.rst, Frame formats: an initial frame is followed by partial frames up to a final one; a new initial frame came first',
  overlong: 'smp_transport.rst, Frame formats: the total length counts the body and its CRC; more bytes came',
  'oversize-line': 'frame line longer than the decoder accepts (maxLine)',
  'short-first-frame': 'smp_transport.rst, Frame formats: an initial frame starts with the 2-byte total length',
  truncated: 'the stream ended inside a packet',
};

const NL = 0x0a;
const CR = 0x0d;
const START = [0x06, 0x09] as const;
const CONTINUE = [0x04, 0x14] as const;
const EMPTY = new Uint8Array(0);
/** A copy as a plain Uint8Array (Buffer#slice would return a view of the caller's memory). */
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** Bytes gathered from several chunks (each part copied: a chunk's memory may be reused). */
class ByteRun {
  private parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.parts.push(copy(b));
    this.length += b.length;
  }
  bytes(): Uint8Array {
    if (this.parts.length !== 1) {
      const all = new Uint8Array(this.length);
      let at = 0;
      for (const p of this.parts) {
        all.set(p, at);
        at += p.length;
      }
      this.parts = [all];
    }
    return this.parts[0] ?? EMPTY;
  }
}

interface Packet {
  frames: number;
  wire: number;
  longest: number;
  /** base64 characters left over from a line cut inside a group */
  carry: Uint8Array;
  /** decoded bytes: length field, message, CRC */
  raw: ByteRun;
  /** the length field, once 2 bytes are in */
  length: number;
}

/** The SMP message length its own header announces (8 + Data Length), or -1. */
const smpLengthOf = (b: Uint8Array): number => (b.length >= 8 ? 8 + ((b[2]! << 8) | b[3]!) : -1);

export class SmpSerialDecoder {
  readonly stats: SmpSerialStats = { packets: 0, badCrc: 0, dropped: 0, lengthExcludesCrc: 0, missingCrc: 0, textBytes: 0, frameBytes: 0 };
  private readonly maxLine: number;
  private readonly utf8 = new TextDecoder('utf-8');
  private mode: 'text' | 'frame' | 'discard' = 'text';
  /** a 0x04 or 0x06 that ended the last chunk: it may open a marker */
  private held: Uint8Array = EMPTY;
  private lineKind: 'start' | 'continue' = 'start';
  private lineWire = 0;
  private line = new ByteRun();
  private pkt: Packet | undefined;
  /** a message delivered with crc 'missing': a 2-byte continuation right after it is its CRC */
  private crcless: Uint8Array | undefined;

  constructor(opts: SmpSerialDecoderOptions = {}) {
    const maxLine = opts.maxLine ?? SMP_SERIAL_DEFAULT_MAX_LINE;
    if (!(Number.isInteger(maxLine) && maxLine >= 7)) throw new TypeError(`SmpSerialDecoder: maxLine must be a whole number of bytes >= 7, got ${String(maxLine)}`);
    this.maxLine = maxLine;
  }

  /** bytes held back (a possible marker, a frame line in progress) */
  get pending(): number {
    return this.held.length + (this.mode === 'text' ? 0 : this.lineWire);
  }

  /** Feed bytes as they came from the port; returns the items they complete, in order. */
  push(chunk: Uint8Array): SmpSerialItem[] {
    const out: SmpSerialItem[] = [];
    let buf = chunk;
    if (this.held.length > 0) {
      buf = new Uint8Array(this.held.length + chunk.length);
      buf.set(this.held, 0);
      buf.set(chunk, this.held.length);
      this.held = EMPTY;
    }
    let i = 0;
    while (i < buf.length) i = this.mode === 'text' ? this.scanText(buf, i, out) : this.scanLine(buf, i, out);
    return out;
  }

  /** Nothing came for a while: a held 0x04/0x06 is text after all. */
  flushText(): SmpSerialItem[] {
    const out: SmpSerialItem[] = [];
    if (this.held.length > 0) {
      this.text(this.held, out);
      this.held = EMPTY;
    }
    return out;
  }

  /** The stream ended: held bytes are text; a line or packet in progress is dropped as truncated. */
  end(): SmpSerialItem[] {
    const out = this.flushText();
    if (this.mode !== 'text') {
      this.stats.frameBytes += this.lineWire;
      const lost = this.lineWire + (this.pkt?.wire ?? 0);
      this.pkt = undefined;
      this.resetLine();
      this.drop('truncated', lost, out);
    } else if (this.pkt) {
      this.dropPacket('truncated', out);
    }
    const tail = this.utf8.decode();
    if (tail) out.push({ kind: 'text', bytes: EMPTY, text: tail });
    return out;
  }

  // ---- lines --------------------------------------------------------------------------------

  private scanText(buf: Uint8Array, from: number, out: SmpSerialItem[]): number {
    for (let k = from; k < buf.length; k++) {
      const b = buf[k]!;
      if (b !== START[0] && b !== CONTINUE[0]) continue;
      if (k + 1 === buf.length) {
        this.text(buf.subarray(from, k), out);
        this.held = copy(buf.subarray(k));
        return buf.length;
      }
      const next = buf[k + 1]!;
      const kind = b === START[0] && next === START[1] ? 'start' : b === CONTINUE[0] && next === CONTINUE[1] ? 'continue' : undefined;
      if (!kind) continue;
      this.text(buf.subarray(from, k), out);
      this.mode = 'frame';
      this.lineKind = kind;
      this.lineWire = 2;
      return k + 2;
    }
    this.text(buf.subarray(from), out);
    return buf.length;
  }

  private scanLine(buf: Uint8Array, from: number, out: SmpSerialItem[]): number {
    const nl = buf.indexOf(NL, from);
    const end = nl < 0 ? buf.length : nl;
    this.lineWire += end - from;
    if (this.mode === 'frame') {
      if (this.lineWire + 1 > this.maxLine) this.mode = 'discard';
      else this.line.push(buf.subarray(from, end));
    }
    if (nl < 0) return buf.length;
    this.lineWire += 1;
    this.stats.frameBytes += this.lineWire;
    if (this.mode === 'discard') {
      const lost = this.lineWire + (this.pkt?.wire ?? 0);
      this.pkt = undefined;
      this.crcless = undefined;
      this.drop('oversize-line', lost, out);
    } else {
      this.onFrameLine(this.lineKind, this.line.bytes(), this.lineWire, out);
    }
    this.resetLine();
    return nl + 1;
  }

  private resetLine(): void {
    this.mode = 'text';
    this.lineWire = 0;
    this.line = new ByteRun();
  }

  private text(bytes: Uint8Array, out: SmpSerialItem[]): void {
    if (bytes.length === 0) return;
    this.stats.textBytes += bytes.length;
    const own = copy(bytes);
    out.push({ kind: 'text', bytes: own, text: this.utf8.decode(own, { stream: true }) });
  }

  // ---- packets ------------------------------------------------------------------------------

  private onFrameLine(kind: 'start' | 'continue', content: Uint8Array, wire: number, out: SmpSerialItem[]): void {
    const chars = content.length > 0 && content[content.length - 1] === CR ? content.subarray(0, -1) : content;
    if (kind === 'start') {
      this.crcless = undefined;
      if (this.pkt) this.dropPacket('interrupted', out);
      this.pkt = { frames: 0, wire: 0, longest: 0, carry: EMPTY, raw: new ByteRun(), length: -1 };
    } else if (!this.pkt) {
      if (this.lateCrc(chars, out)) return;
      this.drop('orphan-continuation', wire, out);
      return;
    }
    const p = this.pkt;
    p.frames++;
    p.wire += wire;
    p.longest = Math.max(p.longest, wire);
    let all = chars;
    if (p.carry.length > 0) {
      all = new Uint8Array(p.carry.length + chars.length);
      all.set(p.carry, 0);
      all.set(chars, p.carry.length);
    }
    const whole = all.length - (all.length % 4);
    const r = decodeBase64Groups(all.subarray(0, whole));
    if (!r.ok) return this.dropPacket('bad-base64', out, `: ${r.why}`);
    p.carry = copy(all.subarray(whole));
    p.raw.push(r.bytes);
    if (p.length < 0) {
      if (p.raw.length >= 2) {
        const head = p.raw.bytes();
        p.length = (head[0]! << 8) | head[1]!;
      } else if (p.carry.length === 0) {
        return this.dropPacket('short-first-frame', out);
      } else {
        return;
      }
    }
    if (p.carry.length === 0) this.settle(p, out);
  }

  /** At the end of a frame line: is the packet whole, and in which form? */
  private settle(p: Packet, out: SmpSerialItem[]): void {
    const body = p.raw.bytes().subarray(2);
    const n = body.length;
    const len = p.length;
    if (n < len || n === len + 1) return;
    if (n > len + 2) return this.dropPacket('overlong', out, `: the length field says ${len} bytes, ${n} came`);
    if (n === len) {
      if (n >= 2 && crc16Xmodem(body) === 0) return this.deliver(p, body.subarray(0, n - 2), false, 'ok', out);
      if (smpLengthOf(body) === n) return this.deliver(p, body, true, 'missing', out);
      if (n < 2) return;
      return this.badCrc(p, body, out);
    }
    if (crc16Xmodem(body) === 0) return this.deliver(p, body.subarray(0, len), true, 'ok', out);
    return this.badCrc(p, body, out);
  }

  private deliver(p: Packet, message: Uint8Array, lengthExcludesCrc: boolean, crc: 'ok' | 'missing', out: SmpSerialItem[]): void {
    this.pkt = undefined;
    this.stats.packets++;
    if (lengthExcludesCrc) this.stats.lengthExcludesCrc++;
    if (crc === 'missing') {
      this.stats.missingCrc++;
      this.crcless = copy(message);
    }
    out.push({ kind: 'packet', message: copy(message), frames: p.frames, longestLine: p.longest, lengthExcludesCrc, crc });
  }

  private badCrc(p: Packet, body: Uint8Array, out: SmpSerialItem[]): void {
    this.pkt = undefined;
    this.stats.badCrc++;
    const message = copy(body.subarray(0, body.length - 2));
    const received = (body[body.length - 2]! << 8) | body[body.length - 1]!;
    out.push({ kind: 'bad-crc', message, received, computed: crc16Xmodem(message), frames: p.frames, rule: RULES['bad-crc'] });
  }

  /** A continuation right after a CRC-less delivery, carrying exactly 2 bytes: that message's CRC. */
  private lateCrc(chars: Uint8Array, out: SmpSerialItem[]): boolean {
    const message = this.crcless;
    this.crcless = undefined;
    if (!message || chars.length !== 4) return false;
    const r = decodeBase64Groups(chars);
    if (!r.ok || r.bytes.length !== 2) return false;
    const received = (r.bytes[0]! << 8) | r.bytes[1]!;
    const computed = crc16Xmodem(message);
    if (received !== computed) {
      this.stats.badCrc++;
      out.push({ kind: 'bad-crc', message, received, computed, frames: 1, rule: `${RULES['bad-crc']} (the CRC came on a line after its message was delivered)` });
    }
    return true;
  }

  private dropPacket(reason: SmpSerialDropReason, out: SmpSerialItem[], detail = ''): void {
    const lost = this.pkt?.wire ?? 0;
    this.pkt = undefined;
    this.drop(reason, lost, out, detail);
  }

  private drop(reason: SmpSerialDropReason, bytes: number, out: SmpSerialItem[], detail = ''): void {
    this.stats.dropped++;
    out.push({ kind: 'dropped', reason, bytes, rule: RULES[reason] + detail });
  }
}
