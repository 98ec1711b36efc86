// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
// Long lists (tests, console lines, exchange messages) are shown a page at a time, so a run of
// 200 000 console lines never puts them all in the DOM.
import type { El, Kit } from './dom.js';

export interface Pager {
  /** the bar: ‹ Previous · 101–200 of 480 tests · Next › */
  readonly el: El;
  readonly page: number;
  readonly pages: number;
  /** render page `n` (clamped) through the callback and update the bar */
  show(n: number): void;
}

/** A pager over `total` items, `size` a page; `render(from, to)` draws items [from, to). */
export function makePager(kit: Kit, total: number, size: number, noun: string, render: (from: number, to: number) => void): Pager {
  const { h } = kit;
  const pages = Math.max(1, Math.ceil(total / size));
  const prev = h('button', 'pg-btn', '‹ Previous');
  const next = h('button', 'pg-btn', 'Next ›');
  const where = h('span', 'pg-where');
  const el = h('div', 'pager', prev, where, next);
  prev.setAttribute('type', 'button');
  next.setAttribute('type', 'button');
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const state = {
    el,
    page: 0,
    pages,
    show(n: number): void {
      state.page = Math.min(Math.max(0, n), pages - 1);
      const from = state.page * size;
      const to = Math.min(total, from + size);
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      where.textContent = total === 0 ? `no ${noun}` : pages === 1 ? `${fmt(total)} ${noun}` : `${fmt(from + 1)}–${fmt(to)} of ${fmt(total)} ${noun}`;
      prev.hidden = next.hidden = pages === 1;
      render(from, to);
    },
  };
  prev.addEventListener('click', () => state.show(state.page - 1));
  next.addEventListener('click', () => state.show(state.page + 1));
  return state;
}
