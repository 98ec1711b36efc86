// The block-wise resources (TD_COAP_BLOCK_01-06): /large is a body larger than one block served
// with Block2; /large-update takes a Block1 (or Q-Block1, RFC 9177) PUT and serves it back; /large-create makes a new
// sub-resource per Block1 POST (2.01 with its Location-Path); /large-post answers a Block1 POST
// with a body as large as the upload (the text in upper case), served with Block2 (RFC 7959 §3.3).
import { qblockParams } from '../../../../protocols/coap/block/qblock-params.js';
import { QBlock1Receiver } from '../../../../protocols/coap/block/qblock1-receiver.js';
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { resolveParams } from '../../../../protocols/coap/coap-params.js';
import { CoapOptionNumber, contentFormat } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import { formatLinkFormat } from '../../../../protocols/coap/link-format.js';
import type { BlockTransfers } from '../blockwise.js';
import type { BoardResource } from '../resource.js';

/** The /large body: 30 numbered lines of 51 bytes (1530 bytes; the last block is a short one). */
export function largeBody(): Uint8Array {
  const lines: string[] = [];
  for (let i = 1; i <= 30; i++) lines.push(`| /large line ${String(i).padStart(2, '0')} of 30: block-wise transfer body |\n`);
  return new TextEncoder().encode(lines.join(''));
}

interface Stored {
  body: Uint8Array;
  cf: number | undefined;
}

export function largeResource(blocks: BlockTransfers): BoardResource {
  const body = largeBody();
  return {
    path: '/large',
    link: { title: 'Large resource', rt: 'block', sz: body.length, ct: 0 },
    handlers: { GET: (x) => blocks.respond(x, { code: CoapCode.CONTENT, contentFormat: ContentFormat.TEXT_PLAIN, payload: body }) },
  };
}

export function largeUpdateResource(blocks: BlockTransfers, maxBodyBytes: number): BoardResource {
  let rep: Stored = { body: largeBody(), cf: ContentFormat.TEXT_PLAIN };
  // RFC 9177: the body may also come as a burst of NON Q-Block1 blocks (the board's firmware
  // upload path will want it); the RFC's parameters for the default CoAP transmission ones
  const qblock = new QBlock1Receiver({
    maxBodySize: maxBodyBytes,
    params: qblockParams(resolveParams()),
    onBody: (body, x) => {
      rep = { body, cf: contentFormat(x.request) };
      return { code: CoapCode.CHANGED };
    },
  });
  return {
    path: '/large-update',
    link: { title: 'Large resource that can be updated using PUT method', rt: 'block', ct: 0 },
    handlers: {
      GET: (x) => blocks.respond(x, { code: CoapCode.CONTENT, contentFormat: rep.cf, payload: rep.body }),
      PUT: (x, rc) => {
        if (qblock.receive(x, rc.ep, rc.now)) return;
        const got = blocks.receive(x, rc.now);
        if (!got) return;
        rep = { body: got.body, cf: contentFormat(x.request) };
        blocks.respond(x, { code: CoapCode.CHANGED }, got.echo);
      },
    },
    poll: (now) => qblock.poll(now),
  };
}

export function largeCreateResource(blocks: BlockTransfers): BoardResource {
  const created = new Map<string, Stored>();
  let counter = 0;
  const base = '/large-create';
  return {
    path: base,
    subtree: true,
    link: { title: 'Large resource that can be created using POST method', rt: 'block' },
    links: () => [...created].map(([name, s]) => ({ path: `${base}/${name}`, attrs: { sz: s.body.length, ...(s.cf === undefined ? {} : { ct: s.cf }) } })),
    handlers: {
      GET: (x, rc) => {
        if (rc.path.length === 1) {
          const list = [...created.keys()].map((n) => ({ target: `${base}/${n}`, attrs: new Map<string, string[] | true>() }));
          return x.respond({ code: CoapCode.CONTENT, contentFormat: ContentFormat.LINK_FORMAT, payload: formatLinkFormat(list) });
        }
        const s = rc.path.length === 2 ? created.get(rc.path[1]!) : undefined;
        if (!s) return x.respond({ code: CoapCode.NOT_FOUND });
        blocks.respond(x, { code: CoapCode.CONTENT, contentFormat: s.cf, payload: s.body });
      },
      POST: (x, rc) => {
        if (rc.path.length !== 1) return x.respond({ code: CoapCode.METHOD_NOT_ALLOWED });
        const got = blocks.receive(x, rc.now);
        if (!got) return;
        const name = String(++counter);
        created.set(name, { body: got.body, cf: contentFormat(x.request) });
        const location = [base.slice(1), name].map((s) => ({ number: CoapOptionNumber.LOCATION_PATH, value: s }));
        blocks.respond(x, { code: CoapCode.CREATED, options: location }, got.echo);
      },
      DELETE: (x, rc) => {
        if (rc.path.length !== 2 || !created.delete(rc.path[1]!)) return x.respond({ code: rc.path.length === 1 ? CoapCode.METHOD_NOT_ALLOWED : CoapCode.NOT_FOUND });
        x.respond({ code: CoapCode.DELETED });
      },
    },
  };
}

export function largePostResource(blocks: BlockTransfers): BoardResource {
  return {
    path: '/large-post',
    link: { title: 'Handle POST with two-way blockwise transfer', rt: 'block' },
    handlers: {
      POST: (x, rc) => {
        // a later block of the answer to the last upload (POST, Block2 NUM > 0, no payload)
        if (blocks.serveKept(x, rc.now)) return;
        const got = blocks.receive(x, rc.now);
        if (!got) return;
        const cf = contentFormat(x.request);
        const isText = cf === undefined || cf === ContentFormat.TEXT_PLAIN;
        const body = isText ? new TextEncoder().encode(new TextDecoder().decode(got.body).toUpperCase()) : got.body;
        blocks.respondKept(x, { code: CoapCode.CHANGED, contentFormat: isText ? ContentFormat.TEXT_PLAIN : cf, payload: body }, got.echo, rc.now);
      },
    },
  };
}
