// The plugtest's addressing resources: a long path (TD_COAP_CORE_12), a query echo
// (TD_COAP_CORE_13), Location-Query on create (TD_COAP_CORE_19), a small tree under /path and
// three links with overlapping rt/if values for the discovery filters (TD_COAP_LINK_*).
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { CoapOptionNumber, uriQuery } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import { formatLinkFormat } from '../../../../protocols/coap/link-format.js';
import type { BoardResource } from '../resource.js';
import { describeRequest } from './describe.js';

const text = (payload: string) => ({ code: CoapCode.CONTENT, payload, contentFormat: ContentFormat.TEXT_PLAIN });

export function longPathResource(): BoardResource {
  return {
    path: '/seg1/seg2/seg3',
    link: { title: 'Long path resource' },
    handlers: { GET: (x) => x.respond(text(describeRequest(x.request))) },
  };
}

export function queryResource(): BoardResource {
  return {
    path: '/query',
    link: { title: 'Resource accepting query parameters' },
    handlers: {
      // the Uri-Query options as the server read them, in order, joined as in a URI
      GET: (x) => x.respond(text(`${describeRequest(x.request)}\nQuery: ${uriQuery(x.request).join('&')}`)),
    },
  };
}

export function locationQueryResource(): BoardResource {
  return {
    path: '/location-query',
    link: { title: 'Perform POST transaction with responses containing several Location-Query options (CON mode)' },
    handlers: {
      POST: (x) =>
        x.respond({
          code: CoapCode.CREATED,
          options: ['first=1', 'second=2'].map((q) => ({ number: CoapOptionNumber.LOCATION_QUERY, value: q })),
        }),
    },
  };
}

/** /path lists its children in link-format; /path/sub1..3 answer with their name. */
export function pathResources(): BoardResource[] {
  const subs = ['sub1', 'sub2', 'sub3'];
  const children = subs.map((s): BoardResource => ({
    path: `/path/${s}`,
    link: { title: `Hierarchical link description sub-resource ${s}` },
    handlers: { GET: (x) => x.respond(text(`/path/${s}`)) },
  }));
  const parent: BoardResource = {
    path: '/path',
    link: { title: 'Hierarchical link description entry', ct: ContentFormat.LINK_FORMAT },
    handlers: {
      GET: (x) =>
        x.respond({
          code: CoapCode.CONTENT,
          contentFormat: ContentFormat.LINK_FORMAT,
          payload: formatLinkFormat(subs.map((s) => ({ target: `/path/${s}`, attrs: new Map([['title', [`sub-resource ${s}`]]]) }))),
        }),
    },
  };
  return [parent, ...children];
}

/** Three resources whose rt and if values overlap, for rt=/if= filtering and wildcards. */
export function linkResources(): BoardResource[] {
  const defs: [string, string, string][] = [
    ['/link1', 'Type1 Type2', 'If1'],
    ['/link2', 'Type2 Type3', 'If2'],
    ['/link3', 'Type1 Type3', 'foo'],
  ];
  return defs.map(([path, rt, ifv]) => ({
    path,
    link: { rt, if: ifv, title: `Link test resource ${path.slice(1)}` },
    handlers: { GET: (x) => x.respond(text(path)) },
  }));
}
