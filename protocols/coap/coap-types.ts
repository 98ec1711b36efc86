// The shape of one CoAP message (RFC 7252 §3), shared by the codec, the option helpers and the
// protocol handler. Plain data: a test can build any message, including ones the RFC forbids,
// and the codec writes exactly what it is given.

/** Message type, the T field of the header (RFC 7252 §3, §4.2-§4.3). */
export const CoapType = { CON: 0, NON: 1, ACK: 2, RST: 3 } as const;
export type CoapType = (typeof CoapType)[keyof typeof CoapType];

/** 'CON' | 'NON' | 'ACK' | 'RST', indexed by the type number, for traces and reports. */
export const COAP_TYPE_NAMES = ['CON', 'NON', 'ACK', 'RST'] as const;
export type CoapTypeName = (typeof COAP_TYPE_NAMES)[number];

/** The only version RFC 7252 defines (the Ver field). */
export const COAP_VERSION = 1;

/** Token lengths 0-8 are defined; 9-15 are reserved and a format error (RFC 7252 §3). */
export const MAX_TOKEN_LENGTH = 8;

/** The byte that ends the options and starts a non-empty payload (RFC 7252 §3). */
export const PAYLOAD_MARKER = 0xff;

export interface CoapOption {
  /** option number, 0-65535 (RFC 7252 §3.1, §12.2) */
  number: number;
  /** the raw value bytes; interpret with the registry in coap-options.ts */
  value: Uint8Array;
}

export interface CoapMessage {
  /** the Ver field; 1 for every message parse accepts */
  version: number;
  type: CoapType;
  /** class << 5 | detail, e.g. 0x45 for 2.05; see coap-codes.ts */
  code: number;
  /** Message ID, 0-65535 */
  mid: number;
  token: Uint8Array;
  /**
   * In wire order: sorted by number, and occurrences of a repeatable option keep their relative
   * order (that order is the meaning of Uri-Path segments, for instance).
   */
  options: CoapOption[];
  /** empty when the message has no payload (then no payload marker is on the wire) */
  payload: Uint8Array;
}

const NOTHING: Uint8Array = new Uint8Array(0);

/**
 * An Empty message (code 0.00, no token, no options, no payload; RFC 7252 §4.1): the empty ACK,
 * the RST that rejects a message (give it the rejected message's MID), and the CoAP ping (a CON).
 */
export function emptyMessage(type: CoapType, mid: number): CoapMessage {
  return { version: COAP_VERSION, type, code: 0, mid, token: NOTHING, options: [], payload: NOTHING };
}
