/**
 * The one error type of rig configuration. The CLI prints `message` as is;
 * tools and tests branch on `code` and inspect `issues`, so both are part of
 * the API and must stay stable.
 */

export type RigConfigErrorCode =
  /** The file parsed as YAML but does not describe a valid rig (also used for bad --target URLs and board selection). */
  | 'RIG_CONFIG_INVALID'
  /** The rig file does not exist or cannot be read. */
  | 'RIG_FILE_NOT_FOUND'
  /** The file is not well-formed YAML. */
  | 'RIG_YAML_SYNTAX';

export interface RigIssue {
  /** Dotted key path, e.g. `boards.nucleo-l4.transports.console.serial.baud`; list items as `suites[1]`. Empty for whole-file problems. */
  path: string;
  /** What was expected and, where it helps, what was found. */
  message: string;
  /** 1-based line in the source, when known. */
  line?: number;
  /** 1-based column; given for YAML syntax errors. */
  column?: number;
}

export class RigConfigError extends Error {
  override readonly name = 'RigConfigError';

  constructor(
    readonly code: RigConfigErrorCode,
    /** The rig file as the user named it, or the --target URL. */
    readonly file: string,
    readonly issues: readonly RigIssue[],
    options?: { cause?: unknown },
  ) {
    super(formatIssues(file, issues), options);
  }
}

/** Dotted path for messages; numeric segments are list indices. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out === '' ? '' : '.') + String(seg);
  }
  return out;
}

/**
 * `rig.yaml: 2 problems:` then one indented line per issue, in file order,
 * so the list reads top to bottom alongside the editor.
 */
export function formatIssues(file: string, issues: readonly RigIssue[]): string {
  const sorted = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  const lines = sorted.map((i) => {
    const where = i.line === undefined ? '' : i.column === undefined ? `line ${i.line}` : `line ${i.line}, column ${i.column}`;
    const head = [where, i.path].filter((s) => s !== '').join(' ');
    return `  ${head === '' ? '' : `${head}: `}${i.message}`;
  });
  const n = issues.length;
  return `${file}: ${n} problem${n === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}
