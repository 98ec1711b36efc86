// The state of /obs and /obs-non and what a request may make of it, pure: the value that changes
// every period (the board's own text, or XML once a client PUT XML), a value a client PUT (until
// the next periodic change replaces it), or nothing after a DELETE. observe.ts owns the clock,
// the handlers and the observers.
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, contentFormat } from '../../../../protocols/coap/coap-options.js';
import type { CoapMessage } from '../../../../protocols/coap/coap-types.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import type { ResponseSpec } from '../../../../protocols/coap/server-exchange.js';

/**
 * The formats /obs can be in: the board's text, or the XML a client PUT (TD_COAP_OBS_08 changes
 * the format with it). Only these, because the periodic change renders its value in either.
 */
export const OBS_FORMATS: readonly number[] = [ContentFormat.TEXT_PLAIN, ContentFormat.XML];

/** A PUT value must fit one notification: one datagram within RFC 7252 §4.6's 1152 bytes. */
export const MAX_VALUE_BYTES = 1024;

export interface ObsState {
  /** false after a DELETE: 4.04 until the next periodic change or a PUT creates it again */
  exists: boolean;
  /** periodic changes and PUTs so far this boot */
  changes: number;
  /** board time of the last change (ms) */
  at: number;
  /** the Content-Format of every representation while this state lasts */
  cf: number;
  /** what a PUT stored; undefined: the value the periodic change generates */
  value: Uint8Array | undefined;
}

export const initialObsState = (): ObsState => ({ exists: true, changes: 0, at: 0, cf: ContentFormat.TEXT_PLAIN, value: undefined });

/** The answer to a GET in state `s` (a notification when 2.05; a final response otherwise). */
export function renderObs(path: string, s: ObsState): ResponseSpec {
  // a diagnostic payload (RFC 7252 §5.5.2) says why, for whoever reads the trace
  if (!s.exists) return { code: CoapCode.NOT_FOUND, payload: `${path} was deleted` };
  if (s.value) return { code: CoapCode.CONTENT, contentFormat: s.cf, payload: s.value };
  const at = (s.at / 1000).toFixed(1);
  const payload = s.cf === ContentFormat.XML ? `<obs path="${path}" change="${s.changes}" at="${at}"/>` : `${path} change ${s.changes} at ${at} s`;
  return { code: CoapCode.CONTENT, contentFormat: s.cf, payload };
}

export type PutValue = { ok: true; cf: number; value: Uint8Array } | { ok: false; answer: ResponseSpec };

const refuse = (code: number, why: string): PutValue => ({ ok: false, answer: { code, payload: why } });
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A PUT's body as the new value, or the answer that refuses it. */
export function putValue(req: CoapMessage): PutValue {
  const cf = contentFormat(req);
  if (cf === undefined) return refuse(CoapCode.BAD_REQUEST, 'a PUT needs a Content-Format: text/plain (0) or application/xml (41)');
  if (!OBS_FORMATS.includes(cf)) return refuse(CoapCode.UNSUPPORTED_CONTENT_FORMAT, `Content-Format ${cf} is not served here: text/plain (0) or application/xml (41) (RFC 7252 §5.9.2.10)`);
  if (req.payload.length > MAX_VALUE_BYTES) {
    // Size1 tells the client the largest body taken (RFC 7252 §5.9.2.9, §5.10.9)
    return { ok: false, answer: { code: CoapCode.REQUEST_ENTITY_TOO_LARGE, payload: `at most ${MAX_VALUE_BYTES} bytes`, options: [{ number: CoapOptionNumber.SIZE1, value: MAX_VALUE_BYTES }] } };
  }
  if (cf === ContentFormat.TEXT_PLAIN) {
    try {
      utf8.decode(req.payload);
    } catch {
      return refuse(CoapCode.BAD_REQUEST, 'the payload is not UTF-8, which text/plain;charset=utf-8 is (RFC 7252 §12.3)');
    }
  }
  return { ok: true, cf, value: req.payload.slice() };
}
