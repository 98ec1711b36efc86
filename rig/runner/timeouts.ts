// The per-test timeout mocha enforces, in wall-clock ms. It must leave the suite's own silence
// detection time to decide (suite-api's `judge`: a request that gets no answer gives up after
// MAX_TRANSMIT_WAIT, then a ping may take as long again, RFC 7252 §4.8.2), else a silent board
// would be reported as "mocha timed out" instead of "answers a ping but not the request" or
// "the link is dead". Those waits run on the run's clock: a ScaledClock with factor F makes
// 93 s of RFC time 93/F s of real time.
import type { Clock } from '../engine/clock.js';
import { type CoapParams, derivedTimes, resolveParams } from '../../protocols/coap/coap-params.js';

export const DEFAULT_TEST_TIMEOUT_MS = 30_000;
/** two MAX_TRANSMIT_WAITs (the request, then the ping) and 5% for the test's own steps */
const WAITS = 2.1;

/** How many times faster than real time `clock` runs (1 for a real or virtual clock). */
export function clockFactor(clock: Clock): number {
  const f = (clock as { factor?: unknown }).factor;
  return typeof f === 'number' && f > 0 ? f : 1;
}

/** The smallest per-test timeout (wall ms) that lets a test give up on a silent board by itself. */
export function minTestTimeoutMs(factor: number, params: Partial<CoapParams> = {}): number {
  return Math.ceil((WAITS * derivedTimes(resolveParams(params)).maxTransmitWaitMs) / factor);
}

/** The timeout to use: the one asked for, raised to the minimum when it is below it. */
export function effectiveTimeout(requestedMs: number | undefined, factor: number, params?: Partial<CoapParams>): { timeoutMs: number; raised: boolean } {
  const asked = requestedMs ?? DEFAULT_TEST_TIMEOUT_MS;
  const min = minTestTimeoutMs(factor, params);
  return asked >= min ? { timeoutMs: asked, raised: false } : { timeoutMs: min, raised: true };
}
