// /test, the plugtest's default resource (TD_COAP_CORE_01-08, 10, 11, 18): GET describes the
// request, POST creates (2.01 with a Location-Path), PUT stores (2.01 when it created the
// representation, else 2.04), DELETE removes it (2.02); over CON and NON alike.
//
// POST answers with a count of the POSTs this boot has processed, which makes a request
// processed twice visible (the duplicate-processed bug mode, RFC 7252 §4.5).
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, contentFormat, hasOption } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import type { BoardResource } from '../resource.js';
import { describeRequest } from './describe.js';

export function testResource(): BoardResource {
  let posts = 0;
  let stored: { body: Uint8Array; cf: number | undefined } | undefined;
  return {
    path: '/test',
    link: { title: 'Default test resource', ct: 0 },
    handlers: {
      GET: (x) => x.respond({ code: CoapCode.CONTENT, payload: describeRequest(x.request), contentFormat: ContentFormat.TEXT_PLAIN }),
      POST: (x) => {
        posts++;
        x.respond({
          code: CoapCode.CREATED,
          payload: `POST ${posts} processed`,
          contentFormat: ContentFormat.TEXT_PLAIN,
          options: ['location1', 'location2', 'location3'].map((s) => ({ number: CoapOptionNumber.LOCATION_PATH, value: s })),
        });
      },
      PUT: (x) => {
        const created = stored === undefined;
        // If-None-Match: only when nothing was PUT yet (RFC 7252 §5.10.8.2)
        if (!created && hasOption(x.request, CoapOptionNumber.IF_NONE_MATCH)) return x.respond({ code: CoapCode.PRECONDITION_FAILED });
        stored = { body: x.request.payload.slice(), cf: contentFormat(x.request) };
        x.respond({ code: created ? CoapCode.CREATED : CoapCode.CHANGED });
      },
      DELETE: (x) => {
        stored = undefined;
        x.respond({ code: CoapCode.DELETED });
      },
    },
  };
}
