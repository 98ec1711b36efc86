// One test's CoAP link with what the RFC tests need on top of CoapClient: the run's clock, the
// windows the transmission parameters give (RFC 7252 §4.8), and `nextArrival`, which waits for
// the next received entry of the exchange log, malformed datagrams included. CoapClient.waitFor
// sees only messages that parse, and a response that breaks §3 (a payload marker with nothing
// after it) must be seen the moment it arrives, not when a retransmission gives up.
import { Ev } from '../../../rig/engine/events.js';
import type { CoapClient, ExchangeEntry, TestContext } from '../../../rig/runner/suite-api.js';

export interface Link {
  t: TestContext;
  c: CoapClient;
}

export async function openLink(t: TestContext): Promise<Link> {
  return { t, c: await t.coap() };
}

/**
 * ACK_TIMEOUT × ACK_RANDOM_FACTOR: the longest a client waits before it retransmits a CON
 * (§4.2), so the window in which an ACK or RST to a single transmission is due.
 */
export const ackWindowMs = (l: Link): number => l.c.ep.params.ackTimeoutMs * l.c.ep.params.ackRandomFactor;

/** MAX_TRANSMIT_WAIT (§4.8.2): the longest a CON request can wait for its ACK, retransmissions included. */
export const transmitWaitMs = (l: Link): number => l.c.ep.times.maxTransmitWaitMs;

/** EXCHANGE_LIFETIME (§4.8.2). */
export const exchangeLifetimeMs = (l: Link): number => l.c.ep.times.exchangeLifetimeMs;

type Listener = (ev: number) => void;
const taps = new WeakMap<CoapClient, Set<Listener>>();

/** Listeners called after the client's own handler recorded an event (so the log is current). */
function tap(c: CoapClient): Set<Listener> {
  let set = taps.get(c);
  if (set) return set;
  const listeners = new Set<Listener>();
  const recording = c.c.handler;
  c.c.handler = (conn, ev, data) => {
    recording(conn, ev, data);
    for (const f of [...listeners]) f(ev);
  };
  taps.set(c, listeners);
  set = listeners;
  return set;
}

/**
 * The first received log entry from index `from` on (default: from now) that `pred` accepts,
 * parsed or malformed; undefined after `timeoutMs` of the run's clock or when the link closes.
 */
export function nextArrival(l: Link, pred: (e: ExchangeEntry) => boolean, timeoutMs: number, from = l.c.log.length): Promise<ExchangeEntry | undefined> {
  const { c } = l;
  const listeners = tap(c);
  let at = from;
  return new Promise((resolve) => {
    let done = false;
    const finish = (e: ExchangeEntry | undefined): void => {
      if (done) return;
      done = true;
      handle.cancel();
      listeners.delete(look);
      resolve(e);
    };
    const look = (ev?: number): void => {
      for (; at < c.log.length; at++) {
        const e = c.log[at]!;
        if (e.dir === 'in' && pred(e)) return finish(e);
      }
      if (ev === Ev.Close || c.c.isClosed) finish(undefined);
    };
    const handle = l.t.rig.clock.schedule(timeoutMs, () => finish(undefined));
    listeners.add(look);
    look();
  });
}

/** Index of `e` in the log, for a follow-up nextArrival that starts right after it. */
export const after = (l: Link, e: ExchangeEntry): number => l.c.log.indexOf(e) + 1;

/** The first transmission of our message with this token or Message ID, as the log recorded it. */
export function sentEntry(l: Link, match: { token?: Uint8Array; mid?: number }): ExchangeEntry | undefined {
  return l.c.log.find((e) => {
    if (e.dir !== 'out' || !e.msg) return false;
    if (match.mid !== undefined && e.msg.mid !== match.mid) return false;
    if (match.token !== undefined && Buffer.compare(Buffer.from(e.msg.token), Buffer.from(match.token)) !== 0) return false;
    return true;
  });
}
