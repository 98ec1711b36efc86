// Which datagrams the board's CoAP server takes, and which it leaves to the UDP echo service.
//
// "Version bits = 1" alone is not enough: every byte 0x40-0x7F has them, so most ASCII text
// (`ping`, `answered`) would look like CoAP and the echo service, which tests send text to,
// would never see it. The rule:
// - fewer than 4 bytes, or a version other than 1: not CoAP;
// - a code byte of class 3 (0x60-0x7F, the ASCII lower-case letters) is where text lands, and
//   no CoAP code lives there (RFC 7252 §12.1 registers classes 0, 2, 4 and 5): not ours;
// - a message that parses is ours (requests, responses, ACK, RST, pings; classes 1, 6, 7 too,
//   which the endpoint rejects with RST as §4.2 says);
// - a malformed CON or NON is ours as well: the endpoint must reject it with RST (§4.2, §4.3).
//   A malformed ACK or RST would be silently ignored by a CoAP node; here it is not CoAP.
import { parseCoap, peekHeader } from '../../../protocols/coap/coap-codec.js';
import { codeClass } from '../../../protocols/coap/coap-codes.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';

export function isCoapDatagram(bytes: Uint8Array): boolean {
  const h = peekHeader(bytes);
  if (!h || h.version !== 1 || codeClass(h.code) === 3) return false;
  if (parseCoap(bytes).kind === 'ok') return true;
  return h.type === CoapType.CON || h.type === CoapType.NON;
}
