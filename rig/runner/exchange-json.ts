// A test's exchange log (coap-client.ts) as results.json carries it: the header fields decoded
// (type name, "c.dd" code, MID, token as hex), the payload's size rather than its bytes, and the
// raw bytes only for what is not a CoAP message, where the bytes are all there is to show.
import { formatCode } from '../../protocols/coap/coap-codes.js';
import { hex } from '../../protocols/coap/coap-describe.js';
import { COAP_TYPE_NAMES } from '../../protocols/coap/coap-types.js';
import type { ExchangeMessage } from '../../reports/results/result-model.js';
import type { ExchangeEntry } from './coap-client.js';

export function exchangeMessage(e: ExchangeEntry): ExchangeMessage {
  const out: ExchangeMessage = { t: Math.round(e.t * 1000) / 1000, dir: e.dir, text: e.text, retransmission: e.retransmission };
  const m = e.msg;
  if (m) {
    out.type = COAP_TYPE_NAMES[m.type] ?? `T${m.type}`;
    out.code = formatCode(m.code);
    out.mid = m.mid;
    out.token = hex(m.token);
    out.payloadSize = m.payload.length;
  } else {
    out.hex = hex(e.bytes);
  }
  return out;
}
