// Why an upload did not end well, as the CLI's exit code sees it: the user asked for something
// impossible (usage, 2), the board refused or broke a rule (board, 1), or the link failed (link,
// 3). The HilrigError code stays the stable one a script branches on.
import { type ErrorCode, HilrigError } from '../engine/errors.js';
import { Exit, type ExitCode } from '../cli/exit-codes.js';

export type UploadFailureKind = 'usage' | 'board' | 'link';

export class UploadError extends HilrigError {
  constructor(
    readonly kind: UploadFailureKind,
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export const usageError = (message: string): UploadError => new UploadError('usage', 'BAD_OPTION', message);
export const boardError = (message: string, cause?: unknown): UploadError => new UploadError('board', 'PROTOCOL', message, { cause });
export const linkError = (message: string, cause?: unknown, code: ErrorCode = 'IO_ERROR'): UploadError => new UploadError('link', code, message, { cause });

/** The exit code for anything an upload or an image command threw. */
export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof UploadError) return e.kind === 'usage' ? Exit.USAGE : e.kind === 'board' ? Exit.TEST_FAILED : Exit.RIG_ERROR;
  if (e instanceof TypeError) return Exit.USAGE;
  return Exit.RIG_ERROR;
}
