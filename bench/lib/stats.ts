// Small statistics for benchmarks that print medians of interleaved rounds: the median is what
// the figures quote (one slow round, a page fault or another process on the CPU, moves it
// little), and the spread (min .. max) says how much to trust it.

/** The median; the upper middle value of an even count, as the other benches here do. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of no values');
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** `median (min .. max)` with `digits` decimals and a unit, e.g. `162.4 ms (150.1 .. 210.9)`. */
export function spread(xs: readonly number[], digits: number, unit: string): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return `${median(xs).toFixed(digits)} ${unit} (${lo.toFixed(digits)} .. ${hi.toFixed(digits)})`;
}

/** Per-pair ratios a[i] / b[i]: each pair ran back to back, so drift of the machine cancels. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`ratios of ${a.length} and ${b.length} values`);
  return a.map((x, i) => x / b[i]!);
}

/** Per-pair differences a[i] - b[i]. */
export function differences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`differences of ${a.length} and ${b.length} values`);
  return a.map((x, i) => x - b[i]!);
}

/** A whole number >= `min` from a command-line option, or a TypeError naming the option. */
export function intOption(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new TypeError(`--${name} ${text}: expected a whole number >= ${min}`);
  return n;
}
