// RFC 1055 SLIP framing, pure and stateless. A frame is its bytes with END and ESC escaped,
// terminated by END. The encoder also sends END first, as RFC 1055 ("PROTOCOL") suggests, so
// line noise before the frame ends up in a frame of its own instead of spoiling this one.
// `scanSlipFrame` is the shared byte walker: slipDecode (plain SLIP) and the slipmux splitter,
// which gives END a different role (it also opens a frame there), both build on it.
import { type Decoded, incomplete, malformed, ok } from '../../rig/engine/codec.js';

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** RFC 1055 ("PROTOCOL") says to accept 1006-byte datagrams; callers pick their own limit. */
export const DEFAULT_MAX_SLIP_FRAME = 1006;

export interface SlipEncodeOptions {
  /** send END before the frame too (default true: flushes line noise, RFC 1055 "PROTOCOL") */
  leadingEnd?: boolean;
}

/** Escape `payload` and frame it with END. */
export function slipEncode(payload: Uint8Array, opts: SlipEncodeOptions = {}): Uint8Array {
  const lead = opts.leadingEnd ?? true;
  let escapes = 0;
  for (const b of payload) if (b === SLIP_END || b === SLIP_ESC) escapes++;
  const out = new Uint8Array(payload.length + escapes + (lead ? 2 : 1));
  let o = 0;
  if (lead) out[o++] = SLIP_END;
  for (const b of payload) {
    if (b === SLIP_END) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_END;
    } else if (b === SLIP_ESC) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_ESC;
    } else {
      out[o++] = b;
    }
  }
  out[o] = SLIP_END;
  return out;
}

/** What scanning one frame body found. Indexes are into the scanned view. */
export interface SlipScan {
  /** index of the END that terminates the frame, or -1 when it is not in the view (yet) */
  end: number;
  /** the unescaped bytes scanned: the whole frame when `end >= 0`, at most max + 1 bytes */
  bytes: Uint8Array;
  /** index just past the last raw byte taken into `bytes` */
  stop: number;
  /** the unescaped frame grew past `max` before its END */
  overflow: boolean;
  /** index of the first byte after an ESC that is neither ESC_END nor ESC_ESC (nor END), or -1 */
  badEscape: number;
  /** the frame ended with ESC END: the sender aborted it (slipmux draft, "Framing considerations") */
  aborted: boolean;
}

/**
 * Unescape raw bytes from `from` up to the next END, taking at most `max` unescaped bytes.
 * Never throws. An ESC that is the last byte of the view is left unscanned (its meaning comes
 * with the next byte). A bad escape keeps the byte after ESC, as RFC 1055's recv_packet does
 * ("SLIP DRIVERS"), and is reported so the caller can drop the frame.
 */
export function scanSlipFrame(view: Uint8Array, from: number, max: number): SlipScan {
  const room = Math.min(view.length - from, max + 1);
  const bytes = new Uint8Array(Math.max(0, room));
  let n = 0;
  let badEscape = -1;
  let i = from;
  while (i < view.length) {
    const b = view[i]!;
    if (b === SLIP_END) return { end: i, bytes: bytes.subarray(0, n), stop: i, overflow: false, badEscape, aborted: false };
    let value = b;
    let width = 1;
    if (b === SLIP_ESC) {
      if (i + 1 >= view.length) break;
      const e = view[i + 1]!;
      if (e === SLIP_END) {
        return { end: i + 1, bytes: bytes.subarray(0, n), stop: i + 1, overflow: false, badEscape, aborted: true };
      }
      if (e === SLIP_ESC_END) value = SLIP_END;
      else if (e === SLIP_ESC_ESC) value = SLIP_ESC;
      else {
        if (badEscape < 0) badEscape = i + 1;
        value = e;
      }
      width = 2;
    }
    if (n === max) return { end: -1, bytes: bytes.subarray(0, n), stop: i, overflow: true, badEscape, aborted: false };
    bytes[n++] = value;
    i += width;
  }
  return { end: -1, bytes: bytes.subarray(0, n), stop: i, overflow: false, badEscape, aborted: false };
}

/** How many ENDs open `view` (empty frames and the opening delimiter). */
export function leadingEnds(view: Uint8Array): number {
  let k = 0;
  while (k < view.length && view[k] === SLIP_END) k++;
  return k;
}

/**
 * The next frame in a SLIP byte stream. Empty frames (back-to-back ENDs) are skipped; `consumed`
 * includes them and the terminating END. A view of only ENDs, or a frame without its END yet, is
 * incomplete. A bad escape or an aborted frame is malformed with `skip` past its END; a frame
 * longer than `maxFrame` is malformed with `skip` past its END when it is in the view, else past
 * what was scanned (the rest then reads as a frame of its own: SLIP cannot tell).
 */
export function slipDecode(view: Uint8Array, maxFrame = DEFAULT_MAX_SLIP_FRAME): Decoded<Uint8Array> {
  const start = leadingEnds(view);
  if (start === view.length) return incomplete();
  const s = scanSlipFrame(view, start, maxFrame);
  if (s.overflow) {
    let end = s.stop;
    while (end < view.length && view[end] !== SLIP_END) end++;
    const skip = end < view.length ? end + 1 : end;
    return malformed(s.stop, `RFC 1055 "PROTOCOL": frame longer than the ${maxFrame}-byte limit`, skip);
  }
  if (s.end < 0) return incomplete();
  if (s.aborted) return malformed(s.end - 1, 'slipmux draft "Framing considerations": ESC END aborts the frame', s.end + 1);
  if (s.badEscape >= 0) return malformed(s.badEscape, 'RFC 1055 "SLIP DRIVERS": ESC must be followed by ESC_END (0xDC) or ESC_ESC (0xDD)', s.end + 1);
  return ok(s.bytes.slice(), s.end + 1);
}
