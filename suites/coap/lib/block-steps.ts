// The steps of the TD_COAP_BLOCK descriptions, checked one request/answer at a time. Uploads are
// driven here (the descriptions allow a stateless server's 2.04 with M=0 where block1Put wants
// 2.31, and check every Block1 echo); downloads are driven by the protocol's block2Get /
// continueBlock2 and then every step is read back from the link's log and checked as the
// description lists it: NUM, M, SZX, payload size and code.
import { block1, block2, type BlockValue, blockSize, encodeBlock } from '../../../protocols/coap/block-option.js';
import { CoapCode, describeCode } from '../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, type OptionValueInput } from '../../../protocols/coap/coap-options.js';
import type { CoapMessage } from '../../../protocols/coap/coap-types.js';
import { check } from '../../../rig/runner/verdicts.js';
import { expectCode } from './expect-response.js';
import type { Answer, Link } from './link.js';
import { requestPairs } from './transport-checks.js';

const show = (b: BlockValue): string => `NUM=${b.num} M=${b.more ? 1 : 0} SZX=${b.szx} (${blockSize(b.szx)} B)`;

/** The valid block option `which` of `msg`, or a failure naming `rule`. */
function blockOf(msg: CoapMessage, which: typeof block1, name: string, rule: string, what: string): BlockValue {
  const b = which(msg);
  check(b !== undefined, rule, `${what} was answered ${describeCode(msg.code)} without a ${name} option`);
  check(b.kind === 'ok', 'RFC 7959 §2.2', `${what}: the ${name} option of the answer is not valid (${b.kind === 'malformed' ? b.rule : b.kind})`);
  return b.value;
}

export interface UploadSpec {
  method: 'PUT' | 'POST';
  path: string;
  contentFormat: number;
  /** the desired block size exponent (DES_SZX) */
  szx: number;
  /** a 2.04 with Block1 M=0 to a non-final block is allowed (TD_COAP_BLOCK_03's stateless server) */
  stateless: boolean;
  finalCodes: number[];
  id: string;
}

/** Upload `body` in Block1 blocks, checking every answer; resolves with the final one. */
export async function uploadBlocks(link: Link, u: UploadSpec, body: Uint8Array): Promise<Answer> {
  let szx = u.szx;
  let offset = 0;
  let num = 0;
  for (;;) {
    const size = blockSize(szx);
    const chunk = body.subarray(offset, offset + size);
    const more = offset + chunk.length < body.length;
    const options: { number: number; value: OptionValueInput }[] = [{ number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num, more, szx }) }];
    // Size1 on the first block tells the server the whole size (RFC 7959 §4)
    if (num === 0) options.push({ number: CoapOptionNumber.SIZE1, value: body.length });
    const a = await link.request({ method: u.method, path: u.path, contentFormat: u.contentFormat, payload: chunk, options });
    const what = `${u.method} ${u.path} block ${num} (${show({ num, more, szx })})`;
    if (!more) {
      expectCode(a.msg, u.finalCodes, `RFC 7959 §2.3 (${u.id})`, what);
      const b = blockOf(a.msg, block1, 'Block1', 'RFC 7959 §2.3', what);
      check(b.num === num && !b.more, 'RFC 7959 §2.3', `the final ${describeCode(a.msg.code)} to ${what} echoes Block1 ${show(b)}, not NUM=${num} M=0`);
      return a;
    }
    const stateless = u.stateless && a.msg.code === CoapCode.CHANGED;
    if (!stateless) expectCode(a.msg, [CoapCode.CONTINUE], 'RFC 7959 §2.3', what);
    const b = blockOf(a.msg, block1, 'Block1', 'RFC 7959 §2.3', what);
    check(b.num === num, 'RFC 7959 §2.3', `the ${describeCode(a.msg.code)} to ${what} acknowledges Block1 ${show(b)}, not block ${num}`);
    check(
      b.more === !stateless,
      'RFC 7959 §2.3',
      stateless
        ? `${what} was answered 2.04 Changed with Block1 ${show(b)}: a server that takes blocks one by one (stateless) answers M=0, one that assembles the body answers 2.31 Continue`
        : `the 2.31 Continue to ${what} echoes Block1 ${show(b)}: M=1 says the server keeps the blocks for an atomic update`,
    );
    check(b.szx <= szx, 'RFC 7959 §2.5', `the answer to ${what} asks for ${blockSize(b.szx)}-byte blocks, larger than the ${size} bytes in use`);
    offset += chunk.length;
    // late negotiation: the same offset in the (smaller) blocks the server asked for
    szx = b.szx;
    num = offset / blockSize(szx);
  }
}

export interface Block2Expect {
  /** the SZX the first request asked for (early negotiation); undefined: late negotiation */
  desSzx?: number;
  /** the code every block carries (2.05 for GET, 2.04 for the answer to a POST) */
  code: number;
  target: string;
}

/**
 * Check a finished Block2 download from the log, from entry `from` on: every answer carries
 * Block2 at the offset asked for, no larger than asked, M=1 and full on every block but the
 * last, M=0 on the last; returns how many blocks there were.
 */
export function checkBlock2Steps(link: Link, from: number, e: Block2Expect): number {
  const pairs = requestPairs(link.client.log, from).filter((p) => p.msg);
  pairs.forEach((p, i) => {
    const msg = p.msg!;
    const asked = block2(p.req);
    const want = asked?.kind === 'ok' ? asked.value : undefined;
    const what = `${e.target} ${want ? `asking Block2 ${show(want)}` : 'without Block2'}`;
    check(msg.code === e.code, 'RFC 7959 §2.4', `${what} was answered ${describeCode(msg.code)}, expected ${describeCode(e.code)} like every block of the transfer`);
    const b = blockOf(msg, block2, 'Block2', 'RFC 7959 §2.4', what);
    const ceiling = want?.szx ?? e.desSzx ?? 6;
    check(b.szx <= ceiling, 'RFC 7959 §2.4', `${what} got Block2 ${show(b)}: larger than the ${blockSize(ceiling)} bytes asked for`);
    const offset = want ? want.num * blockSize(want.szx) : 0;
    check(b.num * blockSize(b.szx) === offset, 'RFC 7959 §2.4', `${what} got Block2 ${show(b)}, at offset ${b.num * blockSize(b.szx)} instead of ${offset}`);
    const last = i === pairs.length - 1;
    check(b.more === !last, 'RFC 7959 §2.2', `${what} got Block2 ${show(b)}: M=${last ? '0 on the last block' : '1 on every block but the last'} (block ${i + 1} of ${pairs.length})`);
    const len = msg.payload.length;
    check(b.more ? len === blockSize(b.szx) : len > 0 && len <= blockSize(b.szx), 'RFC 7959 §2.2', `${what} got Block2 ${show(b)} with ${len} bytes of payload: a block with M=1 is full, the last one 1 to ${blockSize(b.szx)} bytes`);
  });
  return pairs.length;
}

/** A body of `n` bytes of numbered text lines, different on every call. */
export function uploadBody(n: number, what: string): Uint8Array {
  const tag = Math.random().toString(36).slice(2, 8);
  let s = '';
  for (let i = 0; s.length < n; i++) s += `${what} ${tag} line ${String(i).padStart(3, '0')}\n`;
  return new TextEncoder().encode(s.slice(0, n));
}
