// The CoAP server's bug modes: each breaks exactly one rule, so a conformance test can be shown
// to catch it. Most are a change to a message on its way out (the endpoint's rewrite hook, by the
// kind of message leaving); the rest are endpoint options (deduplication, the critical-option
// check) or live in the resource that shows them (/separate, /.well-known/core, /obs).
import { serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import type { OutKind } from '../../../protocols/coap/coap-endpoint.js';
import { CoapOptionNumber, decodeUint, encodeUint } from '../../../protocols/coap/coap-options.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import type { BugMode } from '../service.js';

const SERVICE = 'coap';
const mode = (name: string, rule: string): BugMode => ({ name, rule, service: SERVICE });

/** The names, for the code that checks them. */
export const CoapBug = {
  AckWrongMid: 'ack-wrong-mid',
  TokenNotEchoed: 'token-not-echoed',
  DuplicateProcessed: 'duplicate-processed',
  PiggybackAsCon: 'piggyback-as-con',
  Block2WrongMBit: 'block2-wrong-m-bit',
  Block1NoContinue: 'block1-no-continue',
  ObserveSeqNotIncreasing: 'observe-seq-not-increasing',
  CoreWrongContentFormat: 'core-wrong-content-format',
  UnknownCriticalIgnored: 'unknown-critical-ignored',
  EmptyPayloadMarker: 'empty-payload-marker',
  SeparateNeverSent: 'separate-never-sent',
  NonResponseAsCon: 'non-response-as-con',
} as const;

export const coapBugModes: readonly BugMode[] = [
  mode(CoapBug.AckWrongMid, 'RFC 7252 §4.2: an ACK carries the Message ID of the CON it acknowledges'),
  mode(CoapBug.TokenNotEchoed, 'RFC 7252 §5.3.2: a response echoes the token of its request'),
  mode(CoapBug.DuplicateProcessed, 'RFC 7252 §4.5: a duplicate CON (same Message ID) is acknowledged again but processed only once'),
  mode(CoapBug.PiggybackAsCon, 'RFC 7252 §5.2.1: a piggybacked response travels in the ACK of the request'),
  mode(CoapBug.Block2WrongMBit, 'RFC 7959 §2.2: the M bit of a Block2 response says whether more blocks follow'),
  mode(CoapBug.Block1NoContinue, 'RFC 7959 §2.3: a non-final Block1 request is answered with 2.31 Continue'),
  mode(CoapBug.ObserveSeqNotIncreasing, 'RFC 7641 §4.4: the Observe values of successive notifications increase'),
  mode(CoapBug.CoreWrongContentFormat, 'RFC 6690 §5 and §7.1: /.well-known/core is served as application/link-format (Content-Format 40)'),
  mode(CoapBug.UnknownCriticalIgnored, 'RFC 7252 §5.4.1: a request with an unrecognized critical option is answered with 4.02 Bad Option'),
  mode(CoapBug.EmptyPayloadMarker, 'RFC 7252 §3: a payload marker is followed by a non-empty payload (a marker with none is a format error)'),
  mode(CoapBug.SeparateNeverSent, 'RFC 7252 §5.2.2: after an empty ACK the server sends the separate response when it is ready'),
  mode(CoapBug.NonResponseAsCon, 'RFC 7252 §5.2.3: a request in a NON is answered with a NON'),
];

const RESPONSES: ReadonlySet<OutKind> = new Set(['piggybacked', 'separate', 'non-response', 'notification']);

/** A token the client did not send: every byte inverted, or one byte when it sent none. */
const otherToken = (t: Uint8Array): Uint8Array => (t.length === 0 ? Uint8Array.of(0x5a) : t.map((b) => b ^ 0xff));

/** The message with the M bit of its Block2 option inverted (absent option: unchanged). */
function flipBlock2More(msg: CoapMessage): CoapMessage {
  const options = msg.options.map((o) => (o.number === CoapOptionNumber.BLOCK2 ? { number: o.number, value: encodeUint(decodeUint(o.value) ^ 8) } : o));
  return { ...msg, options };
}

/**
 * The rewrite hook for the endpoints of one boot, or undefined when no rewriting bug is on.
 * `on` answers whether a mode is enabled.
 */
export function bugRewrite(on: (name: string) => boolean): ((msg: CoapMessage, kind: OutKind) => CoapMessage | Uint8Array) | undefined {
  const names = [
    CoapBug.AckWrongMid,
    CoapBug.TokenNotEchoed,
    CoapBug.PiggybackAsCon,
    CoapBug.NonResponseAsCon,
    CoapBug.Block1NoContinue,
    CoapBug.Block2WrongMBit,
    CoapBug.EmptyPayloadMarker,
  ];
  if (!names.some(on)) return undefined;
  return (msg, kind) => {
    let m = msg;
    const response = RESPONSES.has(kind);
    if (on(CoapBug.AckWrongMid) && (kind === 'piggybacked' || kind === 'empty-ack')) m = { ...m, mid: (m.mid + 1) & 0xffff };
    if (on(CoapBug.TokenNotEchoed) && response) m = { ...m, token: otherToken(m.token) };
    if (on(CoapBug.PiggybackAsCon) && kind === 'piggybacked') m = { ...m, type: CoapType.CON };
    if (on(CoapBug.NonResponseAsCon) && kind === 'non-response') m = { ...m, type: CoapType.CON };
    if (on(CoapBug.Block1NoContinue) && response && m.code === CoapCode.CONTINUE) m = { ...m, code: CoapCode.CHANGED };
    if (on(CoapBug.Block2WrongMBit) && response) m = flipBlock2More(m);
    if (on(CoapBug.EmptyPayloadMarker) && response && m.payload.length === 0) {
      const bytes = serializeCoap(m);
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes);
      out[bytes.length] = 0xff;
      return out;
    }
    return m;
  };
}
