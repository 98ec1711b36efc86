// Checks of option values against the registry, kept apart from parse on purpose: a known option
// with a bad value is not a message format error. RFC 7252 §5.4.3 and §5.4.5 say a receiver treats
// it like an unrecognized option, which matters only when it is critical (4.02 Bad Option, or a
// rejected response), and a conformance suite needs to see such a message to judge the board.

import type { CoapMessage, CoapOption } from './coap-types.js';
import { OPTION_DEFS } from './option-registry.js';

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface OptionViolation {
  number: number;
  /** index of the offending occurrence in msg.options */
  index: number;
  rule: string;
}

/**
 * Occurrences of known options that break their definition: a length outside the registered
 * bounds (§5.4.3), a string value that is not UTF-8 (§3.2), a second occurrence of a
 * non-repeatable option (§5.4.5). Options with unknown numbers are not checked.
 */
export function checkOptionFormats(msg: CoapMessage): OptionViolation[] {
  const out: OptionViolation[] = [];
  const opts: readonly CoapOption[] = msg.options;
  for (let i = 0; i < opts.length; i++) {
    const { number, value } = opts[i]!;
    const d = OPTION_DEFS.get(number);
    if (!d) continue;
    const len = value.length;
    if (len < d.minLength || len > d.maxLength) {
      const range = d.minLength === d.maxLength ? `${d.minLength}` : `${d.minLength}-${d.maxLength}`;
      out.push({ number, index: i, rule: `RFC 7252 §5.4.3: ${d.name} value length ${len} outside ${range} (${d.source}); treat as unrecognized` });
    } else if (d.format === 'string' && !isUtf8(value)) {
      out.push({ number, index: i, rule: `RFC 7252 §3.2: ${d.name} value is not UTF-8 (string format)` });
    }
    if (!d.repeatable && i > 0 && opts[i - 1]!.number === number) {
      out.push({ number, index: i, rule: `RFC 7252 §5.4.5: ${d.name} is not repeatable; a supernumerary occurrence is treated as unrecognized` });
    }
  }
  return out;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
