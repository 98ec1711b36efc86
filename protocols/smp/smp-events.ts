// The events of an SMP connection, numbered from PROTO_EV_BASE * 6 as literals so `switch (ev)`
// narrows `data` (Handler<SmpEvents>). Every message that crosses the wire is an event, in and
// out, so a test or a suite can record the whole exchange.
import { type EventMap, PROTO_EV_BASE } from '../../rig/engine/index.js';
import type { SmpMessage } from './smp-header.js';
import type { SmpSerialDropReason } from './smp-serial-decoder.js';

/** SMP events, from PROTO_EV_BASE * 6 (asserted equal in the tests). */
export const SMP_EV_BASE = PROTO_EV_BASE * 6;
export const SmpEv = {
  /** console text between frames (serial only): a chunk as it came, not a line */
  Text: 601,
  /** an SMP message arrived (a request, for a board; a response, for the rig) */
  Message: 602,
  /** a response matched one of our open requests */
  Response: 603,
  /** a response that matches no open request (late, duplicated, or a wrong sequence number) */
  Unmatched: 604,
  /** an SMP message left */
  Sent: 605,
  /** bytes that did not make an SMP message: bad CRC, broken framing, malformed header or CBOR */
  Dropped: 606,
} as const;

export interface SmpText {
  bytes: Uint8Array;
  /** `bytes` as UTF-8, decoded across chunks */
  text: string;
}

/** How a message came over the serial console, for suites that hold a board to the framing rules. */
export interface SmpSerialInfo {
  frames: number;
  /** the longest frame line, marker and '\n' included (smp_transport.rst: at most 127) */
  longestLine: number;
  /** the length field left the CRC out (Zephyr before 2022) */
  lengthExcludesCrc: boolean;
  /** 'missing': the packet came without a CRC and was not checked */
  crc: 'ok' | 'missing';
}

export interface SmpMessageInfo {
  message: SmpMessage;
  /** set on a serial connection */
  serial?: SmpSerialInfo;
}

export interface SmpResponseInfo {
  request: SmpMessage;
  response: SmpMessage;
  /** from sending the request to this response, in manager-clock ms */
  rttMs: number;
}

export interface SmpUnmatchedInfo {
  message: SmpMessage;
  reason: string;
}

export interface SmpSentInfo {
  message: SmpMessage;
  /** the SMP message bytes (before any serial framing) */
  bytes: Uint8Array;
}

export type SmpDropReason = SmpSerialDropReason | 'bad-crc' | 'malformed';

export interface SmpDropped {
  reason: SmpDropReason;
  /** bytes on the wire thrown away, when known */
  length: number;
  /** the bytes, when they made a whole message (bad CRC, malformed SMP) */
  bytes?: Uint8Array;
  /** why, citing the rule */
  rule: string;
}

export interface SmpEvents extends EventMap {
  [SmpEv.Text]: SmpText;
  [SmpEv.Message]: SmpMessageInfo;
  [SmpEv.Response]: SmpResponseInfo;
  [SmpEv.Unmatched]: SmpUnmatchedInfo;
  [SmpEv.Sent]: SmpSentInfo;
  [SmpEv.Dropped]: SmpDropped;
}
