// The congestion control parameters of Q-Block over NON (RFC 9177 §7.2, Table 3), derived from
// the connection's CoAP parameters as the RFC says, each one configurable (a test on a fast
// loopback, a board on a slow radio).
import type { CoapParams } from '../coap-params.js';

export interface QBlockParams {
  /** MAX_PAYLOADS: blocks sent in one burst (a MAX_PAYLOADS_SET); both ends must agree */
  maxPayloads: number;
  /** NON_TIMEOUT: the pause between two sets is drawn from NON_TIMEOUT .. NON_TIMEOUT × ACK_RANDOM_FACTOR */
  nonTimeoutMs: number;
  ackRandomFactor: number;
  /** NON_RECEIVE_TIMEOUT: how long the receiver waits for missing blocks before asking (doubles per repeat) */
  nonReceiveTimeoutMs: number;
  /** NON_MAX_RETRANSMIT: how often missing blocks are asked for (server) or the last block probed (client) */
  nonMaxRetransmit: number;
  /** NON_PARTIAL_TIMEOUT: how long a partial body is kept */
  nonPartialTimeoutMs: number;
}

/** The RFC's defaults for a connection with parameters `p`, with `over` applied and checked. */
export function qblockParams(p: CoapParams, over: Partial<QBlockParams> = {}): QBlockParams {
  const nonTimeoutMs = over.nonTimeoutMs ?? p.ackTimeoutMs;
  const ackRandomFactor = over.ackRandomFactor ?? p.ackRandomFactor;
  const nonMaxRetransmit = over.nonMaxRetransmit ?? p.maxRetransmit;
  const q: QBlockParams = {
    maxPayloads: over.maxPayloads ?? 10,
    nonTimeoutMs,
    ackRandomFactor,
    nonReceiveTimeoutMs: over.nonReceiveTimeoutMs ?? 2 * nonTimeoutMs,
    nonMaxRetransmit,
    nonPartialTimeoutMs: over.nonPartialTimeoutMs ?? nonTimeoutMs * (2 ** nonMaxRetransmit - 1) * ackRandomFactor + 2 * p.maxLatencyMs + nonTimeoutMs,
  };
  if (!(Number.isInteger(q.maxPayloads) && q.maxPayloads >= 1)) throw new TypeError(`Q-Block parameter maxPayloads must be an integer >= 1, got ${q.maxPayloads}`);
  for (const k of ['nonTimeoutMs', 'nonReceiveTimeoutMs', 'nonPartialTimeoutMs'] as const) {
    if (!(q[k] > 0)) throw new TypeError(`Q-Block parameter ${k} must be > 0, got ${q[k]}`);
  }
  if (!(q.ackRandomFactor >= 1)) throw new TypeError(`Q-Block parameter ackRandomFactor must be >= 1, got ${q.ackRandomFactor}`);
  if (!(Number.isInteger(q.nonMaxRetransmit) && q.nonMaxRetransmit >= 0)) throw new TypeError(`Q-Block parameter nonMaxRetransmit must be an integer >= 0, got ${q.nonMaxRetransmit}`);
  // §7.2: the receiver must not ask for missing blocks before the sender could start its next set
  if (!(q.nonReceiveTimeoutMs > q.nonTimeoutMs * q.ackRandomFactor)) {
    throw new TypeError(
      `Q-Block parameter nonReceiveTimeoutMs (${q.nonReceiveTimeoutMs}) must exceed NON_TIMEOUT_RANDOM's upper bound ${q.nonTimeoutMs * q.ackRandomFactor} (RFC 9177 §7.2)`,
    );
  }
  return q;
}
