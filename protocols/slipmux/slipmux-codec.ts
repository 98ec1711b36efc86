// The slipmux stream splitter: what comes next on a serial line that carries console text and
// slipmux frames. Pure and stateless but for one flag the caller keeps (`discarding`).
//
// How a line is read (the draft defines frames only; text outside frames is this rig's rule):
// - Bytes not preceded by an END are console text (a boot log before slipmux starts, a raw
//   printf). Console text never contains 0xC0 (it is not UTF-8), so END always delimits.
// - An END opens a frame. The END that closes a frame is left in the buffer, because it may
//   open the next one: RIOT's slipmux, for one, sends END once at start-up and then only a
//   closing END after each frame, while our encoders (and draft §6) put END on both sides.
//   Back-to-back ENDs are empty frames and are skipped (§6).
// - What follows an END is a frame when its first byte is 0xA9 (CoAP), 0x0A (diagnostic), or a
//   byte console text cannot start with (unknown type). An IPv4/IPv6 initial byte (0x45..0x4F,
//   0x60..0x6F: also the letters E..O and `..o) makes a frame only when the header's length
//   field matches the frame exactly; else it is text that follows a frame. A "diagnostic"
//   that grows past the limit without its END is text too (a console line that began with \n).
import { type Decoded, incomplete, malformed, type Malformed, ok } from '../../rig/engine/codec.js';
import { leadingEnds, SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC, scanSlipFrame, type SlipScan } from '../slip/slip-codec.js';
import { checkFcs16 } from './fcs16.js';
import { cannotStartText, claimedIpLength, isIpv4Start, isIpv6Start, SLIPMUX_COAP, SLIPMUX_DIAGNOSTIC, type SlipmuxItem } from './slipmux-frame.js';

export * from './slipmux-frame.js';

/** Unescaped bytes a frame may have, initial byte and FCS included (a 1280-byte IPv6 MTU fits). */
export const DEFAULT_MAX_SLIPMUX_FRAME = 2048;

export interface SlipmuxSplitOptions {
  /** frames longer than this (unescaped) are 'oversize' (default 2048) */
  maxFrame?: number;
  /** the caller is dropping the rest of an oversize frame: set after an 'oversize' or 'discarded' item */
  discarding?: boolean;
  /**
   * No more bytes are expected soon (an idle gap, the port closing): text is emitted even when it
   * ends inside a UTF-8 character or could still be the start of an IP frame. Frames still wait.
   */
  idle?: boolean;
}

const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Bytes at the end of view[from, to) that begin a UTF-8 character not yet complete. */
function partialUtf8(view: Uint8Array, from: number, to: number): number {
  for (let i = to - 1; i >= Math.max(from, to - 3); i--) {
    const b = view[i]!;
    if (b < 0x80) return 0;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return to - i < need ? to - i : 0;
    }
  }
  return 0;
}

/** Console text from `from` up to the next END; the bytes before `from` (delimiters) are consumed too. */
function textAt(view: Uint8Array, from: number, idle: boolean): Decoded<SlipmuxItem> {
  let to = view.indexOf(SLIP_END, from);
  if (to < 0) {
    // hold back a split character so it is not shown as two U+FFFD; it completes with the next chunk
    to = view.length - (idle ? 0 : partialUtf8(view, from, view.length));
  }
  if (to === from) return incomplete();
  const bytes = view.slice(from, to);
  return ok({ kind: 'text', text: lossy.decode(bytes), bytes }, to);
}

/** A frame whose END is in `s`: aborted, bad escape, or good. */
function ended(s: SlipScan, good: () => SlipmuxItem): Decoded<SlipmuxItem> {
  if (s.aborted) return ok({ kind: 'aborted', length: s.bytes.length }, s.end);
  if (s.badEscape >= 0) {
    return malformed(s.badEscape, 'RFC 1055 "SLIP DRIVERS": ESC must be followed by ESC_END (0xDC) or ESC_ESC (0xDD)', s.end);
  }
  return ok(good(), s.end);
}

/** A frame of a known or unknown type (not IP, not diagnostic): oversize, incomplete or ended. */
function strictFrame(s: SlipScan, good: () => SlipmuxItem): Decoded<SlipmuxItem> {
  if (s.overflow) return ok({ kind: 'oversize', length: s.bytes.length }, s.stop);
  if (s.end < 0) return incomplete();
  return ended(s, good);
}

function coapItem(frame: Uint8Array): SlipmuxItem {
  // §5: the FCS covers 0xA9 and the message; a frame with a bad one is discarded (reported here)
  if (!checkFcs16(frame)) return { kind: 'bad-fcs', frame: frame.slice() };
  return { kind: 'coap', message: frame.slice(1, frame.length - 2) };
}

/** An IPv4/IPv6 initial byte after END: a packet when the length field fits exactly, else text. */
function ipOrText(view: Uint8Array, k: number, s: SlipScan, max: number, idle: boolean): Decoded<SlipmuxItem> {
  const claimed = claimedIpLength(s.bytes);
  if (claimed === undefined) return s.end >= 0 || idle ? textAt(view, k, idle) : incomplete();
  if (claimed > max || claimed < 20 || s.bytes.length > claimed) return textAt(view, k, idle);
  if (s.end < 0) return incomplete();
  if (!s.aborted && s.bytes.length !== claimed) return textAt(view, k, idle);
  const version = isIpv4Start(s.bytes[0]!) ? 4 : 6;
  return ended(s, () => ({ kind: 'ip', version, packet: s.bytes.slice() }));
}

/**
 * The next item in `view`, the unconsumed bytes of a slipmux serial line. Never throws; every
 * ok consumes at least one byte. Incomplete while a frame waits for its END (at most about
 * 2 * maxFrame bytes are ever held) or text ends in a split UTF-8 character. A bad SLIP escape is
 * malformed with `skip` up to the frame's END. After 'oversize' (and 'discarded'), call again with
 * `discarding: true` until some other item arrives.
 */
export function nextSlipmuxItem(view: Uint8Array, opts: SlipmuxSplitOptions = {}): Decoded<SlipmuxItem> {
  const max = opts.maxFrame ?? DEFAULT_MAX_SLIPMUX_FRAME;
  const idle = opts.idle ?? false;
  if (view.length === 0) return incomplete();
  if (view[0] !== SLIP_END) {
    if (!opts.discarding) return textAt(view, 0, idle);
    const end = view.indexOf(SLIP_END);
    const length = end < 0 ? view.length : end;
    return ok({ kind: 'discarded', length }, length);
  }
  const k = leadingEnds(view);
  if (k === view.length) return incomplete();
  const first = view[k]!;
  const ip = isIpv4Start(first) || isIpv6Start(first);
  if (first === SLIP_ESC) {
    // an escaped initial byte (0xC0 or 0xDB, both reserved by §8), an abort, or UTF-8 text
    const next = view[k + 1];
    if (next === undefined) return idle ? textAt(view, k, idle) : incomplete();
    if (next !== SLIP_ESC_END && next !== SLIP_ESC_ESC && next !== SLIP_END) return textAt(view, k, idle);
  } else if (first !== SLIPMUX_COAP && first !== SLIPMUX_DIAGNOSTIC && !ip && !cannotStartText(first)) {
    return textAt(view, k, idle);
  }
  // a frame, or IP-looking bytes to check; rescanned from its start on every read until its END
  // (bounded by maxFrame), which keeps the splitter stateless
  const s = scanSlipFrame(view, k, max);
  if (first === SLIPMUX_COAP) return strictFrame(s, () => coapItem(s.bytes));
  if (first === SLIPMUX_DIAGNOSTIC) {
    if (s.overflow) return textAt(view, k, idle);
    if (s.end < 0) return incomplete();
    return ended(s, () => ({ kind: 'diagnostic', text: lossy.decode(s.bytes.subarray(1)), bytes: s.bytes.slice(1) }));
  }
  if (ip) return ipOrText(view, k, s, max, idle);
  return strictFrame(s, () => ({ kind: 'unknown-type', type: s.bytes[0]!, frame: s.bytes.slice() }));
}

/**
 * Delimiters that can go when a view holds nothing but ENDs: all but the last, which may open
 * a frame. The splitter answers incomplete for such a view; a reader drops these so a line that
 * only ever sends END cannot fill its buffer.
 */
export function idleDelimiters(view: Uint8Array): number {
  const k = leadingEnds(view);
  return k === view.length && k > 1 ? k - 1 : 0;
}

/** What decodeSlipmuxStream finds: items in order, and bad escapes as the codec reports them. */
export type SlipmuxStreamEntry = SlipmuxItem | Malformed;

/**
 * Split a whole capture (a trace, a test vector): every item in order. With `idle`, the tail is
 * read as a reader would flush it when the line goes quiet. `rest` is what is still unfinished
 * (a frame without its END, the last delimiter).
 */
export function decodeSlipmuxStream(bytes: Uint8Array, opts: SlipmuxSplitOptions = {}): { entries: SlipmuxStreamEntry[]; rest: Uint8Array } {
  const entries: SlipmuxStreamEntry[] = [];
  let off = 0;
  let discarding = opts.discarding ?? false;
  for (;;) {
    const view = bytes.subarray(off);
    const r = nextSlipmuxItem(view, { ...opts, discarding });
    if (r.kind === 'incomplete') {
      off += idleDelimiters(view);
      break;
    }
    if (r.kind === 'malformed') {
      entries.push(r);
      off += Math.max(1, r.skip ?? 1);
      discarding = false;
      continue;
    }
    entries.push(r.value);
    off += r.consumed;
    discarding = r.value.kind === 'oversize' || r.value.kind === 'discarded';
  }
  return { entries, rest: bytes.subarray(off) };
}
