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

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A token as lowercase hex, the key of the table. By hand rather than through a Buffer: a token is
 * 0-8 bytes, and a Buffer view plus a native hex call cost more than the string they build, twice
 * per request (a fresh token is checked, then registered).
 */
export function tokenKey(token: Uint8Array): string {
  let s = '';
  for (let i = 0; i < token.length; i++) s += HEX[token[i]!]!;
  return s;
}

const NONE: readonly OpenRequest[] = [];

export class RequestTable {
  private readonly byToken = new Map<string, OpenRequest>();
  /**
   * The same requests in the order they were added (the map's order), walked by index: the
   * NSTART count and the next deadline are asked for on every message, and an index loop over
   * the usual one or two entries builds no iterator objects, as a walk over the map would.
   */
  private readonly list: OpenRequest[] = [];
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
    this.list.push(r);
    if (!free) this.queue.push(r);
    return free;
  }

  remove(key: string): OpenRequest | undefined {
    const r = this.byToken.get(key);
    if (!r) return undefined;
    this.byToken.delete(key);
    // by hand, not splice(): that builtin is a call into C++, costly on a path taken per request
    const list = this.list;
    for (let i = list.indexOf(r) + 1; i < list.length; i++) list[i - 1] = list[i]!;
    list.pop();
    if (this.queue.length > 0) {
      const i = this.queue.indexOf(r);
      if (i >= 0) this.queue.splice(i, 1);
    }
    return r;
  }

  /** Requests whose turn has come (call after any request stopped being outstanding). */
  releasable(): readonly OpenRequest[] {
    // nothing waits (every request of a one-at-a-time transfer): no array, no count of the table
    if (this.queue.length === 0) return NONE;
    const out: OpenRequest[] = [];
    while (this.queue.length > 0 && this.outstanding() + out.length < this.nstart) out.push(this.queue.shift()!);
    return out;
  }

  /** Requests past their deadline. */
  expired(now: number): OpenRequest[] {
    return this.list.filter((r) => r.state !== 'queued' && r.deadline <= now);
  }

  nextDeadline(): number {
    let t = Infinity;
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i]!.state !== 'queued') t = Math.min(t, list[i]!.deadline);
    return t;
  }

  all(): OpenRequest[] {
    return this.list.slice();
  }

  /** outstanding = sent and neither acknowledged nor answered (§4.7) */
  private outstanding(): number {
    let n = 0;
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i]!.state === 'sent') n++;
    return n;
  }
}
