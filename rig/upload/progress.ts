// Upload progress for people: on a terminal a bar redrawn in place with bytes, throughput and
// ETA; elsewhere (CI logs, pipes) a plain line at every 10 %, so a log shows steady progress
// without a carriage-return mess. Time is injected so the lines are testable.
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'lines', 'none'];

export interface ProgressSink {
  /** the transfer starts at `offset` of `total` bytes (a resumed one does not start at 0) */
  start(total: number, offset?: number): void;
  /** bytes the receiver has confirmed so far */
  update(done: number): void;
  /** a line that must not be drawn over (a resume, a reconnect) */
  note(line: string): void;
  /** the bar is finished: end its line */
  end(): void;
}

export interface ProgressOutput {
  write(text: string): void;
  /** is it a terminal */
  isTTY?: boolean;
  /** terminal width, when known */
  columns?: number;
}

/** how often the bar is redrawn at most */
const REDRAW_MS = 100;
const BAR_CELLS = 24;

/** '1.5 KiB', '256.0 KiB', '12.3 MiB' */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** '850 B/s', '81.6 KiB/s' */
export const formatRate = (bytesPerSecond: number): string => `${formatBytes(Math.round(bytesPerSecond))}/s`;

/** '42s', '3m05s', '1h02m' */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

class Meter {
  total = 0;
  done = 0;
  private from = 0;
  private t0 = 0;
  constructor(private readonly now: () => number) {}
  start(total: number, offset: number): void {
    this.total = total;
    this.done = this.from = offset;
    this.t0 = this.now();
  }
  /** bytes per second moved in this session (a resumed transfer's earlier bytes do not count) */
  rate(): number {
    const s = (this.now() - this.t0) / 1000;
    return s > 0 ? (this.done - this.from) / s : 0;
  }
  eta(): number {
    const r = this.rate();
    return r > 0 ? (this.total - this.done) / r : Infinity;
  }
  percent(): number {
    return this.total > 0 ? Math.floor((this.done / this.total) * 100) : 100;
  }
}

/** A bar redrawn in place: `[#########...............]  37%  96.0/256.0 KiB  81.6 KiB/s  ETA 2s` */
export function barProgress(out: ProgressOutput, now: () => number = () => performance.now()): ProgressSink {
  const m = new Meter(now);
  let lastDraw = -Infinity;
  /** the line on the screen now ('' when none, or after a note scrolled it away) */
  let shown = '';
  const draw = (force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < REDRAW_MS) return;
    const cells = Math.round((m.percent() / 100) * BAR_CELLS);
    let line = `[${'#'.repeat(cells)}${'.'.repeat(BAR_CELLS - cells)}] ${String(m.percent()).padStart(3)}%  ${formatBytes(m.done)}/${formatBytes(m.total)}  ${formatRate(m.rate())}  ETA ${formatEta(m.eta())}`;
    if (out.columns && line.length >= out.columns) line = line.slice(0, out.columns - 1);
    if (line === shown) return;
    lastDraw = t;
    // \x1b[K clears what a longer previous line left on the right
    out.write(`\r${line}\x1b[K`);
    shown = line;
  };
  return {
    start(total, offset = 0) {
      m.start(total, offset);
      draw(true);
    },
    update(done) {
      m.done = done;
      draw(done >= m.total);
    },
    note(line) {
      const had = shown !== '';
      out.write(`${had ? '\r\x1b[K' : ''}${line}\n`);
      shown = '';
      if (had) draw(true);
    },
    end() {
      if (shown === '') return;
      out.write('\n');
      shown = '';
    },
  };
}

/** A line at every `step` percent: `upload: 30% (76.8 KiB of 256.0 KiB, 81.6 KiB/s, ETA 2s)` */
export function lineProgress(out: ProgressOutput, now: () => number = () => performance.now(), step = 10): ProgressSink {
  const m = new Meter(now);
  let nextMark = step;
  return {
    start(total, offset = 0) {
      m.start(total, offset);
      nextMark = (Math.floor(m.percent() / step) + 1) * step;
      out.write(offset > 0 ? `upload: ${formatBytes(total)}, resuming at ${formatBytes(offset)} (${m.percent()}%)\n` : `upload: ${formatBytes(total)}\n`);
    },
    update(done) {
      m.done = done;
      const p = m.percent();
      if (p < nextMark) return;
      nextMark = (Math.floor(p / step) + 1) * step;
      out.write(`upload: ${p}% (${formatBytes(m.done)} of ${formatBytes(m.total)}, ${formatRate(m.rate())}${p < 100 ? `, ETA ${formatEta(m.eta())}` : ''})\n`);
    },
    note(line) {
      out.write(`${line}\n`);
    },
    end() {},
  };
}

/** No progress, but the notes (a reconnect, a resume) still go out; without `out` nothing does. */
export function silentProgress(out?: ProgressOutput): ProgressSink {
  return { start() {}, update() {}, note: (line) => out?.write(`${line}\n`), end() {} };
}

/** The sink for a mode: 'auto' draws a bar on a terminal and lines elsewhere. */
export function progressFor(mode: ProgressMode, out: ProgressOutput, now?: () => number): ProgressSink {
  if (mode === 'none') return silentProgress(out);
  if (mode === 'bar' || (mode === 'auto' && out.isTTY === true)) return barProgress(out, now);
  return lineProgress(out, now);
}
