// Part of the report's viewer, which runs in the browser: this function's source text goes into
// the page (viewer-script.ts), so it may use nothing from outside its own body but browser globals.
// A test's exchange as a message-sequence chart: the rig's lifeline on the left, the board's on
// the right, one arrow per message, labelled with what an engineer reads first (type, code,
// Message ID, token, the options that matter), the whole decoded line in the arrow's tooltip.
import type { ExchangeMessage } from '../../results/result-model.js';
import type { El, Kit } from './dom.js';

/**
 * Messages [from, to) of `msgs` as an <svg>; `board` names the right-hand lifeline; `cited` are
 * the indices of messages the failure message quotes (drawn as the evidence).
 */
export function sequenceChart(kit: Kit, msgs: readonly ExchangeMessage[], from: number, to: number, board: string, cited: ReadonlySet<number>): El {
  const { svg } = kit;
  const W = 980;
  const RIG_X = 180;
  const BOARD_X = W - 170;
  const ROW = 48;
  const TOP = 58;
  const n = to - from;
  const H = TOP + n * ROW + 14;
  const mid = (RIG_X + BOARD_X) / 2;
  const MAX_LABEL = 84;

  const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const ms = (t: number): string => (t >= 10_000 ? `${(t / 1000).toFixed(2)} s` : `${t.toFixed(t >= 100 ? 0 : 1)} ms`);
  const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

  /** The options of the decoded line, Uri-Path segments joined into one path. */
  function keyOptions(m: ExchangeMessage): string {
    const tokenAt = m.token ? m.text.indexOf(`token ${m.token}`) : -1;
    let rest = tokenAt >= 0 ? m.text.slice(tokenAt + 6 + (m.token ?? '').length) : m.text.replace(/^.*?MID 0x[0-9a-fA-F]+/, '');
    rest = rest.replace(/\s*\(\d+ B\)\s*$/, '');
    const parts: string[] = [];
    const path: string[] = [];
    const query: string[] = [];
    for (const o of rest.matchAll(/([A-Za-z][\w-]*):("(?:[^"\\]|\\.)*"|\S+)/g)) {
      const name = o[1]!;
      const value = o[2]!.startsWith('"') ? o[2]!.slice(1, -1) : o[2]!;
      if (name === 'Uri-Path') path.push(value);
      else if (name === 'Uri-Query') query.push(value);
      else parts.push(`${name}:${value}`);
    }
    const uri = path.length > 0 || query.length > 0 ? `/${path.join('/')}${query.length > 0 ? `?${query.join('&')}` : ''}` : '';
    return [uri, ...parts].filter((s) => s !== '').join('  ');
  }

  /** '0.01 GET', '2.05 Content': the code and its name as the decoded line has them. */
  function codeLabel(m: ExchangeMessage): string {
    const code = m.code ?? '';
    const lead = `${m.type} ${code} `;
    const end = m.text.startsWith(lead) ? m.text.indexOf(' MID ', lead.length) : -1;
    return end > lead.length ? `${code} ${m.text.slice(lead.length, end)}` : code;
  }

  const root = svg('svg', { class: 'msc', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img' });
  root.setAttribute('aria-label', `Message sequence: ${n} message${n === 1 ? '' : 's'} between the rig and ${board}`);
  const head = (x: number, label: string, cls: string): El =>
    svg('g', { class: `msc-head ${cls}` }, svg('rect', { x: x - 80, y: 8, width: 160, height: 28, rx: 6 }), svg('text', { x, y: 27, 'text-anchor': 'middle' }, cut(label, 22)));
  root.append(
    svg('text', { class: 'msc-tcol', x: RIG_X - 26, y: 27, 'text-anchor': 'end' }, 'time'),
    head(RIG_X, 'rig', 'rig'),
    head(BOARD_X, board, 'board'),
    svg('line', { class: 'msc-life', x1: RIG_X, y1: 36, x2: RIG_X, y2: H - 6 }),
    svg('line', { class: 'msc-life', x1: BOARD_X, y1: 36, x2: BOARD_X, y2: H - 6 }),
  );

  for (let i = from; i < to; i++) {
    const m = msgs[i]!;
    const y = TOP + (i - from) * ROW + 30;
    const prev = i > 0 ? msgs[i - 1] : undefined;
    // t counts from the opening of each link: when it goes back, the test opened another link
    if (prev && m.t < prev.t) {
      root.append(
        svg('line', { class: 'msc-sep', x1: RIG_X - 60, y1: y - 40, x2: BOARD_X + 60, y2: y - 40 }),
        svg('text', { class: 'msc-sep-label', x: BOARD_X + 64, y: y - 36 }, 'new link'),
      );
    }
    const out = m.dir === 'out';
    const malformed = m.type === undefined;
    const x1 = out ? RIG_X : BOARD_X;
    const x2 = out ? BOARD_X : RIG_X;
    const tip = out ? -10 : 10;
    const classes = ['msg', out ? 'out' : 'in'];
    if (m.retransmission > 0) classes.push('retrans');
    if (malformed) classes.push('malformed');
    if (cited.has(i)) classes.push('cited');

    let line1: string;
    let line2: string;
    if (malformed) {
      line1 = `⚠ malformed  ${m.hex !== undefined ? `${m.hex.length / 2} B` : ''}`;
      line2 = m.text;
    } else {
      const token = m.token === undefined ? '' : m.token === '' ? '  no token' : `  tok ${m.token}`;
      const retrans = m.retransmission > 0 ? `↻ retransmission ${m.retransmission}  ` : '';
      const evidence = cited.has(i) ? '⚑ ' : '';
      line1 = `${evidence}${retrans}${m.type} ${codeLabel(m)}  MID ${m.mid === undefined ? '?' : hex4(m.mid)}${token}`;
      const size = m.payloadSize ? `${m.payloadSize} B` : '';
      line2 = [keyOptions(m), size].filter((s) => s !== '').join('  ·  ');
    }
    const tooltip = `#${i + 1}  ${out ? 'rig → board' : 'board → rig'}  t=${m.t} ms${cited.has(i) ? '  (quoted by the failure)' : ''}\n${m.text}${m.hex !== undefined ? `\n${m.hex}` : ''}`;
    const g = svg(
      'g',
      { class: classes.join(' '), 'data-index': i },
      svg('title', {}, tooltip),
      svg('text', { class: 'msc-t', x: RIG_X - 26, y: y + 4, 'text-anchor': 'end' }, ms(m.t)),
      svg('line', { class: 'msc-arrow', x1, y1: y, x2: x2 + tip, y2: y }),
      svg('polygon', { class: 'msc-head-arrow', points: `${x2},${y} ${x2 + tip},${y - 5} ${x2 + tip},${y + 5}` }),
      svg('text', { class: 'msc-l1', x: mid, y: y - 20, 'text-anchor': 'middle' }, cut(line1, MAX_LABEL)),
      line2 ? svg('text', { class: 'msc-l2', x: mid, y: y - 6, 'text-anchor': 'middle' }, cut(line2, MAX_LABEL + 10)) : null,
    );
    if (malformed) g.append(svg('text', { class: 'msc-x', x: x2 + tip * 1.8, y: y + 5, 'text-anchor': 'middle' }, '✕'));
    root.append(g);
  }
  return root;
}
