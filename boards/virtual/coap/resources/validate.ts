// Conditional requests (RFC 7252 §5.10.6, §5.10.8): /validate carries an ETag that changes with
// every update (TD_COAP_CORE_21: GET with the current ETag earns 2.03 Valid; TD_COAP_CORE_22: a
// PUT whose If-Match names an old ETag earns 4.12), and /create1 exists only once a PUT made it
// (TD_COAP_CORE_23: PUT with If-None-Match creates it once, 4.12 afterwards).
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, contentFormat, etags, getOptions, hasOption } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import type { CoapMessage } from '../../../../protocols/coap/coap-types.js';
import type { CoapExchange } from '../../../../protocols/coap/server-exchange.js';
import type { BoardResource } from '../resource.js';

interface Representation {
  body: Uint8Array;
  cf: number | undefined;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** §5.10.8.1: met when any If-Match value is the current ETag, or is empty and the resource exists. */
function ifMatchHolds(req: CoapMessage, etag: Uint8Array | undefined): boolean {
  const values = getOptions(req, CoapOptionNumber.IF_MATCH);
  if (values.length === 0) return true;
  return etag !== undefined && values.some((v) => v.length === 0 || sameBytes(v, etag));
}

/** §5.10.8.2: met when the resource has no current representation. */
const ifNoneMatchHolds = (req: CoapMessage, exists: boolean): boolean => !hasOption(req, CoapOptionNumber.IF_NONE_MATCH) || !exists;

function respondWith(x: CoapExchange, rep: Representation, extra: { number: number; value: Uint8Array }[] = []): void {
  x.respond({ code: CoapCode.CONTENT, payload: rep.body, contentFormat: rep.cf, options: extra });
}

export function validateResource(): BoardResource {
  const initial = (): Representation => ({ body: new TextEncoder().encode('validate: initial representation'), cf: ContentFormat.TEXT_PLAIN });
  let rep = initial();
  let version = 1;
  // four bytes of the version: a new ETag for every change, cheap to compare
  const etag = (): Uint8Array => Uint8Array.of(version >>> 24, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff);
  const etagOption = () => ({ number: CoapOptionNumber.ETAG, value: etag() });
  return {
    path: '/validate',
    link: { title: 'Resource which varies', ct: 0 },
    handlers: {
      GET: (x) => {
        const current = etag();
        // §5.10.6.2: the client's stored representation is still current: 2.03 without a body
        if (etags(x.request).some((e) => sameBytes(e, current))) return x.respond({ code: CoapCode.VALID, options: [etagOption()] });
        respondWith(x, rep, [etagOption()]);
      },
      PUT: (x) => {
        if (!ifMatchHolds(x.request, etag()) || !ifNoneMatchHolds(x.request, true)) return x.respond({ code: CoapCode.PRECONDITION_FAILED });
        rep = { body: x.request.payload.slice(), cf: contentFormat(x.request) };
        version++;
        x.respond({ code: CoapCode.CHANGED, options: [etagOption()] });
      },
      DELETE: (x) => {
        rep = initial();
        version++;
        x.respond({ code: CoapCode.DELETED });
      },
    },
  };
}

export function create1Resource(): BoardResource {
  let rep: Representation | undefined;
  const path = '/create1';
  return {
    path,
    // listed in /.well-known/core only while it exists
    links: () => (rep ? [{ path, attrs: { title: 'Resource which does not exist yet (to perform atomic PUT)' } }] : []),
    handlers: {
      GET: (x) => (rep ? respondWith(x, rep) : x.respond({ code: CoapCode.NOT_FOUND })),
      PUT: (x) => {
        if (!ifNoneMatchHolds(x.request, rep !== undefined) || !ifMatchHolds(x.request, rep ? Uint8Array.of() : undefined)) {
          return x.respond({ code: CoapCode.PRECONDITION_FAILED });
        }
        const created = rep === undefined;
        rep = { body: x.request.payload.slice(), cf: contentFormat(x.request) };
        x.respond({ code: created ? CoapCode.CREATED : CoapCode.CHANGED });
      },
      DELETE: (x) => {
        rep = undefined;
        x.respond({ code: CoapCode.DELETED });
      },
    },
  };
}
