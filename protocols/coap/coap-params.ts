// Transmission parameters (RFC 7252 §4.8) and the times derived from them (§4.8.2). Configurable
// per connection: a board on a slow radio needs longer timeouts, and a test run on a scaled
// clock uses the RFC's values while real time runs faster.

export interface CoapParams {
  /** ACK_TIMEOUT: the first retransmission wait, before randomisation */
  ackTimeoutMs: number;
  /** ACK_RANDOM_FACTOR: the first wait is drawn from [ACK_TIMEOUT, ACK_TIMEOUT * factor] */
  ackRandomFactor: number;
  /** MAX_RETRANSMIT: retransmissions of a CON before giving up */
  maxRetransmit: number;
  /** NSTART: outstanding interactions with one peer */
  nstart: number;
  /** MAX_LATENCY: the longest a datagram may take in the network */
  maxLatencyMs: number;
  /** PROCESSING_DELAY: how long a node may take to ACK a CON (the RFC sets it to ACK_TIMEOUT) */
  processingDelayMs: number;
  /**
   * How long a server keeps a request before it sends an empty ACK and turns the answer into a
   * separate response (RFC 7252 §5.2.2 leaves the choice to the server; well below ACK_TIMEOUT so
   * the client need not retransmit).
   */
  separateAfterMs: number;
}

export const DEFAULT_COAP_PARAMS: Readonly<CoapParams> = Object.freeze({
  ackTimeoutMs: 2000,
  ackRandomFactor: 1.5,
  maxRetransmit: 4,
  nstart: 1,
  maxLatencyMs: 100_000,
  processingDelayMs: 2000,
  separateAfterMs: 500,
});

/** RFC 7252 §4.8.2: MAX_TRANSMIT_SPAN, MAX_TRANSMIT_WAIT, EXCHANGE_LIFETIME, NON_LIFETIME. */
export interface DerivedTimes {
  maxTransmitSpanMs: number;
  maxTransmitWaitMs: number;
  exchangeLifetimeMs: number;
  nonLifetimeMs: number;
}

export function derivedTimes(p: CoapParams): DerivedTimes {
  const maxTransmitSpanMs = p.ackTimeoutMs * (2 ** p.maxRetransmit - 1) * p.ackRandomFactor;
  const maxTransmitWaitMs = p.ackTimeoutMs * (2 ** (p.maxRetransmit + 1) - 1) * p.ackRandomFactor;
  return {
    maxTransmitSpanMs,
    maxTransmitWaitMs,
    exchangeLifetimeMs: maxTransmitSpanMs + 2 * p.maxLatencyMs + p.processingDelayMs,
    nonLifetimeMs: maxTransmitSpanMs + p.maxLatencyMs,
  };
}

/** Merge and check; a bad value is a TypeError naming the parameter. */
export function resolveParams(overrides: Partial<CoapParams> = {}): CoapParams {
  const p = { ...DEFAULT_COAP_PARAMS, ...overrides };
  const positive: (keyof CoapParams)[] = ['ackTimeoutMs', 'maxLatencyMs', 'processingDelayMs', 'nstart'];
  for (const k of positive) if (!(p[k] > 0)) throw new TypeError(`CoAP parameter ${k} must be > 0, got ${p[k]}`);
  if (!(p.ackRandomFactor >= 1)) throw new TypeError(`CoAP parameter ackRandomFactor must be >= 1, got ${p.ackRandomFactor}`);
  if (!(Number.isInteger(p.maxRetransmit) && p.maxRetransmit >= 0 && p.maxRetransmit <= 20)) {
    throw new TypeError(`CoAP parameter maxRetransmit must be an integer 0..20, got ${p.maxRetransmit}`);
  }
  if (!(p.separateAfterMs >= 0)) throw new TypeError(`CoAP parameter separateAfterMs must be >= 0, got ${p.separateAfterMs}`);
  return p;
}
