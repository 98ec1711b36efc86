// What a client asks (an SMP request before it has a sequence number) and the error a response
// reader throws when the answer is an SMP error or not the shape the group document gives.
import { HilrigError } from '../../rig/engine/index.js';
import type { SmpBody, SmpMessage, SmpOp, SmpVersionBits } from './smp-header.js';
import { describeSmpError, type SmpError, smpErrorOf } from './smp-errors.js';

export interface SmpRequest {
  op: typeof SmpOp.Read | typeof SmpOp.Write;
  group: number;
  id: number;
  /** the CBOR map; groups' requests with nothing to say send an empty map */
  body?: SmpBody;
  /** Ver bits; the client's default when absent */
  version?: SmpVersionBits;
  /** this request's own timeout, in manager-clock ms */
  timeoutMs?: number;
  /** a name for errors and logs: 'image upload' */
  name?: string;
}

/** The device answered with an SMP error (`smpError` set), or with a body that is not what the group says. */
export class SmpResponseError extends HilrigError {
  constructor(
    message: string,
    readonly response: SmpMessage,
    readonly smpError?: SmpError,
  ) {
    super('PROTOCOL', message);
  }
}

/** The body of a successful response; throws SmpResponseError when it carries an error. */
export function successBody(res: SmpMessage, what: string): SmpBody {
  const err = smpErrorOf(res.body);
  if (err) throw new SmpResponseError(`${what}: the device answered ${describeSmpError(err)}`, res, err);
  return res.body ?? {};
}

/** A field of a response body, checked against the type the group document gives. */
export function field<T>(res: SmpMessage, body: SmpBody, key: string, is: (v: unknown) => v is T, type: string, what: string): T {
  const v = body[key];
  if (!is(v)) throw new SmpResponseError(`${what}: the response has no ${type} "${key}" (got ${v === undefined ? 'nothing' : typeof v})`, res);
  return v;
}

export const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
export const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
