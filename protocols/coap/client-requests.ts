// The client side's table of open requests, by token, with NSTART (RFC 7252 §4.7): at most
// `nstart` requests are outstanding with the peer; the rest wait their turn in order.
import { HilrigError } from '../../rig/engine/index.js';
import type { CoapMessage } from './coap-types.js';

export interface CoapResponse {
  msg: CoapMessage;
  request: CoapMessage;
  /** from the first transmission of the request to this response, in clock ms */
  rttMs: number;
  /** how often the request was transmitted (1 = no retransmission) */
  transmissions: number;
}

/** Why a request failed, for callers that branch on it. */
export type RequestFailure = 'gave-up' | 'reset' | 'timeout' | 'closed' | 'token-mismatch' | 'cancelled';

export class CoapRequestError extends HilrigError {
  constructor(
    readonly reason: RequestFailure,
    message: string,
    readonly request: CoapMessage,
  ) {
    super(reason === 'gave-up' || reason === 'timeout' ? 'TIMEOUT' : 'PROTOCOL', message);
  }
}

export interface OpenRequest {
  msg: CoapMessage;
  bytes?: Uint8Array;
  tokenKey: string;
  state: 'queued' | 'sent' | 'acked' | 'answered';
  firstSentAt: number;
  transmissions: number;
  /** clock time after which we stop waiting for the (next) response */
  deadline: number;
  timeoutMs: number;
  /** a response arrived; return true to stay registered (Observe), false when done */
  onResponse(res: CoapResponse): boolean;
  fail(err: CoapRequestError): void;
}

export const tokenKey = (token: Uint8Array): string => Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString('hex');

export class RequestTable {
  private readonly byToken = new Map<string, OpenRequest>();
  private readonly queue: OpenRequest[] = [];

  constructor(private readonly nstart: number) {}

  has(key: string): boolean {
    return this.byToken.has(key);
  }

  get(key: string): OpenRequest | undefined {
    return this.byToken.get(key);
  }

  /** Register; true when it may be sent now, false when it waits for NSTART. */
  add(r: OpenRequest): boolean {
    const free = this.outstanding() < this.nstart;
    r.state = 'queued';
    this.byToken.set(r.tokenKey, r);
    if (!free) this.queue.push(r);
    return free;
  }

  remove(key: string): OpenRequest | undefined {
    const r = this.byToken.get(key);
    if (!r) return undefined;
    this.byToken.delete(key);
    const i = this.queue.indexOf(r);
    if (i >= 0) this.queue.splice(i, 1);
    return r;
  }

  /** Requests whose turn has come (call after any request stopped being outstanding). */
  releasable(): OpenRequest[] {
    const out: OpenRequest[] = [];
    while (this.queue.length > 0 && this.outstanding() + out.length < this.nstart) out.push(this.queue.shift()!);
    return out;
  }

  /** Requests past their deadline. */
  expired(now: number): OpenRequest[] {
    return [...this.byToken.values()].filter((r) => r.state !== 'queued' && r.deadline <= now);
  }

  nextDeadline(): number {
    let t = Infinity;
    for (const r of this.byToken.values()) if (r.state !== 'queued') t = Math.min(t, r.deadline);
    return t;
  }

  all(): OpenRequest[] {
    return [...this.byToken.values()];
  }

  /** outstanding = sent and neither acknowledged nor answered (§4.7) */
  private outstanding(): number {
    let n = 0;
    for (const r of this.byToken.values()) if (r.state === 'sent') n++;
    return n;
  }
}
