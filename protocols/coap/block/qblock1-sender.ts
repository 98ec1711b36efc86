// The Q-Block1 sender's state machine (RFC 9177 §4.3, §7.2), without I/O: the glue feeds it
// what the server said and when time ran out, and sends the block numbers it returns.
//
// - Blocks go in bursts of up to MAX_PAYLOADS NONs, new blocks ending at a set boundary
//   (blocks k×MAX_PAYLOADS .. (k+1)×MAX_PAYLOADS-1 form set k, the unit the server confirms).
// - After a burst, a pause of NON_TIMEOUT_RANDOM; a 2.31 (Continue) for the set ends the pause
//   and the next burst goes at once; when the pause ends without one, the next burst goes anyway
//   (the 2.31 may have been lost, §7.2).
// - A 4.08 listing missing blocks: those are sent again first, then another pause.
// - Everything sent and no final answer: the last block is sent again as a probe (the answer
//   may have been lost; the server answers a duplicate as if new, §4.3), with the pause doubling
//   each time, NON_MAX_RETRANSMIT times before giving up.
import type { QBlockParams } from './qblock-params.js';

export class QBlock1Sender {
  /** the first block never sent */
  nextNew: number;
  /** all blocks up to this one reached the server (a 2.31 said so) */
  confirmed = -1;
  /** when onTimeout is due (clock ms); Infinity while nothing is awaited */
  deadline = Infinity;
  /** bursts sent, each followed by a wait for the server: the round trips of the transfer */
  rounds = 0;
  /** blocks sent again (asked for by a 4.08, or probes) */
  resent = 0;
  private queue: number[] = [];
  private probes = 0;
  private sent = 0;
  /** NON_TIMEOUT_RANDOM, drawn once per body (§7.2) */
  readonly pauseMs: number;

  constructor(
    readonly total: number,
    private readonly p: QBlockParams,
    random: () => number,
    /** blocks already delivered another way (the CON probe of block 0) */
    firstNew = 0,
  ) {
    this.nextNew = firstNew;
    this.confirmed = firstNew - 1;
    this.pauseMs = p.nonTimeoutMs * (1 + random() * (p.ackRandomFactor - 1));
  }

  /** every block has been sent at least once */
  get allSent(): boolean {
    return this.nextNew >= this.total;
  }

  start(now: number): number[] {
    return this.burst(now);
  }

  /** 2.31: every block up to `num` arrived; the next set may go at once. */
  onContinue(num: number, now: number): number[] {
    this.probes = 0;
    this.confirmed = Math.max(this.confirmed, Math.min(num, this.nextNew - 1));
    this.queue = this.queue.filter((n) => n > this.confirmed);
    return this.burst(now);
  }

  /** 4.08 with the missing blocks (already checked: ascending, in range): send them, then pause. */
  onMissing(nums: readonly number[], now: number): number[] {
    this.probes = 0;
    for (const n of nums) {
      if (n <= this.confirmed || n >= this.nextNew || this.queue.includes(n)) continue;
      this.queue.push(n);
    }
    this.queue.sort((a, b) => a - b);
    const out = this.queue.splice(0, this.p.maxPayloads);
    if (out.length === 0) return out;
    this.resent += out.length;
    return this.sending(out, now, 1);
  }

  /** The pause ended without a 2.31: the next burst, or a probe, or 'give-up'. */
  onTimeout(now: number): number[] | 'give-up' {
    if (this.queue.length > 0 || !this.allSent) return this.burst(now);
    if (this.probes >= this.p.nonMaxRetransmit || this.sent > this.total * (this.p.nonMaxRetransmit + 2) + this.p.maxPayloads) return 'give-up';
    this.probes++;
    this.resent++;
    return this.sending([this.total - 1], now, 2 ** this.probes);
  }

  /** probes of the last block sent since the server last answered */
  get unansweredProbes(): number {
    return this.probes;
  }

  private burst(now: number): number[] {
    const out = this.queue.splice(0, this.p.maxPayloads);
    this.resent += out.length;
    while (out.length < this.p.maxPayloads && this.nextNew < this.total) {
      out.push(this.nextNew++);
      if (this.nextNew % this.p.maxPayloads === 0) break;
    }
    if (out.length === 0) {
      // all sent: wait for the final answer
      this.deadline = now + this.pauseMs;
      return out;
    }
    return this.sending(out, now, 1);
  }

  private sending(out: number[], now: number, factor: number): number[] {
    this.rounds++;
    this.sent += out.length;
    this.deadline = now + this.pauseMs * factor;
    return out;
  }
}
