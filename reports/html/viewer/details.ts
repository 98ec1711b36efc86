// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
// An opened test: why it ended as it did, what it checks against which spec, the exchange as a
// sequence chart, its notes, and the board's console lines while it ran (paged, on demand).
import type { ReportData, ReportTest } from '../report-data.js';
import type { sequenceChart } from './chart.js';
import type { ConsoleStore } from './console-store.js';
import type { El, Kit, ViewerWindow } from './dom.js';
import type { Fmt } from './format.js';
import type { makePager } from './pager.js';

declare const window: ViewerWindow;

export interface DetailParts {
  kit: Kit;
  fmt: Fmt;
  makePager: typeof makePager;
  sequenceChart: typeof sequenceChart;
  store: ConsoleStore;
}

export function testDetails(p: DetailParts, data: ReportData, t: ReportTest): El {
  const { h } = p.kit;
  const { fmt } = p;
  const CHART_PAGE = 150;
  const CONSOLE_PAGE = 500;
  const run = data.runs[t.run];
  const board = run?.label ?? 'board';
  const section = (title: string, ...body: (El | string | null | undefined | false)[]): El => h('section', 'd-sec', h('h3', '', title), ...body);

  /** 'RFC 7252 §4.2' links to the section at rfc-editor.org; other references stay text. */
  const specRef = (ref: string): El => {
    const m = /^RFC\s?(\d{3,5})(?:\s*§\s*(\d+(?:\.\d+)*))?/.exec(ref);
    if (!m) return h('li', '', ref);
    const a = h('a', 'ref', ref);
    a.href = `https://www.rfc-editor.org/rfc/rfc${m[1]}${m[2] ? `#section-${m[2]}` : ''}`;
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
    return h('li', '', a);
  };

  const why = ((): El | null => {
    if (t.verdict === 'pass' && !t.message) return null;
    const title = { fail: 'Failed', error: 'Error', inconclusive: 'Inconclusive', pass: 'Passed' }[t.verdict];
    const head = h('div', 'why-head', h('span', 'why-icon', fmt.icon[t.verdict]), ` ${title}`);
    if (t.rule) head.append(h('span', 'why-rule', `rule broken: ${t.rule}`));
    if (t.errorName) head.append(h('span', 'why-rule', t.errorName));
    return h('div', `why why-${t.verdict}`, head, t.message ? h('pre', 'why-text', t.message) : null);
  })();

  const checks = section(
    'Checks',
    t.specRefs.length > 0 ? h('ul', 'refs', ...t.specRefs.map(specRef)) : h('p', 'muted', 'no spec reference given'),
    t.needs.length > 0 ? h('div', 'needs', h('span', 'muted', 'needs from the board: '), ...t.needs.map((n) => h('code', 'chip', n))) : null,
  );

  const facts = h(
    'dl',
    'd-facts',
    h('dt', '', 'Started'),
    h('dd', '', fmt.when(t.startedAt)),
    h('dt', '', 'Took'),
    h('dd', '', fmt.duration(t.durationMs), t.clockMs !== undefined && run && run.clockFactor !== 1 ? h('span', 'muted', ` (${fmt.duration(t.clockMs)} on the board's clock)`) : null),
    h('dt', '', 'Suite'),
    h('dd', '', t.suite, data.runs.length > 1 ? ` · ${board}` : ''),
    ...(t.file ? [h('dt', '', 'Spec file'), h('dd', 'mono small', t.file)] : []),
  );

  const exchange = ((): El => {
    const n = t.exchange.length;
    if (n === 0) return section('Exchange', h('p', 'muted', 'no CoAP messages were exchanged'));
    const box = h('div', 'msc-box');
    // the messages the failure quotes, word for word: the evidence, drawn so
    const cited = new Set<number>();
    const quoted = t.verdict === 'pass' ? '' : (t.message ?? '');
    for (let i = 0; i < n && quoted !== ''; i++) {
      const text = t.exchange[i]!.text;
      if (text.length >= 12 && quoted.includes(text)) cited.add(i);
    }
    const pager = p.makePager(p.kit, n, CHART_PAGE, n === 1 ? 'message' : 'messages', (from, to) => {
      box.replaceChildren(p.sequenceChart(p.kit, t.exchange, from, to, board, cited));
    });
    const retrans = t.exchange.filter((m) => m.retransmission > 0).length;
    const malformed = t.exchange.filter((m) => m.type === undefined).length;
    const legend = h(
      'p',
      'legend muted',
      'rig on the left, board on the right; hover an arrow for the whole decoded message',
      retrans > 0 ? h('span', 'lg-retrans', ` · ↻ ${retrans} retransmission${retrans === 1 ? '' : 's'} (dashed)`) : null,
      malformed > 0 ? h('span', 'lg-malformed', ` · ⚠ ${malformed} not CoAP (✕)`) : null,
      cited.size > 0 ? h('span', 'lg-cited', ` · ⚑ quoted by the failure`) : null,
    );
    pager.show(0);
    return section(`Exchange (${fmt.count(n)} message${n === 1 ? '' : 's'})`, legend, box, pager.pages > 1 ? pager.el : null);
  })();

  const notes = t.notes.length > 0 ? section(`Notes (${t.notes.length})`, h('ol', 'notes', ...t.notes.map((n) => h('li', '', n)))) : null;

  const consoleSec = ((): El => {
    const n = t.consoleCount;
    if (n === 0) return section('Console', h('p', 'muted', 'the board printed nothing while this test ran (or the rig did not see its console)'));
    const button = h('button', 'show-console', `Show ${fmt.count(n)} console line${n === 1 ? '' : 's'}`);
    button.setAttribute('type', 'button');
    button.setAttribute('aria-expanded', 'false');
    const box = h('div', 'console-box');
    box.hidden = true;
    let built = false;
    button.addEventListener('click', () => {
      if (built) {
        box.hidden = !box.hidden;
        button.setAttribute('aria-expanded', String(!box.hidden));
        button.textContent = box.hidden ? `Show ${fmt.count(n)} console line${n === 1 ? '' : 's'}` : 'Hide console';
        return;
      }
      built = true;
      button.disabled = true;
      button.textContent = 'Unpacking the console…';
      p.store.lines().then(
        (all) => {
          const lines = all.slice(t.consoleFrom, t.consoleFrom + n);
          const view = h('div', 'console');
          const filter = h('input', 'console-filter');
          filter.setAttribute('type', 'search');
          filter.setAttribute('placeholder', 'show only lines containing…  (<err>, <wrn>, a module, a MID)');
          filter.setAttribute('aria-label', 'filter the console lines');
          const slot = h('div', 'console-pager');
          /** shows the lines whose index is in `picked` (all lines when undefined), a page at a time */
          const show = (picked: number[] | undefined): void => {
            const count = picked ? picked.length : lines.length;
            const pager = p.makePager(p.kit, count, CONSOLE_PAGE, picked ? `matching lines of ${fmt.count(lines.length)}` : 'lines', (from, to) => {
              const rows: El[] = [];
              for (let k = from; k < to; k++) {
                const i = picked ? picked[k]! : k;
                // colour codes are for terminals; here they would only be noise
                const text = lines[i]!.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
                const level = /<err>|\bERROR\b|^E \(/.test(text) ? ' ln-err' : /<wrn>|\bWARN(ING)?\b|^W \(/.test(text) ? ' ln-wrn' : '';
                rows.push(h('div', `ln${level}`, h('span', 'ln-n', String(i + 1)), h('span', 'ln-t', text)));
              }
              view.replaceChildren(...rows);
            });
            pager.show(0);
            slot.replaceChildren(pager.el);
          };
          let typing: number | undefined;
          filter.addEventListener('input', () => {
            if (typing !== undefined) window.clearTimeout(typing);
            typing = window.setTimeout(() => {
              const q = filter.value.toLowerCase();
              if (q === '') return show(undefined);
              const picked: number[] = [];
              for (let i = 0; i < lines.length; i++) if (lines[i]!.toLowerCase().includes(q)) picked.push(i);
              show(picked);
            }, 150);
          });
          show(undefined);
          box.replaceChildren(filter, view, slot);
          box.hidden = false;
          button.disabled = false;
          button.textContent = 'Hide console';
          button.setAttribute('aria-expanded', 'true');
        },
        (e: unknown) => {
          box.replaceChildren(h('p', 'warn', e instanceof Error ? e.message : String(e)));
          box.hidden = false;
          button.remove();
        },
      );
    });
    return section(`Console (${fmt.count(n)} line${n === 1 ? '' : 's'})`, button, box);
  })();

  return h('div', 'detail', why, h('div', 'd-grid', checks, section('Run', facts)), exchange, notes, consoleSec);
}
