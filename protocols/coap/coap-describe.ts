// One line per CoAP message for people: `CON 0.01 GET MID 0x1a2b token 0a0b0c0d Uri-Path:"test"
// Block2:2/1/64 (0 B)`. Used by `hilrig coap -v`, the suites' exchange logs and the reports.
import { decodeBlock } from './block-option.js';
import { codeName, formatCode } from './coap-codes.js';
import { decodeUint, OPTION_DEFS, optionName } from './coap-options.js';
import { describeContentFormat } from './content-formats.js';
import { COAP_TYPE_NAMES, type CoapMessage, type CoapOption } from './coap-types.js';

const BLOCK_OPTIONS = new Set([23, 27, 19, 31]);
const CONTENT_FORMAT_OPTIONS = new Set([12, 17]);
const printable = /^[\x20-\x7e]*$/;

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** An option as `Name:value`, its value shown in the option's own format. */
export function describeOption(o: CoapOption): string {
  const name = optionName(o.number);
  if (BLOCK_OPTIONS.has(o.number)) {
    const b = decodeBlock(o.value);
    return b.kind === 'ok' ? `${name}:${b.value.num}/${b.value.more ? 1 : 0}/${2 ** (b.value.szx + 4)}` : `${name}:0x${hex(o.value)}(bad)`;
  }
  if (CONTENT_FORMAT_OPTIONS.has(o.number)) return `${name}:${describeContentFormat(decodeUint(o.value))}`;
  const format = OPTION_DEFS.get(o.number)?.format;
  if (format === 'empty') return name;
  if (format === 'uint' && o.value.length <= 4) return `${name}:${decodeUint(o.value)}`;
  const text = Buffer.from(o.value.buffer, o.value.byteOffset, o.value.byteLength).toString('utf8');
  if ((format === 'string' || format === undefined) && printable.test(text) && text.length === o.value.length) return `${name}:"${text}"`;
  return `${name}:0x${hex(o.value)}`;
}

export function describeMessage(m: CoapMessage): string {
  const type = COAP_TYPE_NAMES[m.type] ?? `T${m.type}`;
  const code = m.code === 0 ? '0.00 Empty' : `${formatCode(m.code)} ${codeName(m.code) ?? ''}`.trimEnd();
  const token = m.token.length > 0 ? ` token ${hex(m.token)}` : '';
  const opts = m.options.length > 0 ? ` ${m.options.map(describeOption).join(' ')}` : '';
  return `${type} ${code} MID 0x${m.mid.toString(16).padStart(4, '0')}${token}${opts} (${m.payload.length} B)`;
}
