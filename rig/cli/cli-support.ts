// What every sub-command shares: turning parseArgs' errors into a line a user can act on, the
// usage exit, and waiting for Ctrl-C / SIGTERM.
import { Exit } from './exit-codes.js';

/** parseArgs' own messages carry advice for library authors; users need the option's name. */
export function usageError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option '${quoted}'`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument '${quoted}'`;
  return message;
}

/** Print a usage problem for `hilrig <command>` and return the usage exit code. */
export function usage(command: string, message: string): number {
  process.stderr.write(`hilrig ${command}: ${message}\nrun \`hilrig ${command} --help\` for usage\n`);
  return Exit.USAGE;
}

/** Resolves with the first SIGINT/SIGTERM; dispose() stops listening. */
export function waitForSignal(): { signalled: Promise<NodeJS.Signals>; dispose(): void } {
  let fire!: (s: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (fire = resolve));
  const on = (s: NodeJS.Signals): void => fire(s);
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signalled,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
