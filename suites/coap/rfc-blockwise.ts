// RFC 7959 block-wise transfers beyond the plugtest's happy paths: an upload announced larger
// than any board takes is refused with 4.13 and the limit in Size1 (§2.9.3, §4); Block2 blocks
// keep their M bit and SZX consistent over a whole transfer (§2.2, §2.4); every non-final
// Block1 block is answered 2.31 Continue (§2.3).
import { block2 as block2Of, blockSize, encodeBlock } from '../../protocols/coap/block-option.js';
import { CoapCode, isSuccess } from '../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, size1 } from '../../protocols/coap/coap-options.js';
import { check, coapTest, type TestContext } from '../../rig/runner/suite-api.js';
import { inconclusive, RuleViolation } from '../../rig/runner/verdicts.js';
import { block1Upload, judgeNonFinal } from './rfc-lib/block1-upload.js';
import { confirmable } from './rfc-lib/confirmable.js';
import { download } from './rfc-lib/download.js';
import { openLink } from './rfc-lib/link.js';
import { requireResource } from './rfc-lib/resources.js';
import { codeText, requestText } from './rfc-lib/text.js';

const SUITE = 'coap';
const UPDATE = '/large-update';
/** 100 MiB: more than any board's upload limit */
const HUGE = 100 * 1024 * 1024;

async function block2Consistent(t: TestContext): Promise<void> {
  const l = await openLink(t);
  const late = await download(l, '/large', undefined);
  if (late.first.response.code === CoapCode.NOT_FOUND) {
    // no plugtest /large: the link list is the one larger resource every board should have
    const small = await download(l, '/.well-known/core', 0);
    requireResource(small.first.response, 'GET', '/large', 'nor /.well-known/core to download in 16-byte blocks');
    if (block2Of(small.first.response) === undefined) inconclusive('the board has no /large, and sent /.well-known/core whole although 16-byte blocks were asked for: no block-wise transfer to judge');
    t.note(`no /large: /.well-known/core in 16-byte blocks, ${small.blocks} blocks, ${small.body.length} bytes`);
    return;
  }
  requireResource(late.first.response, 'GET', '/large', 'no large resource to download');
  if (block2Of(late.first.response) === undefined) inconclusive(`GET /large was answered in one message (${late.body.length} bytes) without Block2: no block-wise transfer to judge`);
  const early = await download(l, '/large', 2);
  check(
    early.body.length === late.body.length && Buffer.compare(Buffer.from(early.body), Buffer.from(late.body)) === 0,
    'RFC 7959 §2.4',
    `/large in 64-byte blocks (${early.body.length} bytes) differs from /large in the board's block size (${late.body.length} bytes)`,
  );
  t.note(`/large: ${late.blocks} blocks in the board's size, ${early.blocks} blocks of 64 bytes, ${late.body.length} bytes`);
}

async function size1TooLarge(t: TestContext): Promise<void> {
  const l = await openLink(t);
  const szx = 6;
  const a = await confirmable(l, {
    method: 'PUT',
    path: UPDATE,
    contentFormat: 0,
    payload: new Uint8Array(blockSize(szx)).fill(0x78),
    options: [
      { number: CoapOptionNumber.BLOCK1, value: encodeBlock({ num: 0, more: true, szx }) },
      { number: CoapOptionNumber.SIZE1, value: HUGE },
    ],
  });
  const req = requestText(a.request);
  requireResource(a.response, 'PUT', UPDATE, 'no resource that takes a Block1 upload');
  const code = a.response.code;
  if (code === CoapCode.REQUEST_ENTITY_TOO_LARGE) {
    const limit = size1(a.response);
    check(limit !== undefined, 'RFC 7252 §5.9.2.9', `${req} announcing ${HUGE} bytes (Size1) was answered 4.13 without Size1: a 4.13 SHOULD say the largest body the server takes (RFC 7959 §2.9.3)`);
    check(limit < HUGE, 'RFC 7959 §2.9.3', `${req} announcing ${HUGE} bytes was answered 4.13 with Size1 ${limit}: a limit no smaller than the body it refuses`);
    t.note(`4.13 with Size1 ${limit}`);
    return;
  }
  if (isSuccess(code)) judgeNonFinal(a.request, a.response, 0, szx);
  // RFC 7959 §4 makes Size1 in a request a size indication, and §2.9.3 allows a 4.13 "at any
  // time" of a Block1 transfer without requiring it on the first block: a board that waits for
  // the data to pass its limit breaks no rule, and sending 100 MiB to find out is no test
  inconclusive(
    `${req} announcing ${HUGE} bytes in Size1 was answered ${codeText(code)}, not 4.13: the board does not act on the size indication (RFC 7959 §4, §2.9.3 allow it to refuse later, when the data passes its limit)`,
  );
}

async function block1Continue(t: TestContext): Promise<void> {
  const l = await openLink(t);
  // upload what the resource holds now, so that it holds the same afterwards
  let body: Uint8Array = new TextEncoder().encode('hilrig Block1 check: '.padEnd(600, '.'));
  let contentFormat: number | undefined = 0;
  try {
    const now = await download(l, UPDATE, undefined);
    requireResource(now.first.response, 'GET', UPDATE, 'no resource that takes a Block1 upload');
    if (now.body.length > 32) ({ body, contentFormat } = now);
    else t.note(`${UPDATE} held ${now.body.length} bytes, too few for blocks: uploading ${body.length} bytes of text instead`);
  } catch (e) {
    // a broken Block2 download is another test's verdict; this one is about the upload
    if (!(e instanceof RuleViolation && e.rule.startsWith('RFC 7959'))) throw e;
    t.note(`GET ${UPDATE} failed (${e.message}): uploading ${body.length} bytes of text instead of its own body`);
  }
  // at least two blocks, at most 256 bytes each
  let szx = 4;
  while (szx > 0 && body.length <= blockSize(szx)) szx--;
  const up = await block1Upload(l, { method: 'PUT', path: UPDATE, contentFormat }, body, szx);
  if (up.kind === 'refused') {
    const r = up.answer.response;
    requireResource(r, 'PUT', UPDATE, 'no resource that takes a Block1 upload');
    if (r.code === CoapCode.REQUEST_ENTITY_TOO_LARGE) inconclusive(`the board refuses a ${body.length}-byte body (4.13, Size1 ${size1(r) ?? 'absent'}): no upload to judge`);
    check(false, 'RFC 7959 §2.3', `block ${up.at} of ${requestText(up.answer.request)} (a ${body.length}-byte body in ${blockSize(szx)}-byte blocks, sent in order) was answered ${codeText(r.code)}`);
  }
  if (up.nonAtomic.length > 0) {
    inconclusive(`the board acted on each block as it came (success without 2.31 and Block1 M=0 for blocks ${up.nonAtomic.join(', ')}), which RFC 7959 §2.3 allows: no atomic upload to judge`);
  }
  t.note(`${up.blocks} blocks of ${blockSize(szx)} bytes, every non-final one answered 2.31; final ${codeText(up.final.response.code)}`);
}

describe('RFC 7959: block-wise transfers', () => {
  coapTest(
    SUITE,
    {
      id: 'RFC7959_2.9.3_SIZE1_TOO_LARGE',
      title: 'A Block1 upload announced (Size1) larger than the board takes is refused with 4.13 and the limit in Size1',
      refs: ['RFC 7959 §2.9.3', 'RFC 7959 §4', 'RFC 7252 §5.9.2.9'],
      needs: [`PUT ${UPDATE} with Block1`],
    },
    size1TooLarge,
  );
  coapTest(
    SUITE,
    {
      id: 'RFC7959_2.2_BLOCK2_CONSISTENT',
      title: 'Block2 responses keep M and SZX consistent over a whole transfer, late and early negotiation alike',
      refs: ['RFC 7959 §2.2', 'RFC 7959 §2.4'],
      needs: ['/large (or /.well-known/core longer than 16 bytes)'],
    },
    block2Consistent,
  );
  coapTest(
    SUITE,
    {
      id: 'RFC7959_2.3_BLOCK1_CONTINUE',
      title: 'Every non-final block of a Block1 upload is answered 2.31 Continue echoing the block',
      refs: ['RFC 7959 §2.3', 'RFC 7959 §2.5'],
      needs: [`GET and PUT ${UPDATE} with Block1`],
    },
    block1Continue,
  );
});
