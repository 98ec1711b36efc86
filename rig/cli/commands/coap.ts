// `hilrig coap`: a CoAP client for people, in place of libcoap's coap-client. It loads only the
// engine, the UDP (or serial) driver and the CoAP stack, so a one-shot request starts about as
// fast as Node itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usage, usageError } from '../cli-support.js';
import { Exit } from '../exit-codes.js';
import { runCoap, type CoapCliRequest } from '../../coap/coap-cli-run.js';

export const help = `hilrig coap: a CoAP client (RFC 7252, block-wise RFC 7959, Observe RFC 7641)

Usage: hilrig coap get|put|post|delete|observe|discover|ping URI [options]

URI:
  coap://HOST[:PORT]/PATH[?QUERY]                 CoAP over UDP (port 5683 by default)
  coap+serial:///dev/ttyACM0/PATH?baud=115200     CoAP over slipmux on a serial line; baud,
                                                  dataBits, parity, stopBits, flow, mode go to
                                                  the line, other query items to the request

Options:
  --payload TEXT          request body (put/post)
  --file FILE             request body from FILE (- for standard input)
  --out FILE              write the response body to FILE (default: standard output)
  --content-format N      Content-Format of the body: a number or a media type (text/plain, application/json, ...)
  --accept N              Accept: a number or a media type
  --block SIZE            block size for block-wise transfers: 16, 32, ..., 1024 (default: downloads follow
                          the server's blocks; uploads larger than 1024 bytes go in 1024-byte Block1 blocks)
  --non                   send NON instead of CON
  --qblock                upload with Q-Block1 (RFC 9177): bursts of blocks without waiting for each
                          answer, for links with a long round trip; falls back to Block1 when the
                          server answers 4.02
  --observe-count N       observe: stop after N notifications (default 3; 0 = until Ctrl-C)
  --option NUM=VALUE      an extra option (repeatable); VALUE is text, or 0x.. for bytes, or #N for a uint
  --token HEX             the request token (default: 4 random bytes)
  --timeout MS            give up after MS of waiting for an answer (default 93000, MAX_TRANSMIT_WAIT)
  -v, --verbose           show every message as it crosses: type, code, MID, token, options, payload size
  -h, --help              this text

Exit codes: 0 a 2.xx answer, 1 a 4.xx/5.xx answer (the code is printed), 2 usage,
3 no answer (timeout) or the link failed.

Examples:
  hilrig coap get coap://127.0.0.1/.well-known/core
  hilrig coap put coap://127.0.0.1/large-update --file image.bin --block 1024 -v
  hilrig coap observe coap://127.0.0.1/obs --observe-count 5
  hilrig coap get coap+serial:///dev/ttyUSB0/test?baud=115200
`;

const VERBS = ['get', 'put', 'post', 'delete', 'observe', 'discover', 'ping'] as const;
type Verb = (typeof VERBS)[number];

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        payload: { type: 'string' },
        file: { type: 'string' },
        out: { type: 'string' },
        'content-format': { type: 'string' },
        accept: { type: 'string' },
        block: { type: 'string' },
        non: { type: 'boolean' },
        qblock: { type: 'boolean' },
        'observe-count': { type: 'string' },
        option: { type: 'string', multiple: true },
        token: { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage('coap', usageError(e));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  const [verb, uri, ...extra] = positionals;
  if (verb === undefined || !VERBS.includes(verb as Verb)) return usage('coap', `expected a method first: ${VERBS.join('|')}${verb ? `, got "${verb}"` : ''}`);
  if (uri === undefined) return usage('coap', 'expected a URI after the method, e.g. coap://127.0.0.1/test');
  if (extra.length > 0) return usage('coap', `unexpected argument "${extra[0]}"`);
  if (v.payload !== undefined && v.file !== undefined) return usage('coap', '--payload and --file are alternatives; give one');
  let req: CoapCliRequest;
  try {
    req = {
      verb: verb as Verb,
      uri,
      payload: v.file !== undefined ? readBody(v.file) : v.payload !== undefined ? new TextEncoder().encode(v.payload) : undefined,
      contentFormat: v['content-format'] !== undefined ? await formatNumber('--content-format', v['content-format']) : undefined,
      accept: v.accept !== undefined ? await formatNumber('--accept', v.accept) : undefined,
      blockSize: v.block !== undefined ? blockSize(v.block) : undefined,
      confirmable: !v.non,
      observeCount: v['observe-count'] !== undefined ? count('--observe-count', v['observe-count']) : 3,
      options: (v.option ?? []).map(parseOption),
      token: v.token !== undefined ? parseToken(v.token) : undefined,
      timeoutMs: v.timeout !== undefined ? count('--timeout', v.timeout) : undefined,
      verbose: v.verbose === true,
      qblock: v.qblock === true,
    };
  } catch (e) {
    return usage('coap', (e as Error).message);
  }
  return runCoap(req, {
    body: (bytes) => (v.out !== undefined ? writeFileSync(v.out, bytes) : void process.stdout.write(bytes)),
    info: (line) => void process.stderr.write(`${line}\n`),
  });
}

function readBody(file: string): Uint8Array {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new TypeError(`--file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function formatNumber(opt: string, text: string): Promise<number> {
  if (/^\d+$/.test(text)) return Number(text);
  const { contentFormatFor } = await import('../../../protocols/coap/content-formats.js');
  // 'text/plain' is registered only with its charset parameter; people leave it out
  const n = contentFormatFor(text) ?? contentFormatFor(`${text};charset=utf-8`);
  if (n === undefined) throw new TypeError(`${opt} ${text}: not a number nor a registered media type (e.g. text/plain, application/json, application/cbor)`);
  return n;
}

function blockSize(text: string): number {
  const n = Number(text);
  if (![16, 32, 64, 128, 256, 512, 1024].includes(n)) throw new TypeError(`--block ${text}: expected a power of two from 16 to 1024`);
  return n;
}

function count(opt: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${opt} ${text}: expected a whole number >= 0`);
  return n;
}

function parseOption(text: string): { number: number; value: Uint8Array | string | number } {
  const m = /^(\d+)=(.*)$/s.exec(text);
  if (!m) throw new TypeError(`--option ${text}: expected NUM=VALUE, e.g. 2049=abc, 60=#1024, 4=0x0a0b`);
  const value = m[2]!;
  if (/^#\d+$/.test(value)) return { number: Number(m[1]), value: Number(value.slice(1)) };
  if (/^0x([0-9a-f]{2})*$/i.test(value)) return { number: Number(m[1]), value: Uint8Array.from(Buffer.from(value.slice(2), 'hex')) };
  return { number: Number(m[1]), value };
}

function parseToken(text: string): Uint8Array {
  if (!/^([0-9a-f]{2}){0,8}$/i.test(text)) throw new TypeError(`--token ${text}: expected 0 to 8 bytes in hex, e.g. 0a0b0c0d`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
