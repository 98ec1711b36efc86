// CoAP's protocol events (Mongoose's MG_COAP_EVENT_BASE + n), numbered from PROTO_EV_BASE * 1
// as literals so that `switch (ev)` narrows `data`. Every message that crosses the wire is an
// event, in and out, so a test can record the whole exchange.
import type { CoapMessage } from './coap-types.js';
import type { CoapExchange } from './server-exchange.js';

export const CoapEv = {
  /** a CON arrived (after parsing; before deduplication) */
  Con: 101,
  /** a NON arrived */
  Non: 102,
  /** an ACK arrived */
  Ack: 103,
  /** an RST arrived */
  Rst: 104,
  /** a new request for the server side (duplicates are not repeated) */
  Request: 105,
  /** a response matched one of our requests by token */
  Response: 106,
  /** a message left (first transmission or retransmission) */
  Sent: 107,
  /** bytes that are not a well-formed CoAP message */
  Malformed: 108,
  /** a CON of ours got no ACK/RST after MAX_RETRANSMIT retransmissions */
  GaveUp: 109,
  /** a duplicate CON/NON (same MID within the lifetime): answered from the cache, not processed */
  Duplicate: 110,
  /** a response or ACK that matched nothing of ours */
  Unmatched: 111,
} as const;

export interface CoapSentInfo {
  msg: CoapMessage;
  bytes: Uint8Array;
  /** 0 for the first transmission, n for the n-th retransmission */
  retransmission: number;
}

export interface CoapMalformedInfo {
  bytes: Uint8Array;
  offset: number;
  rule: string;
  /** we answered with an RST (a CON or NON whose header was readable) */
  reset: boolean;
}

export interface CoapGaveUpInfo {
  msg: CoapMessage;
  transmissions: number;
}

export interface CoapUnmatchedInfo {
  msg: CoapMessage;
  reason: string;
}

export interface CoapResponseInfo {
  msg: CoapMessage;
  request: CoapMessage;
}

export interface CoapEvents {
  [CoapEv.Con]: CoapMessage;
  [CoapEv.Non]: CoapMessage;
  [CoapEv.Ack]: CoapMessage;
  [CoapEv.Rst]: CoapMessage;
  [CoapEv.Request]: CoapExchange;
  [CoapEv.Response]: CoapResponseInfo;
  [CoapEv.Sent]: CoapSentInfo;
  [CoapEv.Malformed]: CoapMalformedInfo;
  [CoapEv.GaveUp]: CoapGaveUpInfo;
  [CoapEv.Duplicate]: CoapMessage;
  [CoapEv.Unmatched]: CoapUnmatchedInfo;
}

/** How the endpoint reports events (the protocol glue forwards them to the user handler). */
export type CoapEmit = <K extends keyof CoapEvents>(ev: K, data: CoapEvents[K]) => void;
