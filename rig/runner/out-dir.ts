// Where a run's outputs go when --out is not given: results/<UTC timestamp>/ under the current
// folder, with results/latest pointing at the newest (a relative symlink, so the tree can move).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 2024-05-01T12-00-01Z: sortable, and without the colons some file systems refuse. */
export function timestampName(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

/** `<base>/<timestamp>[-n]`, a folder that does not exist yet (the run creates it). */
export function freshOutDir(base: string, now = new Date()): string {
  const stem = path.join(base, timestampName(now));
  for (let n = 1; ; n++) {
    const dir = n === 1 ? stem : `${stem}-${n}`;
    if (!fs.existsSync(dir)) return dir;
  }
}

/**
 * Point `<base>/latest` at `dir`. A `latest` that is not a symlink (a folder someone made) is
 * left alone: returns false, and the caller says so.
 */
export function linkLatest(base: string, dir: string): boolean {
  const link = path.join(base, 'latest');
  try {
    if (!fs.lstatSync(link).isSymbolicLink()) return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // a new link renamed over the old one: readers never see `latest` missing
  const tmp = `${link}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.relative(base, dir), tmp);
  fs.renameSync(tmp, link);
  return true;
}
