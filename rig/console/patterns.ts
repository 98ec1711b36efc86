// Patterns for console expects: a string matches as a literal substring (a prompt such as
// `uart:~$` needs no escaping), a RegExp as itself.

export type Pattern = string | RegExp;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A RegExp for `p`, without the g/y flags (their lastIndex would make exec() stateful). */
export function toRegExp(p: Pattern): RegExp {
  if (typeof p === 'string') return new RegExp(escapeRe(p));
  return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
}

/** How a pattern is shown in messages: "text" or /re/flags. */
export function describePattern(p: Pattern): string {
  return typeof p === 'string' ? JSON.stringify(p) : String(p);
}

/** `--expect` syntax: `/re/flags` is a regular expression, anything else literal text. Throws SyntaxError for a bad regex. */
export function parsePatternArg(arg: string): Pattern {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(arg);
  return m ? new RegExp(m[1]!, m[2]) : arg;
}
