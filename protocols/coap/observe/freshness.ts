// Observe sequence numbers (RFC 7641 §3.4, §4.4): 24-bit serial numbers that wrap, so "newer"
// is a comparison within half the space, plus a time rule that lets a client recover when the
// numbers can no longer be compared (128 s without a fresh notification). Pure functions and
// one small tracker; the time is whatever clock the caller reads (the manager clock), in ms.

/** Observe values in notifications are 24-bit (RFC 7641 §2, §4.4): 0 .. 2^24-1. */
export const OBSERVE_SEQ_MODULUS = 2 ** 24;
/** Half the sequence space: a difference below it means "newer", above it "wrapped" (§3.4). */
export const OBSERVE_SEQ_HALF = 2 ** 23;
/**
 * After this long (client-local time) a notification is fresher whatever its number (§3.4):
 * chosen above MAX_LATENCY (100 s) so a delayed old notification cannot pass for a new one.
 */
export const REORDER_WINDOW_MS = 128_000;
/** Observe option values in a request: register (§3.1) and deregister (§3.6). */
export const OBSERVE_REGISTER = 0;
export const OBSERVE_DEREGISTER = 1;

/**
 * The first two conditions of RFC 7641 §3.4: is V2 newer than V1 in 24-bit serial arithmetic?
 * (V1 < V2 and V2 - V1 < 2^23) or (V1 > V2 and V1 - V2 > 2^23). Equal values are not newer.
 */
export function seqNewer(v1: number, v2: number): boolean {
  return (v1 < v2 && v2 - v1 < OBSERVE_SEQ_HALF) || (v1 > v2 && v1 - v2 > OBSERVE_SEQ_HALF);
}

/** A notification as the freshness rule sees it: its Observe value and when it arrived (ms). */
export interface SeqStamp {
  seq: number;
  at: number;
}

/**
 * RFC 7641 §3.4 in full: is the incoming notification (V2, T2) fresher than the freshest one so
 * far (V1, T1)? True for the first one. Values are taken modulo 2^24 (a sender that puts more
 * than 24 bits in the option is caught by the recorder, not here).
 */
export function isFresher(freshest: SeqStamp | undefined, seq: number, at: number): boolean {
  if (!freshest) return true;
  const v1 = freshest.seq % OBSERVE_SEQ_MODULUS;
  const v2 = seq % OBSERVE_SEQ_MODULUS;
  return seqNewer(v1, v2) || at > freshest.at + REORDER_WINDOW_MS;
}

/** The next value of a server's sequence, wrapping at 2^24 (§4.4). */
export const nextSeq = (v: number): number => (v + 1) % OBSERVE_SEQ_MODULUS;

/** What the tracker says about one notification. */
export interface Freshness {
  fresh: boolean;
  /** the freshest notification before this one (undefined for the first) */
  previous?: SeqStamp;
}

/**
 * The client's memory of the freshest notification (§3.4). Only a fresh notification replaces
 * it: a stale one is judged against the same (V1, T1) as if it had never arrived.
 */
export class FreshnessTracker {
  private best?: SeqStamp;

  get freshest(): SeqStamp | undefined {
    return this.best;
  }

  judge(seq: number, at: number): Freshness {
    const previous = this.best;
    const fresh = isFresher(previous, seq, at);
    if (fresh) this.best = { seq, at };
    return previous ? { fresh, previous } : { fresh };
  }

  reset(): void {
    this.best = undefined;
  }
}
