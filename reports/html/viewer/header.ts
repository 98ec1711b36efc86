// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
// The top of the page: which board, which firmware, where and when it ran, and how it went.
import type { Verdict } from '../../results/result-model.js';
import type { ReportData, ReportLink, ReportRun } from '../report-data.js';
import type { El, Kit } from './dom.js';
import type { Fmt } from './format.js';

/** `onVerdict(v)` shows only tests of verdict v (the counts are buttons). */
export function renderHeader(kit: Kit, fmt: Fmt, data: ReportData, onVerdict: (v: Verdict) => void): El {
  const { h } = kit;
  const c = data.counts;
  const merged = data.runs.length > 1;

  const status = ((): El => {
    if (c.total === 0) return h('div', 'status s-none', 'no test ended');
    const failed = c.fail > 0 ? `${fmt.count(c.fail)} failed` : '';
    const errors = c.error > 0 ? `${fmt.count(c.error)} in error` : '';
    if (c.fail > 0 || c.error > 0) {
      const what = [failed, errors].filter((s) => s !== '').join(', ');
      return h('div', `status ${c.fail > 0 ? 's-fail' : 's-error'}`, `${c.fail > 0 ? fmt.icon.fail : fmt.icon.error} ${what} of ${fmt.count(c.total)}`);
    }
    const inc = c.inconclusive > 0 ? `, ${fmt.count(c.inconclusive)} inconclusive` : '';
    return h('div', 'status s-pass', `${fmt.icon.pass} all ${fmt.count(c.total - c.inconclusive)} passed${inc}`);
  })();

  /** Links to the run's files; only relative paths (no scheme), as the report writes them. */
  const files = (links: readonly ReportLink[]): El => {
    const box = h('span', 'files');
    for (const l of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(l.href) || l.href.startsWith('//')) continue;
      const a = h('a', 'file', l.name);
      a.href = l.href;
      box.append(a);
    }
    return box;
  };

  const fact = (term: string, ...value: (El | string | null | undefined | false)[]): El[] => [h('dt', '', term), h('dd', '', ...value)];

  const firmware = (r: ReportRun): (El | string)[] => (r.firmware?.version ? [h('span', 'mono', r.firmware.version)] : [h('span', 'muted', 'not seen on the console')]);

  const clock = (r: ReportRun): string => (r.clockFactor === 1 ? 'real time' : `${r.clockFactor}× real time`);

  const warnings = h('div', 'warnings');
  for (const r of data.runs) {
    const who = merged ? `${r.label}: ` : '';
    if (r.interrupted) warnings.append(h('p', 'warn', `⚠ ${who}the run was interrupted: ${fmt.count(r.counts.notRun)} of ${fmt.count(r.planned)} tests did not run`));
    else if (!r.finished) warnings.append(h('p', 'warn', `⚠ ${who}the run had not finished when this results.json was written (a run in progress, or one that was killed)`));
    else if (r.counts.notRun > 0) warnings.append(h('p', 'warn', `⚠ ${who}${fmt.count(r.counts.notRun)} selected tests did not run (--bail)`));
    if (r.board.bugs && r.board.bugs.length > 0) warnings.append(h('p', 'note', `${who}the virtual board broke rules on purpose: ${r.board.bugs.join(', ')}`));
  }

  let facts: El;
  if (!merged) {
    const r = data.runs[0];
    facts = h('dl', 'facts');
    if (r) {
      facts.append(
        ...fact('Board', h('strong', '', r.board.name), r.board.coapUrl ? h('span', 'mono muted', ` ${r.board.coapUrl}`) : null),
        ...fact('Firmware', ...firmware(r)),
        ...(r.firmware?.banner ? fact('Banner', h('span', 'mono', r.firmware.banner)) : []),
        ...fact('Rig host', h('span', 'mono', r.host)),
        ...fact('Started', h('time', '', fmt.when(r.startedAt))),
        ...fact('Duration', fmt.duration(r.durationMs)),
        ...fact('Suites', r.suites.join(', '), r.grep !== undefined ? h('span', 'muted', ` (--grep ${r.grep})`) : null),
        ...fact('Clock', clock(r), h('span', 'muted', ` · per-test timeout ${fmt.duration(r.timeoutMs)} · hilrig ${r.hilrig}`)),
      );
      if (r.links.length > 0) facts.append(...fact('Files', files(r.links)));
    }
  } else {
    const head = h('tr', '', ...['Board', 'Firmware', 'Rig host', 'Started', 'Duration', 'Verdicts', 'Files'].map((t) => h('th', '', t)));
    const body = h('tbody', '');
    for (const r of data.runs) {
      const k = r.counts;
      const tally = h('span', 'tally');
      for (const v of ['fail', 'error', 'inconclusive', 'pass'] as const) if (k[v] > 0) tally.append(h('span', `tally-item v-${v}-text`, `${fmt.icon[v]} ${fmt.count(k[v])} ${v}`));
      const fw = h('td', '', ...firmware(r));
      if (r.firmware?.banner) fw.title = r.firmware.banner;
      body.append(
        h(
          'tr',
          '',
          h('td', '', h('strong', '', r.label), r.board.coapUrl ? h('div', 'mono muted small', r.board.coapUrl) : null),
          fw,
          h('td', 'mono', r.host),
          h('td', '', fmt.when(r.startedAt)),
          h('td', 'num', fmt.duration(r.durationMs)),
          h('td', '', tally),
          h('td', '', files(r.links)),
        ),
      );
    }
    facts = h('table', 'runs', h('thead', '', head), body);
  }

  const counts = h('div', 'counts');
  counts.setAttribute('role', 'group');
  counts.setAttribute('aria-label', 'tests by verdict; choose one to show only those');
  for (const v of ['fail', 'error', 'inconclusive', 'pass'] as const) {
    const b = h('button', `count c-${v}`, h('span', 'count-n', fmt.count(c[v])), h('span', 'count-label', `${fmt.icon[v]} ${v}`));
    b.setAttribute('type', 'button');
    b.dataset.verdict = v;
    b.title = `show only ${v} tests`;
    b.addEventListener('click', () => onVerdict(v));
    counts.append(b);
  }
  counts.append(h('div', 'count c-total', h('span', 'count-n', fmt.count(c.total)), h('span', 'count-label', 'tests ended')));
  if (c.notRun > 0) counts.append(h('div', 'count c-notrun', h('span', 'count-n', fmt.count(c.notRun)), h('span', 'count-label', 'not run')));

  return h(
    'header',
    'top',
    h('div', 'top-row', h('div', 'title-block', h('div', 'eyebrow', 'hilrig test report'), h('h1', '', data.title)), status),
    facts,
    counts,
    warnings.textContent === '' ? null : warnings,
  );
}
