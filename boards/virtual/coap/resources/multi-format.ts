// /multi-format (TD_COAP_CORE_20): one resource, two representations chosen by Accept:
// text/plain (0, also when there is no Accept) or application/xml (41); any other Accept is
// 4.06 Not Acceptable (RFC 7252 §5.10.4).
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { accept } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import { COAP_TYPE_NAMES } from '../../../../protocols/coap/coap-types.js';
import type { BoardResource } from '../resource.js';
import { describeRequest } from './describe.js';

export function multiFormatResource(): BoardResource {
  return {
    path: '/multi-format',
    link: { title: 'Resource that exists in different content formats (text/plain utf8 and application/xml)', ct: [ContentFormat.TEXT_PLAIN, ContentFormat.XML] },
    handlers: {
      GET: (x) => {
        const want = accept(x.request) ?? ContentFormat.TEXT_PLAIN;
        const req = x.request;
        if (want === ContentFormat.TEXT_PLAIN) {
          x.respond({ code: CoapCode.CONTENT, contentFormat: want, payload: describeRequest(req) });
        } else if (want === ContentFormat.XML) {
          const xml = `<msg type="${COAP_TYPE_NAMES[req.type]}" code="${req.code}" mid="${req.mid}" accept="${want}"/>`;
          x.respond({ code: CoapCode.CONTENT, contentFormat: want, payload: xml });
        } else {
          x.respond({ code: CoapCode.NOT_ACCEPTABLE, payload: 'text/plain (0) or application/xml (41) only' });
        }
      },
    },
  };
}
