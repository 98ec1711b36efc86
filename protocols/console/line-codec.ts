// Console lines from a byte stream. Pure and stateless: given the unconsumed bytes, return the
// first line and how many bytes it used, or 'incomplete'. Boards end lines with "\n", "\r\n"
// or a lone "\r" (progress bars, some RTOS shells); all three end a line, and "\r\n" is one end.
// Every byte sequence is a valid console stream, so there is no 'malformed': bytes that are not
// UTF-8 are kept raw in `bytes` and shown as U+FFFD in `text`.

export const DEFAULT_MAX_LINE = 4096;

/** How the line ended: a line ending, cut at maxLine, or flushed by the reader (idle, close). */
export type LineEnding = 'lf' | 'crlf' | 'cr' | 'cut' | 'flush';

export interface ConsoleLine {
  /** the raw bytes, without the line ending */
  bytes: Uint8Array;
  /** `bytes` decoded as UTF-8; invalid sequences become U+FFFD */
  text: string;
  /** `bytes` are well-formed UTF-8 (else `text` is lossy and `bytes` are the truth) */
  valid: boolean;
  ending: LineEnding;
}

export type LineResult = { kind: 'ok'; line: ConsoleLine; consumed: number } | { kind: 'incomplete' };

export interface LineCodecOptions {
  /** a line with no ending within this many bytes is cut here (ending 'cut') */
  maxLine?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Build a line from its raw bytes (copied, so it outlives the receive buffer). */
export function makeLine(raw: Uint8Array, ending: LineEnding): ConsoleLine {
  const bytes = raw.slice();
  let ascii = true;
  for (const b of bytes) {
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { bytes, text: lossy.decode(bytes), valid: true, ending };
  try {
    return { bytes, text: strict.decode(bytes), valid: true, ending };
  } catch {
    return { bytes, text: lossy.decode(bytes), valid: false, ending };
  }
}

/**
 * Where to cut an over-long line: at `max`, moved back to the start of a UTF-8 sequence when
 * `max` falls inside one, so the cut does not turn a good character into two U+FFFD.
 */
function cutPoint(buf: Uint8Array, max: number): number {
  let i = max;
  while (i > 0 && max - i < 3 && (buf[i]! & 0xc0) === 0x80) i--;
  // only a lead byte justifies backing off; otherwise the bytes are not UTF-8 anyway
  const lead = buf[i]!;
  return i > 0 && lead >= 0xc0 ? i : max;
}

/** The first line in `buf`, or 'incomplete' when no line ends within maxLine bytes yet. */
export function decodeLine(buf: Uint8Array, opts: LineCodecOptions = {}): LineResult {
  const max = Math.max(1, opts.maxLine ?? DEFAULT_MAX_LINE);
  // a line of exactly `max` bytes may still be followed by its ending
  const scan = Math.min(buf.length, max + 1);
  for (let i = 0; i < scan; i++) {
    const b = buf[i];
    if (b === LF) return { kind: 'ok', line: makeLine(buf.subarray(0, i), 'lf'), consumed: i + 1 };
    if (b === CR) {
      // "\r" as the last byte held: wait for the next one, it may be the "\n" of "\r\n"
      if (i + 1 >= buf.length) return { kind: 'incomplete' };
      if (buf[i + 1] === LF) return { kind: 'ok', line: makeLine(buf.subarray(0, i), 'crlf'), consumed: i + 2 };
      return { kind: 'ok', line: makeLine(buf.subarray(0, i), 'cr'), consumed: i + 1 };
    }
  }
  if (buf.length > max) {
    const at = cutPoint(buf, max);
    return { kind: 'ok', line: makeLine(buf.subarray(0, at), 'cut'), consumed: at };
  }
  return { kind: 'incomplete' };
}

/**
 * What is left when the reader stops waiting (idle gap, close): the partial line, as one line.
 * A trailing "\r" is taken as its ending. Undefined when `buf` is empty.
 */
export function flushLine(buf: Uint8Array): { line: ConsoleLine; consumed: number } | undefined {
  if (buf.length === 0) return undefined;
  const last = buf.length - 1;
  if (buf[last] === CR) return { line: makeLine(buf.subarray(0, last), 'cr'), consumed: buf.length };
  return { line: makeLine(buf, 'flush'), consumed: buf.length };
}

/** Every complete line in `buf` (a helper for tests and offline logs); the rest is left over. */
export function decodeAll(buf: Uint8Array, opts: LineCodecOptions = {}): { lines: ConsoleLine[]; rest: Uint8Array } {
  const lines: ConsoleLine[] = [];
  let off = 0;
  for (;;) {
    const r = decodeLine(buf.subarray(off), opts);
    if (r.kind === 'incomplete') break;
    lines.push(r.line);
    off += r.consumed;
  }
  return { lines, rest: buf.subarray(off) };
}
