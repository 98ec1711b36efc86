// Senders that frame SMP over a console the way other firmware does, for the decoder's liberal
// cases, and helpers to feed a decoder in chunks and compare what it reports.
import { crc16Xmodem } from '../../../protocols/smp/crc16-xmodem.js';
import { SmpSerialDecoder, type SmpSerialItem } from '../../../protocols/smp/smp-serial-codec.js';

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const line = (marker: 'start' | 'continue', body: string): Uint8Array =>
  Buffer.concat([Buffer.from(marker === 'start' ? [0x06, 0x09] : [0x04, 0x14]), Buffer.from(body, 'latin1'), Buffer.from('\n')]);

/**
 * Zephyr's serial_util.c before its 2022 rewrite, as we read it: the length field holds the
 * message length alone; 3 bytes become 4 characters at a time; after the data the CRC goes in
 * the same line as 2 bytes ("xxx="), or with the last 1 or 2 data bytes ("xxxx", or "xxxx" then
 * "xx=="); a line is closed once it reaches maxFrame - 4 bytes (so a CRC group may push it past
 * 127); and when the data exactly fills a line, no CRC is sent at all.
 */
export function oldZephyrFrames(message: Uint8Array, maxFrame = 128): Uint8Array[] {
  const crc = crc16Xmodem(message);
  const crcBytes = [crc >> 8, crc & 0xff];
  const lines: Uint8Array[] = [];
  let src = 0;
  while (src < message.length) {
    const first = src === 0;
    let out = 2;
    let text = '';
    if (first) {
      text += b64(Uint8Array.of(message.length >> 8, message.length & 0xff, message[0]!));
      src++;
      out += 4;
    }
    for (;;) {
      if (out >= maxFrame - 4) break;
      const rem = message.length - src;
      if (rem === 0) {
        text += b64(Uint8Array.from(crcBytes));
        break;
      }
      if (rem === 1) {
        text += b64(Uint8Array.of(message[src]!, ...crcBytes));
        src++;
        break;
      }
      if (rem === 2) {
        text += b64(Uint8Array.of(message[src]!, message[src + 1]!, crcBytes[0]!)) + b64(Uint8Array.of(crcBytes[1]!));
        src += 2;
        break;
      }
      text += b64(message.subarray(src, src + 3));
      src += 3;
      out += 4;
    }
    lines.push(line(first ? 'start' : 'continue', text));
  }
  return lines;
}

/** Each line's raw bytes base64-encoded on their own (padding inside the packet), `rawPerLine` bytes a line. */
export function perLinePaddedFrames(message: Uint8Array, rawPerLine: number): Uint8Array[] {
  const crc = crc16Xmodem(message);
  const raw = Buffer.concat([Buffer.from([(message.length + 2) >> 8, (message.length + 2) & 0xff]), message, Buffer.from([crc >> 8, crc & 0xff])]);
  const lines: Uint8Array[] = [];
  for (let off = 0; off < raw.length; off += rawPerLine) lines.push(line(off === 0 ? 'start' : 'continue', b64(raw.subarray(off, off + rawPerLine))));
  return lines;
}

/** The whole packet's base64 cut every `chars` characters, a count that need not be a multiple of 4. */
export function oddCutFrames(message: Uint8Array, chars: number): Uint8Array[] {
  const crc = crc16Xmodem(message);
  const raw = Buffer.concat([Buffer.from([(message.length + 2) >> 8, (message.length + 2) & 0xff]), message, Buffer.from([crc >> 8, crc & 0xff])]);
  const all = b64(raw);
  const lines: Uint8Array[] = [];
  for (let off = 0; off < all.length; off += chars) lines.push(line(off === 0 ? 'start' : 'continue', all.slice(off, off + chars)));
  return lines;
}

export const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Feed `wire` to a fresh decoder cut at `cuts` (sorted offsets), then end the stream. */
export function decodeChunked(wire: Uint8Array, cuts: readonly number[], dec = new SmpSerialDecoder()): SmpSerialItem[] {
  const items: SmpSerialItem[] = [];
  let at = 0;
  for (const c of [...cuts, wire.length]) {
    if (c < at) continue;
    items.push(...dec.push(wire.subarray(at, c)));
    at = c;
  }
  items.push(...dec.end());
  return items;
}

/** Sorted, distinct cut offsets inside [0, length) from arbitrary numbers. */
export function cutsOf(length: number, raw: readonly number[]): number[] {
  return length === 0 ? [] : [...new Set(raw.map((n) => n % length))].sort((a, b) => a - b);
}

/**
 * Items as comparable strings: adjacent text merged (how a chunk is cut is not meaningful),
 * packets as hex with their form, problems by reason.
 */
export function normalize(items: readonly SmpSerialItem[]): string[] {
  const out: string[] = [];
  let text: Uint8Array[] = [];
  const flush = (): void => {
    if (text.length === 0) return;
    const all = concat(text);
    if (all.length > 0) out.push(`text ${Buffer.from(all).toString('hex')}`);
    text = [];
  };
  for (const it of items) {
    if (it.kind === 'text') {
      text.push(it.bytes);
      continue;
    }
    flush();
    if (it.kind === 'packet') out.push(`packet ${Buffer.from(it.message).toString('hex')}${it.lengthExcludesCrc ? ' excl' : ''}${it.crc === 'missing' ? ' nocrc' : ''}`);
    else if (it.kind === 'bad-crc') out.push(`bad-crc ${Buffer.from(it.message).toString('hex')}`);
    else out.push(`dropped ${it.reason} ${it.bytes}`);
  }
  flush();
  return out;
}

export const packets = (items: readonly SmpSerialItem[]): Uint8Array[] => items.flatMap((i) => (i.kind === 'packet' ? [i.message] : []));
export const textOf = (items: readonly SmpSerialItem[]): string => Buffer.from(concat(items.flatMap((i) => (i.kind === 'text' ? [i.bytes] : [])))).toString('latin1');
