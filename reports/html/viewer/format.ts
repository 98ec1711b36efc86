// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
// How numbers, times and verdicts read. A verdict is never a colour alone: each has an icon and
// its word, so the page reads the same in greyscale and to colour-blind eyes.
import type { Verdict } from '../../results/result-model.js';
import type { El, Kit } from './dom.js';

export interface Fmt {
  /** 850 ms, 3.22 s, 2 min 05 s, 1 h 02 min */
  duration(ms: number): string;
  /** local date and time, to the second */
  when(iso: string): string;
  count(n: number): string;
  readonly icon: Record<Verdict, string>;
  /** the verdict as a badge: icon and word */
  badge(v: Verdict): El;
}

export function formats(kit: Kit): Fmt {
  const icon: Record<Verdict, string> = { pass: '✓', fail: '✗', error: '⚠', inconclusive: '?' };
  return {
    icon,
    duration(ms) {
      if (!Number.isFinite(ms)) return '?';
      if (ms < 1000) return `${Math.round(ms)} ms`;
      if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
      const s = Math.round(ms / 1000);
      if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
      return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
    },
    when(iso) {
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return iso;
      const p = (n: number): string => String(n).padStart(2, '0');
      const zone = -d.getTimezoneOffset();
      const tz = zone === 0 ? 'UTC' : `UTC${zone > 0 ? '+' : '−'}${p(Math.floor(Math.abs(zone) / 60))}:${p(Math.abs(zone) % 60)}`;
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${tz}`;
    },
    count(n) {
      return n.toLocaleString('en-US');
    },
    badge(v) {
      const b = kit.h('span', `badge v-${v}`, kit.h('span', 'badge-icon', icon[v] ?? '•'), v);
      b.setAttribute('aria-label', `verdict: ${v}`);
      return b;
    },
  };
}
