// What slipmux puts in a SLIP frame (draft-bormann-t2trg-slipmux, latest revision -04): the
// frame's first byte says what it carries (§3 packets, §4 diagnostics, §5 configuration, the
// list in §8). The encoders here; the stream splitter is in slipmux-codec.ts.
import { slipEncode } from '../slip/slip-codec.js';
import { appendFcs16 } from './fcs16.js';

/** Initial bytes of the frame types (draft §8, IANA Considerations). */
export const SLIPMUX_DIAGNOSTIC = 0x0a;
export const SLIPMUX_COAP = 0xa9;
/** IPv4 packets start 0x45..0x4F, IPv6 packets 0x60..0x6F; that byte is part of the packet (§3). */
export const isIpv4Start = (b: number): boolean => b >= 0x45 && b <= 0x4f;
export const isIpv6Start = (b: number): boolean => b >= 0x60 && b <= 0x6f;

/**
 * One thing found on a slipmux serial line. Frames with a bad FCS, an unknown initial byte, or
 * over the size limit are items too: the draft has them silently discarded (§5, §7.3), and a
 * test rig counts and traces what it discards instead of failing on it.
 */
export type SlipmuxItem =
  /** console bytes outside any frame (boot log, printf); a chunk, not necessarily a line */
  | { kind: 'text'; text: string; bytes: Uint8Array }
  /** a diagnostic frame's UTF-8 text, without its 0x0A initial byte (§4) */
  | { kind: 'diagnostic'; text: string; bytes: Uint8Array }
  /** a CoAP message from a frame whose FCS was correct; initial byte and FCS removed (§5) */
  | { kind: 'coap'; message: Uint8Array }
  /** an IP packet, its first byte included (§3) */
  | { kind: 'ip'; version: 4 | 6; packet: Uint8Array }
  /** a CoAP frame whose FCS did not check: the whole unescaped frame, initial byte and FCS included */
  | { kind: 'bad-fcs'; frame: Uint8Array }
  /** a frame whose initial byte is no type this draft defines (§7.3): the whole unescaped frame */
  | { kind: 'unknown-type'; type: number; frame: Uint8Array }
  /** a frame that grew past the size limit: the `length` (= maxFrame) bytes read before the cut; the rest comes as 'discarded' */
  | { kind: 'oversize'; length: number }
  /** the rest of an oversize frame, raw bytes up to its END (several items when it arrives in pieces) */
  | { kind: 'discarded'; length: number }
  /** a frame the sender aborted with ESC END (§6); `length` unescaped bytes were dropped */
  | { kind: 'aborted'; length: number };

const utf8 = new TextEncoder();

/** A CoAP message as a slipmux frame: END, 0xA9, message, FCS over both (LE), END, escaped (§5). */
export function encodeCoapFrame(coap: Uint8Array): Uint8Array {
  const body = new Uint8Array(coap.length + 1);
  body[0] = SLIPMUX_COAP;
  body.set(coap, 1);
  return slipEncode(appendFcs16(body));
}

/** Text as a diagnostic frame: END, 0x0A, UTF-8 text, END (§4). */
export function encodeDiagnosticFrame(text: string): Uint8Array {
  const t = utf8.encode(text);
  const body = new Uint8Array(t.length + 1);
  body[0] = SLIPMUX_DIAGNOSTIC;
  body.set(t, 1);
  return slipEncode(body);
}

/** An IP packet as a frame, unchanged but for SLIP escaping (§3). */
export function encodeIpFrame(packet: Uint8Array): Uint8Array {
  const first = packet[0];
  if (first === undefined || !(isIpv4Start(first) || isIpv6Start(first))) {
    // the receiver would take it for another frame type: refuse rather than send something else
    const shown = first === undefined ? 'an empty packet' : `first byte 0x${first.toString(16).padStart(2, '0')}`;
    throw new TypeError(`encodeIpFrame: packet must start with 0x45..0x4F (IPv4) or 0x60..0x6F (IPv6), got ${shown}`);
  }
  return slipEncode(packet);
}

/**
 * Bytes that console text does not start with: C0 controls other than TAB, LF, CR and the ANSI
 * ESC (0x1B) that colour codes start with, DEL, and bytes that never start a UTF-8 character.
 * After a delimiter, such a byte starts a frame (of an unknown type unless it is 0xA9).
 */
export function cannotStartText(b: number): boolean {
  if (b < 0x20) return b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b;
  return b === 0x7f || (b >= 0x80 && b <= 0xc1) || b >= 0xf5;
}

/**
 * The IP header's own length, when the first bytes are a plausible header: IPv4 total length
 * (at least its IHL), IPv6 40 + payload length. Undefined when `head` is too short to tell.
 */
export function claimedIpLength(head: Uint8Array): number | undefined {
  const first = head[0];
  if (first === undefined) return undefined;
  if (isIpv4Start(first)) {
    if (head.length < 4) return undefined;
    const total = (head[2]! << 8) | head[3]!;
    return total >= (first & 0x0f) * 4 ? total : -1;
  }
  if (head.length < 6) return undefined;
  return 40 + ((head[4]! << 8) | head[5]!);
}
