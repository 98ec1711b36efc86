// What a resource of the virtual board's CoAP server is: a path, its link attributes for
// /.well-known/core, and one handler per method it serves. The server (coap-server.ts) routes a
// request to the resource by its Uri-Path; a method without a handler earns 4.05 (RFC 7252
// §5.8), a path without a resource 4.04 (§5.9.2.5).
import type { CoapEndpoint } from '../../../protocols/coap/coap-endpoint.js';
import type { CoapExchange } from '../../../protocols/coap/server-exchange.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a handler may use besides the exchange. */
export interface RequestContext {
  /** the endpoint of the client's connection (Observe sends notifications through it) */
  ep: CoapEndpoint;
  /** 'udp://127.0.0.1:40000', or 'serial' for CoAP over slipmux */
  peer: string;
  /** the request's Uri-Path segments */
  path: readonly string[];
  /** board time, ms since boot */
  now: number;
  /** is this bug mode on (names declared by the CoAP service) */
  bug(name: string): boolean;
  log(message: string): void;
}

/** RFC 6690 target attributes: a value, a list of values, or `true` for a bare one (obs). */
export type LinkAttrs = Record<string, string | number | readonly (string | number)[] | true>;

export interface BoardResource {
  /** '/test', '/seg1/seg2/seg3' */
  readonly path: string;
  /** also serve paths below this one (sub-resources created at run time) */
  readonly subtree?: boolean;
  /** attributes for /.well-known/core; a resource without them is not listed */
  readonly link?: LinkAttrs;
  /** extra links for resources created at run time (sub-resources of a subtree) */
  links?(): { path: string; attrs: LinkAttrs }[];
  readonly handlers: Partial<Record<Method, (x: CoapExchange, rc: RequestContext) => void>>;
  /** every board poll (100 ms): state that changes with time, deferred answers */
  poll?(now: number): void;
  /** does this resource still need the endpoint (an observer on it, an answer owed to it) */
  busy?(ep: CoapEndpoint): boolean;
  /** an endpoint went away (its peer idle too long): forget what belongs to it */
  forget?(ep: CoapEndpoint): void;
}

/** The text of a request's method code, for handlers that describe the request. */
export const METHOD_BY_CODE: ReadonlyMap<number, Method> = new Map([
  [0x01, 'GET'],
  [0x02, 'POST'],
  [0x03, 'PUT'],
  [0x04, 'DELETE'],
]);
