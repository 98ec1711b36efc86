// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals;
// the other parts come in as `parts`.
// The page: reads the report's data from its JSON block, draws the header, the filters and one
// page of the test table; a row opens to the test's details. Everything from the data is set as
// text (textContent, text nodes), never parsed as markup.
import type { Verdict } from '../../results/result-model.js';
import type { ReportData, ReportTest } from '../report-data.js';
import type { sequenceChart } from './chart.js';
import type { consoleStore } from './console-store.js';
import type { testDetails } from './details.js';
import type { El, ViewerDocument, ViewerWindow } from './dom.js';
import type { formats } from './format.js';
import type { renderHeader } from './header.js';
import type { domKit } from './kit.js';
import type { makePager, Pager } from './pager.js';

declare const document: ViewerDocument;
declare const window: ViewerWindow;

export interface ViewerParts {
  domKit: typeof domKit;
  formats: typeof formats;
  makePager: typeof makePager;
  sequenceChart: typeof sequenceChart;
  consoleStore: typeof consoleStore;
  renderHeader: typeof renderHeader;
  testDetails: typeof testDetails;
}

export function viewerMain(parts: ViewerParts): void {
  const PAGE = 100;
  const ALL: Verdict[] = ['fail', 'error', 'inconclusive', 'pass'];
  const app = document.getElementById('app');
  const block = document.getElementById('data');
  if (!app || !block) return;
  const data = JSON.parse(block.textContent ?? '{}') as ReportData;
  const kit = parts.domKit();
  const { h } = kit;
  const fmt = parts.formats(kit);
  const store = parts.consoleStore('console');
  const merged = data.runs.length > 1;
  const state = { verdicts: new Set<Verdict>(ALL), suite: '', run: -1, query: '' };
  /** indices into data.tests of the tests shown open */
  const open = new Set<number>();
  let haystacks: string[] | undefined;
  let shown: number[] = [];
  let pager: Pager | undefined;

  const keyOf = (t: ReportTest): string => (merged ? `${data.runs[t.run]?.label ?? t.run}/${t.id}` : t.id);
  const haystack = (i: number): string => {
    haystacks ??= data.tests.map((t) =>
      [t.id, t.title, t.message, t.rule, t.errorName, t.suite, ...t.specRefs, ...t.notes, ...t.exchange.map((m) => m.text)]
        .filter((s) => s !== undefined && s !== '')
        .join('\n')
        .toLowerCase(),
    );
    return haystacks[i] ?? '';
  };

  // ---- controls
  const search = h('input', 'search');
  search.setAttribute('type', 'search');
  search.setAttribute('placeholder', 'Search id, title, message, notes, messages   ( / )');
  search.setAttribute('aria-label', 'search the tests');
  const chips = new Map<Verdict, El>();
  const chipBox = h('div', 'chips');
  chipBox.setAttribute('role', 'group');
  chipBox.setAttribute('aria-label', 'verdicts shown');
  for (const v of ALL) {
    const chip = h('button', `chip-v v-${v}`, h('span', 'badge-icon', fmt.icon[v]), ` ${v} `, h('span', 'chip-n', fmt.count(data.counts[v])));
    chip.setAttribute('type', 'button');
    chip.dataset.filterVerdict = v;
    chip.addEventListener('click', (ev) => {
      // alt/ctrl/cmd-click: this verdict alone
      if (ev.altKey || ev.ctrlKey || ev.metaKey) showOnly(v);
      else {
        if (state.verdicts.has(v)) state.verdicts.delete(v);
        else state.verdicts.add(v);
        update();
      }
    });
    chips.set(v, chip);
    chipBox.append(chip);
  }
  const select = (label: string, options: [string, string][], onChange: (value: string) => void): El => {
    const s = h('select', 'select');
    s.setAttribute('aria-label', label);
    for (const [value, text] of options) {
      const o = h('option', '', text);
      o.value = value;
      s.append(o);
    }
    s.addEventListener('change', () => onChange(s.value));
    return s;
  };
  const suiteSelect = select('suite', [['', 'all suites'], ...data.suites.map((s): [string, string] => [s, `suite ${s}`])], (v) => {
    state.suite = v;
    update();
  });
  suiteSelect.dataset.filter = 'suite';
  const boardSelect = merged
    ? select('board', [['-1', 'all boards'], ...data.runs.map((r, i): [string, string] => [String(i), r.label])], (v) => {
        state.run = Number(v);
        update();
      })
    : null;
  if (boardSelect) boardSelect.dataset.filter = 'board';
  const reset = h('button', 'reset', 'Show all');
  reset.setAttribute('type', 'button');
  reset.addEventListener('click', () => {
    state.verdicts = new Set(ALL);
    state.suite = '';
    state.run = -1;
    state.query = '';
    search.value = '';
    suiteSelect.value = '';
    if (boardSelect) boardSelect.value = '-1';
    update();
  });
  const summary = h('span', 'shown');
  summary.setAttribute('aria-live', 'polite');
  const controls = h('div', 'controls', search, chipBox, suiteSelect, boardSelect, reset, summary);
  let typing: number | undefined;
  search.addEventListener('input', () => {
    if (typing !== undefined) window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      state.query = search.value.trim().toLowerCase();
      update();
    }, 120);
  });

  // ---- the table
  const cols = merged ? ['Verdict', 'Test', 'Board', 'Suite', 'Took'] : ['Verdict', 'Test', 'Suite', 'Took'];
  const tbody = h('tbody', '');
  const table = h('table', 'tests', h('thead', '', h('tr', '', ...cols.map((c) => h('th', c === 'Took' ? 'num' : '', c)))), tbody);
  const pagerSlot = h('div', 'pager-slot');
  const empty = h('p', 'empty', 'No test matches these filters.');
  empty.hidden = true;

  function row(i: number): El {
    const t = data.tests[i]!;
    const firstLine = t.message ? t.message.split('\n', 1)[0]! : '';
    const test = h('td', 'test', h('div', 'test-id', t.id), h('div', 'test-title', t.title), t.verdict !== 'pass' && firstLine ? h('div', 'test-msg', firstLine) : null);
    const tr = h(
      'tr',
      `row r-${t.verdict}`,
      h('td', 'verdict', fmt.badge(t.verdict)),
      test,
      merged ? h('td', 'board', data.runs[t.run]?.label ?? '') : null,
      h('td', 'suite', t.suite),
      h('td', 'num', fmt.duration(t.durationMs)),
    );
    tr.tabIndex = 0;
    tr.dataset.index = String(i);
    tr.dataset.verdict = t.verdict;
    tr.setAttribute('aria-expanded', 'false');
    tr.addEventListener('click', () => toggle(i, tr));
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        toggle(i, tr);
      }
    });
    return tr;
  }

  function openDetail(i: number, tr: El): void {
    const td = h('td', '', parts.testDetails({ kit, fmt, makePager: parts.makePager, sequenceChart: parts.sequenceChart, store }, data, data.tests[i]!));
    td.colSpan = cols.length;
    const detail = h('tr', 'detail-row', td);
    detail.dataset.detailOf = String(i);
    tr.after(detail);
    tr.setAttribute('aria-expanded', 'true');
    tr.classList.add('open');
  }

  function toggle(i: number, tr: El): void {
    if (open.has(i)) {
      open.delete(i);
      const next = tr.nextSibling;
      if (next && next.dataset.detailOf === String(i)) next.remove();
      tr.setAttribute('aria-expanded', 'false');
      tr.classList.remove('open');
      if (window.location.hash !== '') window.history.replaceState(null, '', ' ');
    } else {
      open.add(i);
      openDetail(i, tr);
      window.history.replaceState(null, '', `#${encodeURIComponent(keyOf(data.tests[i]!))}`);
    }
  }

  function renderRows(from: number, to: number): void {
    const rows: El[] = [];
    for (let k = from; k < to; k++) rows.push(row(shown[k]!));
    tbody.replaceChildren(...rows);
    for (const tr of rows) {
      const i = Number(tr.dataset.index);
      if (open.has(i)) openDetail(i, tr);
    }
  }

  function matches(i: number): boolean {
    const t = data.tests[i]!;
    if (!state.verdicts.has(t.verdict)) return false;
    if (state.suite !== '' && t.suite !== state.suite) return false;
    if (state.run >= 0 && t.run !== state.run) return false;
    return state.query === '' || haystack(i).includes(state.query);
  }

  function update(page = 0): void {
    shown = [];
    for (let i = 0; i < data.tests.length; i++) if (matches(i)) shown.push(i);
    for (const [v, chip] of chips) {
      chip.setAttribute('aria-pressed', String(state.verdicts.has(v)));
      chip.classList.toggle('off', !state.verdicts.has(v));
    }
    const filtered = shown.length !== data.tests.length;
    reset.hidden = !filtered;
    summary.textContent = filtered ? `${fmt.count(shown.length)} of ${fmt.count(data.tests.length)} tests` : `${fmt.count(data.tests.length)} tests`;
    empty.hidden = shown.length > 0 || data.tests.length === 0;
    pager = parts.makePager(kit, shown.length, PAGE, 'tests', renderRows);
    pager.show(page);
    pagerSlot.replaceChildren(pager.pages > 1 ? pager.el : '');
  }

  function showOnly(v: Verdict): void {
    state.verdicts = new Set([v]);
    update();
    controls.scrollIntoView({ block: 'start' });
  }

  // ---- the page
  const header = parts.renderHeader(kit, fmt, data, showOnly);
  const noTests = data.tests.length === 0 ? h('p', 'empty', 'No test ended in this run.') : null;
  const foot = h('footer', 'foot', `generated ${fmt.when(data.generatedAt)} by hilrig · failed and errored tests first · click a test for its exchange, notes and console`);
  app.replaceChildren(header, h('main', '', controls, noTests, empty, table, pagerSlot), foot);
  document.title = data.title;
  update();

  // a link to one test (#TD_COAP_CORE_01, or #board/ID in a merged report) opens it
  let target = '';
  try {
    target = decodeURIComponent(window.location.hash.slice(1));
  } catch {
    // a hand-typed address with a broken %-escape: open nothing
  }
  if (target !== '') {
    const i = data.tests.findIndex((t) => keyOf(t) === target);
    const at = shown.indexOf(i);
    if (i >= 0 && at >= 0) {
      pager?.show(Math.floor(at / PAGE));
      const tr = tbody.querySelector(`tr[data-index="${i}"]`);
      if (tr) {
        toggle(i, tr);
        tr.scrollIntoView({ block: 'start' });
      }
    }
  }

  document.addEventListener('keydown', (ev) => {
    const tag = document.activeElement?.getAttribute('type');
    if (ev.key === '/' && document.activeElement !== search && tag !== 'search' && tag !== 'text') {
      ev.preventDefault();
      search.focus();
    }
  });
  document.documentElement.setAttribute('data-ready', '');
}
