// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
import type { Child, Kit, ViewerDocument } from './dom.js';

declare const document: ViewerDocument;

/** Element builders. Text goes in as text nodes (append of a string), so board text stays text. */
export function domKit(): Kit {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const add = (parent: { append(...n: Child[]): void }, children: (Child | null | undefined | false)[]): void => {
    for (const c of children) if (c !== null && c !== undefined && c !== false) parent.append(c);
  };
  return {
    h(tag, cls, ...children) {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      add(e, children);
      return e;
    },
    svg(tag, attrs, ...children) {
      const e = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      add(e, children);
      return e;
    },
  };
}
