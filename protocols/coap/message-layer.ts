// The CoAP message layer (RFC 7252 §4): Message-IDs, reliable transmission of CONs with
// binary exponential back-off, and duplicate detection. It knows nothing of requests or
// tokens; the endpoint above it does. Time is whatever `now()` says, so a test on a virtual
// clock checks every retransmission instant exactly.
import type { CoapMessage } from './coap-types.js';
import type { CoapParams, DerivedTimes } from './coap-params.js';

export type Settlement = { kind: 'ack'; msg: CoapMessage } | { kind: 'rst'; msg: CoapMessage } | { kind: 'gave-up'; transmissions: number } | { kind: 'cancelled' };

interface Outgoing {
  msg: CoapMessage;
  bytes: Uint8Array;
  transmissions: number;
  waitMs: number;
  dueAt: number;
  settle: (s: Settlement) => void;
}

/** What we remember about a MID we received, to answer duplicates the same way. */
export interface Remembered {
  expiresAt: number;
  /** the bytes we answered with (ACK, piggybacked response, RST), sent again for a duplicate */
  reply?: Uint8Array;
}

export interface MessageIo {
  transmit(msg: CoapMessage, bytes: Uint8Array, retransmission: number): void;
  now(): number;
  random(): number;
}

export class MessageLayer {
  private mid: number;
  private readonly outgoing = new Map<number, Outgoing>();
  /** by type << 16 | MID (a number key: no string built per message received) */
  private readonly received = new Map<number, Remembered>();
  /** MIDs of NONs we sent recently: an RST naming one rejects it (e.g. an Observe notification) */
  private readonly recentNon = new Map<number, { expiresAt: number; onRst?: () => void }>();

  constructor(
    private readonly io: MessageIo,
    private readonly params: CoapParams,
    private readonly times: DerivedTimes,
  ) {
    // a random start makes MIDs of a restarted rig unlikely to collide with the board's cache
    this.mid = Math.floor(io.random() * 0x10000);
  }

  nextMid(): number {
    this.mid = (this.mid + 1) & 0xffff;
    return this.mid;
  }

  /** Send a CON and retransmit it until an ACK or RST settles it, or MAX_RETRANSMIT is spent. */
  sendCon(msg: CoapMessage, bytes: Uint8Array, settle: (s: Settlement) => void): void {
    const waitMs = this.params.ackTimeoutMs * (1 + this.io.random() * (this.params.ackRandomFactor - 1));
    const o: Outgoing = { msg, bytes, transmissions: 1, waitMs, dueAt: this.io.now() + waitMs, settle };
    this.outgoing.set(msg.mid, o);
    this.io.transmit(msg, bytes, 0);
  }

  /** Send once, unreliably (NON, ACK, RST). */
  sendOnce(msg: CoapMessage, bytes: Uint8Array, onRst?: () => void): void {
    if (msg.type === 1) this.recentNon.set(msg.mid, { expiresAt: this.io.now() + this.times.nonLifetimeMs, onRst });
    this.io.transmit(msg, bytes, 0);
  }

  /** An ACK or RST arrived: settle the CON it names. False when it names nothing of ours. */
  settle(reply: CoapMessage): boolean {
    const o = this.outgoing.get(reply.mid);
    if (o) {
      this.outgoing.delete(reply.mid);
      o.settle(reply.type === 3 ? { kind: 'rst', msg: reply } : { kind: 'ack', msg: reply });
      return true;
    }
    if (reply.type === 3) {
      const n = this.recentNon.get(reply.mid);
      if (n) {
        this.recentNon.delete(reply.mid);
        n.onRst?.();
        return true;
      }
    }
    return false;
  }

  /** Stop retransmitting a CON (its request was cancelled). */
  cancel(mid: number): void {
    const o = this.outgoing.get(mid);
    if (!o) return;
    this.outgoing.delete(mid);
    o.settle({ kind: 'cancelled' });
  }

  get inFlight(): number {
    return this.outgoing.size;
  }

  /** A CON or NON arrived: have we seen its MID within its lifetime? */
  lookup(type: number, mid: number): Remembered | undefined {
    const r = this.received.get(type * 0x10000 + mid);
    return r && r.expiresAt > this.io.now() ? r : undefined;
  }

  remember(type: number, mid: number): Remembered {
    const life = type === 0 ? this.times.exchangeLifetimeMs : this.times.nonLifetimeMs;
    const r: Remembered = { expiresAt: this.io.now() + life };
    this.received.set(type * 0x10000 + mid, r);
    return r;
  }

  /** Retransmit what is due, give up on what is spent, forget expired MIDs. */
  poll(now: number): void {
    for (const [mid, o] of this.outgoing) {
      if (o.dueAt > now) continue;
      if (o.transmissions > this.params.maxRetransmit) {
        this.outgoing.delete(mid);
        o.settle({ kind: 'gave-up', transmissions: o.transmissions });
        continue;
      }
      o.waitMs *= 2;
      o.dueAt = now + o.waitMs;
      this.io.transmit(o.msg, o.bytes, o.transmissions);
      o.transmissions++;
    }
    for (const [k, r] of this.received) if (r.expiresAt <= now) this.received.delete(k);
    for (const [k, n] of this.recentNon) if (n.expiresAt <= now) this.recentNon.delete(k);
  }

  /** The earliest instant poll() has work to do (Infinity when idle). */
  nextDeadline(): number {
    let t = Infinity;
    if (this.outgoing.size === 0) return t;
    for (const o of this.outgoing.values()) t = Math.min(t, o.dueAt);
    return t;
  }

  /** Connection closing: settle everything as cancelled. */
  destroy(): void {
    const all = [...this.outgoing.values()];
    this.outgoing.clear();
    this.received.clear();
    this.recentNon.clear();
    for (const o of all) o.settle({ kind: 'cancelled' });
  }
}
