// The server's list of observers of one resource (RFC 7641 §4.1), keyed by the client endpoint
// and the token of its registration: a client may observe one resource under several tokens,
// and a re-registration with the same token replaces the entry instead of adding one.
import type { CoapEndpoint } from '../coap-endpoint.js';
import type { CoapMessage } from '../coap-types.js';
import { tokenKey } from '../client-requests.js';

/**
 * Why an observer left the list: Observe=1 (§3.6), an RST to a notification (§3.6, §4.5), a
 * CON notification nobody acknowledged (§4.5), the connection closed, the server ended the
 * observation with a final response (§3.2), or a re-registration the server refused (§4.1).
 */
export type ObserverRemoval = 'deregistered' | 'rst' | 'gave-up' | 'closed' | 'ended' | 'refused';

export interface Observer {
  readonly key: string;
  readonly peer: string;
  readonly token: Uint8Array;
  /** the endpoint of the client's connection: notifications leave through it */
  readonly ep: CoapEndpoint;
  /** the registration request (its options say what representation the client asked for) */
  readonly request: CoapMessage;
  readonly registeredAt: number;
  /** notifications sent to this observer, registration response not counted */
  notifications: number;
  /** NON notifications since the last CON one (§4.5: a CON now and then) */
  sinceCon: number;
  /** MID of the CON notification still waiting for its ACK */
  inFlightMid?: number;
  /** a newer state waits until the CON in flight is settled (one outstanding CON per client) */
  pending: boolean;
}

export class ObserverRegistry {
  private readonly byKey = new Map<string, Observer>();
  /** called after an observer was added or replaced (a re-registration) */
  onAdded?: (o: Observer, replaced: boolean) => void;
  onRemoved?: (o: Observer, why: ObserverRemoval) => void;

  static keyOf(peer: string, token: Uint8Array): string {
    return `${peer}#${tokenKey(token)}`;
  }

  /** Add, or replace the entry with the same (peer, token) (§4.1: never two entries). */
  add(peer: string, token: Uint8Array, ep: CoapEndpoint, request: CoapMessage, now: number): Observer {
    const key = ObserverRegistry.keyOf(peer, token);
    const replaced = this.byKey.has(key);
    const o: Observer = { key, peer, token: token.slice(), ep, request, registeredAt: now, notifications: 0, sinceCon: 0, pending: false };
    this.byKey.set(key, o);
    this.onAdded?.(o, replaced);
    return o;
  }

  get(peer: string, token: Uint8Array): Observer | undefined {
    return this.byKey.get(ObserverRegistry.keyOf(peer, token));
  }

  /** Is this very entry (not a later re-registration under its key) still listed? */
  holds(o: Observer): boolean {
    return this.byKey.get(o.key) === o;
  }

  /**
   * Remove this entry. A settle that arrives for an entry already replaced by a re-registration
   * does not remove the new one. False when it was not listed.
   */
  remove(o: Observer, why: ObserverRemoval): boolean {
    if (!this.holds(o)) return false;
    this.byKey.delete(o.key);
    this.onRemoved?.(o, why);
    return true;
  }

  removeKey(peer: string, token: Uint8Array, why: ObserverRemoval): boolean {
    const o = this.get(peer, token);
    return o ? this.remove(o, why) : false;
  }

  /** Forget every observer behind an endpoint (its connection closed). */
  removeEndpoint(ep: CoapEndpoint, why: ObserverRemoval = 'closed'): number {
    let n = 0;
    for (const o of this.all()) if (o.ep === ep && this.remove(o, why)) n++;
    return n;
  }

  all(): Observer[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }
}
