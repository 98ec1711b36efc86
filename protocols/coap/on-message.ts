// What an arriving message does, one function per message type (RFC 7252 §4.2-§4.3, §5.3.2),
// routed by the switch in CoapEndpoint.receive().
import { parseCoap } from './coap-codec.js';
import { codeKind } from './coap-codes.js';
import { CoapEv } from './coap-events.js';
import { isCritical } from './coap-options.js';
import { type CoapMessage, CoapType, emptyMessage } from './coap-types.js';
import type { CoapEndpoint } from './coap-endpoint.js';
import { tokenKey } from './client-requests.js';
import type { Remembered } from './message-layer.js';
import { RECOGNIZED_OPTIONS } from './server-respond.js';

export function onCon(ep: CoapEndpoint, msg: CoapMessage): void {
  const kind = codeKind(msg.code);
  if (kind === 'empty') {
    // a CoAP ping: answered with RST, and nothing is remembered (§4.3)
    ep.send(emptyMessage(CoapType.RST, msg.mid), 'rst');
    return;
  }
  if (kind === 'reserved') {
    // a code of class 1, 6 or 7 is a message format error: reject (§4.2)
    ep.send(emptyMessage(CoapType.RST, msg.mid), 'rst');
    return;
  }
  if (ep.opts.dedup !== false) {
    const seen = ep.ml.lookup(CoapType.CON, msg.mid);
    if (seen) {
      ep.io.emit(CoapEv.Duplicate, msg);
      // the same answer again; a request still being worked on waits for its answer (§4.5)
      if (seen.reply) resend(ep, seen.reply);
      return;
    }
  }
  const memo = ep.ml.remember(CoapType.CON, msg.mid);
  if (kind === 'response') {
    const r = ep.requests.get(tokenKey(msg.token));
    // a separate response: acknowledge it (§5.2.2), then hand it over
    const ack = emptyMessage(r ? CoapType.ACK : CoapType.RST, msg.mid);
    memo.reply = ep.send(ack, r ? 'empty-ack' : 'rst');
    if (r) ep.deliver(r, msg);
    else ep.io.emit(CoapEv.Unmatched, { msg, reason: 'a CON response whose token matches no open request' });
    return;
  }
  serve(ep, msg, memo);
}

export function onNon(ep: CoapEndpoint, msg: CoapMessage): void {
  const kind = codeKind(msg.code);
  if (kind === 'empty' || kind === 'reserved') {
    ep.send(emptyMessage(CoapType.RST, msg.mid), 'rst');
    return;
  }
  if (ep.opts.dedup !== false) {
    if (ep.ml.lookup(CoapType.NON, msg.mid)) {
      ep.io.emit(CoapEv.Duplicate, msg);
      return;
    }
  }
  const memo = ep.ml.remember(CoapType.NON, msg.mid);
  if (kind === 'response') {
    const r = ep.requests.get(tokenKey(msg.token));
    if (r) ep.deliver(r, msg);
    else {
      // an unwanted response or notification: RST tells the server to stop (RFC 7641 §3.6)
      ep.send(emptyMessage(CoapType.RST, msg.mid), 'rst');
      ep.io.emit(CoapEv.Unmatched, { msg, reason: 'a NON response whose token matches no open request' });
    }
    return;
  }
  serve(ep, msg, memo);
}

export function onAck(ep: CoapEndpoint, msg: CoapMessage): void {
  if (!ep.ml.settle(msg)) ep.io.emit(CoapEv.Unmatched, { msg, reason: `an ACK with MID 0x${msg.mid.toString(16).padStart(4, '0')} that matches no CON of ours` });
}

export function onRst(ep: CoapEndpoint, msg: CoapMessage): void {
  if (!ep.ml.settle(msg)) ep.io.emit(CoapEv.Unmatched, { msg, reason: `an RST with MID 0x${msg.mid.toString(16).padStart(4, '0')} that matches nothing we sent` });
}

/** A new request for the server side. */
function serve(ep: CoapEndpoint, msg: CoapMessage, memo: Remembered): void {
  if (!ep.opts.server) {
    // we serve nothing: reject a CON, ignore a NON (§4.2, §4.3)
    if (msg.type === CoapType.CON) memo.reply = ep.send(emptyMessage(CoapType.RST, msg.mid), 'rst');
    return;
  }
  const x = ep.makeExchange(msg);
  ep.memo.set(x, memo);
  if (ep.opts.rejectUnknownCritical !== false) {
    const extra = ep.opts.recognizedOptions ?? [];
    const bad = msg.options.find((o) => isCritical(o.number) && !RECOGNIZED_OPTIONS.has(o.number) && !extra.includes(o.number));
    if (bad) {
      if (msg.type === CoapType.CON) {
        // §5.4.1: an unrecognized critical option in a CON gets 4.02 Bad Option
        x.respond({ code: 0x82, payload: `Unrecognized critical option ${bad.number}` });
      } else {
        memo.reply = ep.send(emptyMessage(CoapType.RST, msg.mid), 'rst');
      }
      return;
    }
  }
  ep.open.add(x);
  ep.io.emit(CoapEv.Request, x);
  if (x.responded) ep.open.delete(x);
}

function resend(ep: CoapEndpoint, bytes: Uint8Array): void {
  ep.io.send(bytes);
  const again = bytes.slice();
  // a cached answer goes out as it went the first time; log it as a retransmission
  ep.io.emit(CoapEv.Sent, { msg: parsedOrEmpty(again), bytes: again, retransmission: 1 });
}

function parsedOrEmpty(bytes: Uint8Array): CoapMessage {
  const r = parseCoap(bytes);
  return r.kind === 'ok' ? r.value : emptyMessage(CoapType.RST, 0);
}
