// Errors of block-wise transfers. A peer that breaks a rule of RFC 7959 or RFC 9177 fails the
// transfer with a CoapBlockError whose message starts with the rule and section, so a verdict
// can quote it as is ("RFC 7959 §2.2: block 3 of 5 has M=0 but is not the last").
import { HilrigError } from '../../../rig/engine/index.js';
import type { CoapMessage } from '../coap-types.js';

export class CoapBlockError extends HilrigError {
  constructor(
    /** 'RFC 7959 §2.2', the rule the peer broke or the condition that ended the transfer */
    readonly rule: string,
    what: string,
    /** the message that showed it, when one did */
    readonly response?: CoapMessage,
  ) {
    super('PROTOCOL', `${rule}: ${what}`);
  }
}
