// A test that needs a resource the board may lack (the plugtest's /test, /separate, /large...)
// ends inconclusive, naming it, when the board answers 4.04 Not Found or 4.05 Method Not
// Allowed: nothing is wrong with a board that simply does not offer it.
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import type { CoapMessage } from '../../../protocols/coap/coap-types.js';
import { inconclusive } from '../../../rig/runner/verdicts.js';
import { codeText } from './text.js';

export function requireResource(response: CoapMessage, method: string, path: string, why: string): void {
  if (response.code === CoapCode.NOT_FOUND || response.code === CoapCode.METHOD_NOT_ALLOWED) {
    inconclusive(`the board has no ${method} ${path} (answered ${codeText(response.code)}); ${why}`);
  }
}
