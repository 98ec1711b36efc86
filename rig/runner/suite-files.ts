// Which spec files a `--suite` list means. A bare name ('coap') is a folder of the suites hilrig
// ships (dist/suites/<name>/); anything that looks like a path ('./mine', 'specs/x.js', an
// absolute path) is a user's own folder or file of compiled .js specs. A folder's spec files are
// the .js files directly in it, in name order; helper modules go in subfolders (suites/coap/lib/),
// which are not loaded as specs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SuiteError } from './errors.js';

export interface SuiteSource {
  /** the suite's name in results ('coap'; a path's base name without .js) */
  label: string;
  /** as the user wrote it */
  asked: string;
  files: string[];
}

/**
 * dist/suites of this hilrig. This module sits two folders below dist/ both as tsc emits it
 * (dist/rig/runner/) and inside the bundled CLI (dist/cli/bin/), so the path is the same.
 */
export function installedSuitesRoot(): string {
  return fileURLToPath(new URL('../../suites/', import.meta.url));
}

/** Names of the installed suites (folders with at least one .js file), sorted. */
export function installedSuites(root = installedSuitesRoot()): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && specFiles(path.join(root, e.name)).length > 0)
    .map((e) => e.name)
    .sort();
}

const looksLikePath = (s: string): boolean => s.includes('/') || s.includes(path.sep) || s.startsWith('.') || s.endsWith('.js') || s.endsWith('.mjs') || s.endsWith('.cjs');
const isSpec = (name: string): boolean => /\.(c|m)?js$/.test(name);

/** The spec files of a suite folder: its own .js files, sorted (helpers live in subfolders). */
export function specFiles(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && isSpec(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Resolve each entry of `--suite` to its files; throws SuiteError naming what is missing. */
export function resolveSuites(asked: readonly string[], opts: { root?: string; cwd?: string } = {}): SuiteSource[] {
  const root = opts.root ?? installedSuitesRoot();
  const cwd = opts.cwd ?? process.cwd();
  return asked.map((a) => {
    if (looksLikePath(a)) return fromPath(a, path.resolve(cwd, a));
    const dir = path.join(root, a);
    if (!fs.existsSync(dir)) {
      const have = installedSuites(root);
      throw new SuiteError('SUITE_NOT_FOUND', `no suite "${a}": installed suites are ${have.length > 0 ? have.join(', ') : '(none)'}; a folder or file of your own specs is named by its path, e.g. ./${a}`);
    }
    const files = specFiles(dir);
    if (files.length === 0) throw new SuiteError('SUITE_EMPTY', `suite "${a}" (${dir}) has no .js spec files: was the project built (npm run build)?`);
    return { label: a, asked: a, files };
  });
}

function fromPath(asked: string, abs: string): SuiteSource {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new SuiteError('SUITE_NOT_FOUND', `no suite file or folder at ${abs} (from --suite ${asked})`);
  }
  if (st.isFile()) {
    if (!isSpec(abs)) throw new SuiteError('SUITE_NOT_FOUND', `${abs} is not a .js spec file (compile TypeScript suites first)`);
    return { label: path.basename(abs).replace(/\.(c|m)?js$/, ''), asked, files: [abs] };
  }
  const files = specFiles(abs);
  if (files.length === 0) throw new SuiteError('SUITE_EMPTY', `${abs} holds no .js spec files (compile TypeScript suites first)`);
  return { label: path.basename(abs), asked, files };
}
