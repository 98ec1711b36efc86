/**
 * "Did you mean" for misspelt rig-file keys and URL parameters.
 *
 * Typos in hand-edited YAML are mostly swapped letters (`buad`), case slips
 * (`sectorsize`) or snake_case habits from other tools (`sector_size`,
 * labgrid uses snake_case), so both cases are handled before falling back
 * to edit distance.
 */

const fold = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');

/** Optimal-string-alignment distance: a transposition costs 1, not 2. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2][j - 2] + 1);
      }
      d[i][j] = v;
    }
  }
  return d[a.length][b.length];
}

/** The known key closest to `unknown`, or undefined if nothing is plausibly meant. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const folded = fold(unknown);
  const exact = known.find((k) => fold(k) === folded);
  if (exact !== undefined) return exact;
  // A third of the word may be wrong; beyond that suggestions become noise
  // (`size` -> `sectorSize` would mislead more than help).
  const limit = Math.max(1, Math.floor(folded.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = editDistance(folded, fold(k));
    if (dist <= limit && dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

/** `unknown key "buad"; did you mean "baud"?` or, with no close match, the list of valid keys. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closestKey(key, known);
  if (guess !== undefined) return `unknown key "${key}"; did you mean "${guess}"?`;
  if (known.length === 0) return `unknown key "${key}"; nothing may be set here`;
  return `unknown key "${key}"; expected one of ${known.map((k) => `"${k}"`).join(', ')}`;
}
