// Shared test material for the slipmux tests: packets with valid length fields, a model of a
// slipmux line for fast-check (what is sent, and what a reader must find), and a reader that
// feeds the splitter in chunks the way the protocol handler does.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SLIP_END, SLIP_ESC, slipEncode } from '../../../protocols/slip/slip-codec.js';
import {
  cannotStartText,
  encodeCoapFrame,
  encodeDiagnosticFrame,
  encodeIpFrame,
  idleDelimiters,
  nextSlipmuxItem,
  type SlipmuxStreamEntry,
} from '../../../protocols/slipmux/slipmux-codec.js';
import { appendFcs16 } from '../../../protocols/slipmux/fcs16.js';

/** CoAP CON GET, message ID 0x1234 (RFC 7252 §3: version 1, type 0, TKL 0, code 0.01). */
export const coapGet = Uint8Array.of(0x40, 0x01, 0x12, 0x34);

export function ipv4Packet(length: number, fill: number): Uint8Array {
  const p = new Uint8Array(length).fill(fill);
  p.set([0x45, 0x00, length >> 8, length & 0xff]);
  return p;
}

export function ipv6Packet(length: number, fill: number, first = 0x60): Uint8Array {
  const p = new Uint8Array(length).fill(fill);
  const payload = length - 40;
  p.set([first, 0, 0, 0, payload >> 8, payload & 0xff]);
  return p;
}

const te = new TextEncoder();
const cat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** The frame size limit the property tests run with (small, so oversize frames are cheap). */
export const PROP_MAX = 64;

/** What a board sends: one thing on the line. */
export type Sent =
  | { kind: 'text'; text: string }
  | { kind: 'diagnostic'; text: string }
  | { kind: 'coap'; message: Uint8Array }
  | { kind: 'ip'; packet: Uint8Array }
  | { kind: 'bad-fcs'; message: Uint8Array; flip: number }
  | { kind: 'unknown-type'; type: number; body: Uint8Array }
  | { kind: 'aborted'; body: Uint8Array }
  | { kind: 'oversize'; message: Uint8Array };

const fitting = (extra: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: 1, maxLength: PROP_MAX - extra });
const unknownTypes = Array.from({ length: 256 }, (_, b) => b).filter((b) => (cannotStartText(b) && b !== 0xa9) || b === 0xc0 || b === 0xdb);
/** Console text after a frame must not start like a frame or an IP header: the model starts it plainly. */
const plainStart = fc.constantFrom(...'ABCDPQRSTUVWXYZ0123456789 >[#*\r\t'.split(''));

export const sentArb: fc.Arbitrary<Sent> = fc.oneof(
  fc.tuple(plainStart, fc.string({ unit: 'grapheme', maxLength: 20 })).map(([a, rest]): Sent => ({ kind: 'text', text: a + rest })),
  fc.string({ unit: 'grapheme', maxLength: 30 }).filter((t) => te.encode(t).length < PROP_MAX).map((text): Sent => ({ kind: 'diagnostic', text })),
  fitting(3).map((message): Sent => ({ kind: 'coap', message })),
  fc.tuple(fc.integer({ min: 20, max: PROP_MAX }), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(
    ([len, fill, v6]): Sent => ({ kind: 'ip', packet: v6 ? ipv6Packet(Math.max(40, len), fill, 0x60 + (fill & 0x0f)) : ipv4Packet(len, fill) }),
  ),
  fc.tuple(fitting(3), fc.integer({ min: 1, max: 255 })).map(([message, flip]): Sent => ({ kind: 'bad-fcs', message, flip })),
  fc.tuple(fc.constantFrom(...unknownTypes), fitting(1)).map(([type, body]): Sent => ({ kind: 'unknown-type', type, body })),
  fc.tuple(fc.constantFrom(0xa9, ...unknownTypes), fc.uint8Array({ maxLength: PROP_MAX - 1 })).map(([t, rest]): Sent => ({ kind: 'aborted', body: Uint8Array.of(t, ...rest) })),
  fc.uint8Array({ minLength: PROP_MAX, maxLength: 3 * PROP_MAX }).map((message): Sent => ({ kind: 'oversize', message })),
);

function badFcsFrame(s: { message: Uint8Array; flip: number }): Uint8Array {
  const f = appendFcs16(Uint8Array.of(0xa9, ...s.message));
  f[f.length - 1]! ^= s.flip;
  return f;
}

/** The wire bytes for one sent thing, END on both sides of frames (our encoders, draft §6). */
export function wireOf(s: Sent): Uint8Array {
  switch (s.kind) {
    case 'text':
      return te.encode(s.text);
    case 'diagnostic':
      return encodeDiagnosticFrame(s.text);
    case 'coap':
    case 'oversize':
      return encodeCoapFrame(s.message);
    case 'ip':
      return encodeIpFrame(s.packet);
    case 'bad-fcs':
      return slipEncode(badFcsFrame(s));
    case 'unknown-type':
      return slipEncode(Uint8Array.of(s.type, ...s.body));
    case 'aborted': {
      const w = slipEncode(s.body);
      // replace the closing END by ESC END: the sender gave up on the frame
      return cat([w.subarray(0, -1), Uint8Array.of(SLIP_ESC, SLIP_END)]);
    }
  }
}

/** A comparable line of what a reader reports; `lengths: false` ignores how discards were cut. */
export type Seen = string;

/** What the reader must report for one sent thing. */
export function expectedOf(s: Sent): Seen[] {
  switch (s.kind) {
    case 'text':
      return [`text:${hex(te.encode(s.text))}`];
    case 'diagnostic':
      return [`diagnostic:${hex(te.encode(s.text))}`];
    case 'coap':
      return [`coap:${hex(s.message)}`];
    case 'ip':
      return [`ip${s.packet[0]! >> 4}:${hex(s.packet)}`];
    case 'bad-fcs':
      return [`bad-fcs:${hex(badFcsFrame(s))}`];
    case 'unknown-type':
      return [`unknown-type:${s.type}:${hex(Uint8Array.of(s.type, ...s.body))}`];
    case 'aborted':
      return [`aborted:${s.body.length}`];
    case 'oversize':
      return [`oversize:${PROP_MAX}`, 'discarded'];
  }
}

/** Entries as comparable lines: adjacent text merged (chunking cuts text anywhere), discards summed. */
export function normalize(entries: readonly SlipmuxStreamEntry[], lengths = true): Seen[] {
  const out: Seen[] = [];
  let text: Uint8Array[] = [];
  let discarded = -1;
  const flush = (): void => {
    if (text.length) out.push(`text:${hex(cat(text))}`);
    if (discarded >= 0) out.push(lengths ? `discarded:${discarded}` : 'discarded');
    text = [];
    discarded = -1;
  };
  for (const e of entries) {
    if (e.kind === 'text') {
      if (discarded >= 0) flush();
      text.push(e.bytes);
      continue;
    }
    if (e.kind === 'discarded') {
      if (text.length) flush();
      discarded = Math.max(0, discarded) + e.length;
      continue;
    }
    flush();
    if (e.kind === 'diagnostic') out.push(`diagnostic:${hex(e.bytes)}`);
    else if (e.kind === 'coap') out.push(`coap:${hex(e.message)}`);
    else if (e.kind === 'ip') out.push(`ip${e.version}:${hex(e.packet)}`);
    else if (e.kind === 'bad-fcs') out.push(`bad-fcs:${hex(e.frame)}`);
    else if (e.kind === 'unknown-type') out.push(`unknown-type:${e.type}:${hex(e.frame)}`);
    // offsets are relative to the reader's view, which depends on the chunking: not compared
    else if (e.kind === 'malformed') out.push('malformed');
    else out.push(`${e.kind}:${e.length}`);
  }
  flush();
  return out;
}

/** Chunk boundaries for a stream of `n` bytes, from arbitrary numbers. */
export const cutsOf = (n: number, raw: number[]): number[] => [...new Set(raw.map((r) => (n === 0 ? 0 : r % n)))].sort((a, b) => a - b);

/**
 * Feed `wire` to the splitter in the chunks `cuts` make, as the protocol handler does (a buffer
 * that grows at the end and is consumed from the front), then flush as an idle line would.
 * Asserts progress on every answer, so a splitter that loops fails here instead of hanging.
 */
export function readChunked(wire: Uint8Array, cuts: readonly number[], maxFrame = PROP_MAX): SlipmuxStreamEntry[] {
  const out: SlipmuxStreamEntry[] = [];
  let buf: Uint8Array = new Uint8Array(0);
  let discarding = false;
  let budget = wire.length + 2 * (cuts.length + 2);
  const pump = (idle: boolean): void => {
    for (;;) {
      assert.ok(budget-- > 0, 'the splitter made no progress');
      const r = nextSlipmuxItem(buf, { maxFrame, discarding, idle });
      if (r.kind === 'incomplete') {
        buf = buf.subarray(idleDelimiters(buf));
        return;
      }
      const n = r.kind === 'ok' ? r.consumed : (r.skip ?? 0);
      assert.ok(n > 0 && n <= buf.length, `${r.kind} consumed ${n} of ${buf.length}`);
      out.push(r.kind === 'ok' ? r.value : r);
      buf = buf.subarray(n);
      discarding = r.kind === 'ok' && (r.value.kind === 'oversize' || r.value.kind === 'discarded');
    }
  };
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    if (cut <= from) continue;
    buf = cat([buf, wire.subarray(from, cut)]);
    from = cut;
    pump(false);
  }
  pump(true);
  return out;
}
