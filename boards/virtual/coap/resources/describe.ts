// The text the plugtest resources answer with: what the server saw of the request (type, code,
// Message ID, token), so a tester can check that the server read its message right.
import { formatCode } from '../../../../protocols/coap/coap-codes.js';
import { type CoapMessage, COAP_TYPE_NAMES } from '../../../../protocols/coap/coap-types.js';
import { METHOD_BY_CODE } from '../resource.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function describeRequest(msg: CoapMessage): string {
  const method = METHOD_BY_CODE.get(msg.code) ?? formatCode(msg.code);
  const lines = [`Type: ${msg.type} (${COAP_TYPE_NAMES[msg.type]})`, `Code: ${msg.code} (${method})`, `MID: ${msg.mid}`];
  if (msg.token.length > 0) lines.push(`Token: ${hex(msg.token)}`);
  return lines.join('\n');
}
