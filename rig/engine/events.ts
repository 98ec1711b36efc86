// Engine events, numbered like Mongoose's MG_EV_*. Protocols number their own events from a
// base of their own (PROTO_EV_BASE * n), the way MG_COAP_EVENT_BASE works, so one `switch (ev)`
// in a user handler can mix engine and protocol events and TypeScript narrows `data` for each.
import type { Connection } from './connection.js';
import type { HilrigError } from './errors.js';
import type { Timer } from './timers.js';

export enum Ev {
  /** The Connection object exists; nothing is open yet. Set `c.proto`/`c.userData` before this fires. */
  Open = 0,
  /** A client's transport is open (UDP socket bound, serial port open, TCP connected). */
  Connect = 1,
  /** A listener created this child connection for a new peer. */
  Accept = 2,
  /** Bytes were appended to `c.recv`. */
  Recv = 3,
  /** Bytes handed to `c.send()` left through the transport. */
  Send = 4,
  /** Periodic tick from the manager, with the manager clock's `now`. */
  Poll = 5,
  /** A timer of this connection expired. */
  Timer = 6,
  /** Something failed; `c.isClosing` is already set: clear it to keep the connection. */
  Error = 7,
  /** The connection is going away; buffers are still readable, `proto.destroy` runs after. */
  Close = 8,
}

/**
 * Protocol event numbers start at PROTO_EV_BASE * k (CoAP k=1, slipmux k=2, ...). Declare them as
 * literals (`{ Message: 101 } as const`), not as `PROTO_EV_BASE + 1`: TypeScript narrows `data` only
 * on literal event numbers.
 */
export const PROTO_EV_BASE = 100;

export interface RecvInfo {
  /** how many bytes this event appended to c.recv */
  bytes: number;
}
export interface SendInfo {
  /** how many bytes left through the transport */
  bytes: number;
}
export interface PollInfo {
  now: number;
}
export interface TimerInfo {
  timer: Timer;
  now: number;
}
export interface CloseInfo {
  /** why the connection closed: 'closed by handler', 'peer closed', 'shutdown', an error message */
  reason: string;
}

/** Payload of each engine event. */
export interface EngineEvents {
  [Ev.Open]: undefined;
  [Ev.Connect]: undefined;
  [Ev.Accept]: undefined;
  [Ev.Recv]: RecvInfo;
  [Ev.Send]: SendInfo;
  [Ev.Poll]: PollInfo;
  [Ev.Timer]: TimerInfo;
  [Ev.Error]: HilrigError;
  [Ev.Close]: CloseInfo;
}

/** A map from event number to payload; protocols declare one for their own events. */
export type EventMap = object;

/**
 * The (c, ev, data) triples of an event map, as a union of tuples, so that `switch (ev)` narrows
 * `data` (TypeScript narrows dependent parameters only when the whole list is one rest tuple).
 */
export type EvArgs<M extends EventMap> = { [K in keyof M]: [c: Connection, ev: K, data: M[K]] }[keyof M];

/**
 * A handler, Mongoose's `fn(c, ev, ev_data)`. `P` adds a protocol's events:
 * `const h: Handler<CoapEvents> = (c, ev, data) => { switch (ev) { case Ev.Recv: data.bytes ... } }`.
 * A typed handler declares all three parameters; one that only looks at `ev` may be written
 * `(c, ev) => ...` where an API accepts a LooseHandler.
 */
export type Handler<P extends EventMap = EventMap> = (...args: EvArgs<EngineEvents & P>) => void;

/** A handler that ignores payloads: `(c, ev) => ...`. */
export type LooseHandler = (c: Connection, ev: number) => void;

/** How the engine stores and calls any handler: event number and payload, types erased. */
export type RawHandler = (c: Connection, ev: number, data: unknown) => void;

/** Mongoose's `proto_handler` + `pfn_data` + `proto_data_destructor`. */
export interface ProtoSlot<D = unknown> {
  /** name for logs and traces, e.g. 'coap' */
  name: string;
  handler: RawHandler;
  data: D;
  /** called exactly once, after Close, whatever ended the connection */
  destroy?: (data: D) => void;
  /** a listener's protocol for a new child connection (fresh protocol data per peer) */
  forChild?: (child: Connection) => ProtoSlot;
}
