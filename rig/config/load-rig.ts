/**
 * Reads rig.yaml into a validated RigConfig, or throws one RigConfigError
 * listing every problem with its line, so a user fixes the file in one pass
 * instead of one error per run.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { RigConfigError, type RigIssue } from './errors.js';
import { validate } from './issues.js';
import { RigConfigSchema, type RigConfig } from './schema.js';

export { RigConfigError, type RigConfigErrorCode, type RigIssue } from './errors.js';
export type { BoardConfig, RigConfig } from './schema.js';

export async function loadRigFile(path: string): Promise<RigConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `file not found (looked for ${resolve(path)})`
        : code === 'EISDIR'
          ? 'is a directory; expected a rig YAML file'
          : `cannot read: ${(err as Error).message}`;
    throw new RigConfigError('RIG_FILE_NOT_FOUND', path, [{ path: '', message: why }], { cause: err });
  }
  return parseRig(text, path);
}

/** Pure: no file system access. `sourceName` only labels messages. */
export function parseRig(text: string, sourceName: string): RigConfig {
  const lineCounter = new LineCounter();
  // merge: lets boards share settings via `<<: *common`, which YAML 1.2 dropped.
  const doc = parseDocument(text, { lineCounter, merge: true });
  if (doc.errors.length > 0) {
    throw new RigConfigError('RIG_YAML_SYNTAX', sourceName, doc.errors.map(syntaxIssue));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // Only alias bombs and unresolvable aliases get here.
    throw new RigConfigError('RIG_YAML_SYNTAX', sourceName, [{ path: '', message: (err as Error).message }], {
      cause: err,
    });
  }
  if (data === null || data === undefined) {
    throw new RigConfigError('RIG_CONFIG_INVALID', sourceName, [
      { path: '', message: 'file is empty; expected a mapping with "version" and "boards"' },
    ]);
  }
  const result = validate(RigConfigSchema, data, (path) => locate(doc, lineCounter, path));
  if (!result.ok) throw new RigConfigError('RIG_CONFIG_INVALID', sourceName, result.issues);
  return result.value;
}

function syntaxIssue(e: YAMLError): RigIssue {
  // The yaml package appends " at line N, column M:" and a code frame; the
  // position is reported in fields instead, and the frame does not fit a one-line issue.
  const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const pos = e.linePos?.[0];
  return pos ? { path: '', message, line: pos.line, column: pos.col } : { path: '', message };
}

/**
 * Line of the deepest existing node on `path`: the key itself for an
 * unknown or wrong value, the enclosing key when the value is missing.
 * Keys pulled in by a merge key point at the anchor, where the fix goes.
 */
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const seg of path) {
    node = deref(doc, node);
    if (isMap(node)) {
      const pair = findPair(doc, node, String(seg));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (!isScalar(item) && !isMap(item) && !isSeq(item) && !isAlias(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function findPair(doc: Document, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const own = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  if (own || depth > 8) return own;
  for (const p of map.items) {
    if (!isScalar(p.key) || p.key.source !== '<<') continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const target = deref(doc, s);
      const hit = isMap(target) ? findPair(doc, target, key, depth + 1) : undefined;
      if (hit) return hit;
    }
  }
  return undefined;
}
