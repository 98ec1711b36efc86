/**
 * Turns zod issues into RigIssues: dotted paths, "expected X, got Y"
 * wording, did-you-mean for unknown keys, line numbers via a locator.
 *
 * zod's final issues no longer say which keys an object allows, so the
 * error map handed to safeParse notes them as unknown-key issues are
 * finalized (it sees the object schema there) and toRigIssues reads them
 * back.
 */
import { z } from 'zod';
import { formatPath, type RigIssue } from './errors.js';
import { unknownKeyMessage } from './suggest.js';

export type Locate = (path: readonly PropertyKey[]) => number | undefined;

export interface IssueMapper {
  /** Pass as `schema.safeParse(data, { error })`. */
  error: z.core.$ZodErrorMap;
  knownKeys: Map<string, readonly string[]>;
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

const quoteAll = (values: readonly unknown[]): string =>
  values.length === 1
    ? JSON.stringify(values[0])
    : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

export function issueMapper(): IssueMapper {
  const knownKeys = new Map<string, readonly string[]>();
  const error: z.core.$ZodErrorMap = (iss) => {
    switch (iss.code) {
      case 'unrecognized_keys':
        if (iss.inst instanceof z.ZodObject) {
          knownKeys.set(formatPath(iss.path ?? []), Object.keys(iss.inst.shape));
        }
        return 'unknown key';
      case 'invalid_type':
        return `expected ${NOUNS[iss.expected] ?? iss.expected}`;
      case 'invalid_value':
        return `expected ${quoteAll(iss.values)}`;
      case 'invalid_union':
        return Array.isArray(iss.options) ? `expected ${quoteAll(iss.options)}` : undefined;
      default:
        return undefined;
    }
  };
  return { error, knownKeys };
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** Adds what was actually found to an "expected ..." message. */
function withFound(message: string, data: unknown, path: readonly PropertyKey[]): string {
  if (!message.startsWith('expected ') || message.includes(', got ')) return message;
  const v = valueAt(data, path);
  if (v === undefined) return `missing; ${message}`;
  return `${message}, got ${describeValue(v)}`;
}

/**
 * @param data the parsed-but-unvalidated input, for "got ..." and to tell a
 *   missing key from a wrong one
 */
export function toRigIssues(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  knownKeys: ReadonlyMap<string, readonly string[]>,
  locate: Locate = () => undefined,
): RigIssue[] {
  const out: RigIssue[] = [];
  const push = (path: readonly PropertyKey[], message: string) => {
    const p = formatPath(path);
    if (!out.some((o) => o.path === p && o.message === message)) {
      const line = locate(path);
      out.push(line === undefined ? { path: p, message } : { path: p, message, line });
    }
  };
  const typoAt = new Set(
    issues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)),
  );
  for (const iss of issues) {
    switch (iss.code) {
      case 'unrecognized_keys': {
        const known = knownKeys.get(formatPath(iss.path)) ?? [];
        for (const key of iss.keys) push([...iss.path, key], unknownKeyMessage(key, known));
        break;
      }
      case 'invalid_key': {
        // The key itself is wrong (a board name); the value is not looked at.
        const inner = iss.issues[0]?.message ?? 'invalid key';
        push(iss.path, `${inner}, got ${JSON.stringify(String(iss.path.at(-1)))}`);
        break;
      }
      case 'custom': {
        if (iss.params?.ifNoUnknownKeys === true && typoAt.has(formatPath(iss.path))) break;
        // Refinements state their own context; only a bad scalar is worth echoing.
        const v = valueAt(data, iss.path);
        const scalar = v === null || (typeof v !== 'object' && v !== undefined);
        push(iss.path, scalar ? withFound(iss.message, data, iss.path) : iss.message);
        break;
      }
      default:
        push(iss.path, withFound(iss.message, data, iss.path));
    }
  }
  return out;
}

/** Hides zod from callers that only want RigIssues for a value. */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  locate?: Locate,
): { ok: true; value: z.output<S> } | { ok: false; issues: RigIssue[] } {
  const mapper = issueMapper();
  const result = schema.safeParse(data, { error: mapper.error });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toRigIssues(result.error.issues, data, mapper.knownKeys, locate) };
}
