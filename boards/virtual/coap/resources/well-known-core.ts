// /.well-known/core (RFC 6690 §4, TD_COAP_LINK_01-09): every listed resource as a link with
// its attributes, served as application/link-format (Content-Format 40, §7.1), filtered by the
// query (`?rt=Type1`, `?href=/link*`, `?obs`, §4.1), and block-wise when it outgrows one block.
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { uriQuery } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import { filterLinks, formatLinkFormat, type Link } from '../../../../protocols/coap/link-format.js';
import { CoapBug } from '../../services/coap-bugs.js';
import type { BlockTransfers } from '../blockwise.js';
import type { BoardResource, LinkAttrs } from '../resource.js';

function toLink(path: string, attrs: LinkAttrs): Link {
  const m = new Map<string, string[] | true>();
  for (const [name, v] of Object.entries(attrs)) {
    // a list attribute is one quoted, space-separated value (ct="0 41"), §2 and RFC 7252 §7.2.1
    m.set(name, v === true ? true : [Array.isArray(v) ? v.join(' ') : String(v)]);
  }
  return { target: path, attrs: m };
}

/** Every link the board lists, in resource order, runtime sub-resources after their parent. */
export function boardLinks(resources: readonly BoardResource[]): Link[] {
  const out: Link[] = [];
  for (const r of resources) {
    if (r.link) out.push(toLink(r.path, r.link));
    for (const extra of r.links?.() ?? []) out.push(toLink(extra.path, extra.attrs));
  }
  return out;
}

export function wellKnownCoreResource(all: () => readonly BoardResource[], blocks: BlockTransfers): BoardResource {
  return {
    path: '/.well-known/core',
    handlers: {
      GET: (x, rc) => {
        const query = uriQuery(x.request);
        const links = query.length > 0 ? filterLinks(boardLinks(all()), query) : boardLinks(all());
        const cf = rc.bug(CoapBug.CoreWrongContentFormat) ? ContentFormat.TEXT_PLAIN : ContentFormat.LINK_FORMAT;
        blocks.respond(x, { code: CoapCode.CONTENT, contentFormat: cf, payload: formatLinkFormat(links) });
      },
    },
  };
}
