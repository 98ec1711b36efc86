// The events a slipmux connection emits, their payloads, and its counters: the types a user
// handler is written against (`Handler<SlipmuxEvents>` narrows `data` on each event).
import { type EventMap, PROTO_EV_BASE } from '../../rig/engine/index.js';

/** Slipmux events, from PROTO_EV_BASE * 2 (asserted equal in the tests). */
export const SLIPMUX_EV_BASE = PROTO_EV_BASE * 2;
export const SlipmuxEv = { Text: 201, Diagnostic: 202, Coap: 203, Ip: 204, Dropped: 205 } as const;

export interface SlipmuxText {
  /** console bytes outside frames, as they came: a chunk, not a line */
  bytes: Uint8Array;
  /** `bytes` as UTF-8 (lossy: invalid sequences become U+FFFD) */
  text: string;
}
export interface SlipmuxDiagnostic {
  text: string;
  bytes: Uint8Array;
}
export interface SlipmuxCoap {
  /** the CoAP message, without the 0xA9 initial byte and the FCS */
  message: Uint8Array;
}
export interface SlipmuxIp {
  version: 4 | 6;
  packet: Uint8Array;
}
export type SlipmuxDropReason = 'bad-fcs' | 'unknown-type' | 'oversize' | 'aborted' | 'bad-escape' | 'truncated';
export interface SlipmuxDropped {
  reason: SlipmuxDropReason;
  /** bytes dropped (unescaped frame length; for oversize, the bytes seen before the cut) */
  length: number;
  /** the unescaped frame, when it was whole (bad FCS, unknown type) */
  frame?: Uint8Array;
  /** the initial byte of an unknown-type frame */
  type?: number;
  /** why, citing the rule */
  rule: string;
}

export interface SlipmuxEvents extends EventMap {
  [SlipmuxEv.Text]: SlipmuxText;
  [SlipmuxEv.Diagnostic]: SlipmuxDiagnostic;
  [SlipmuxEv.Coap]: SlipmuxCoap;
  [SlipmuxEv.Ip]: SlipmuxIp;
  [SlipmuxEv.Dropped]: SlipmuxDropped;
}

/** Counters, live in the protocol data (read them with slipmuxStats(c)). */
export interface SlipmuxStats {
  /** frames delivered: Diagnostic, Coap and Ip events */
  frames: number;
  badFcs: number;
  unknownType: number;
  oversize: number;
  aborted: number;
  /** frames with a bad SLIP escape */
  malformed: number;
  /** a frame cut off by the connection closing */
  truncated: number;
  /** console bytes outside frames (Text events) */
  textBytes: number;
  /** bytes thrown away after an oversize frame's first maxFrame */
  discardedBytes: number;
  /** frames sent with the send helpers */
  sent: number;
}
