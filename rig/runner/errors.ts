// The runner's errors: what stops a run before its first test (a suite that is not there, a
// suite file that does not load, a --grep that is not a pattern or selects nothing, an output
// folder that cannot be written). The CLI prints the message and
// exits 2; tools branch on `code`.
export type SuiteErrorCode =
  /** no installed suite of that name, and no such file or folder */
  | 'SUITE_NOT_FOUND'
  /** the suite's folder holds no .js spec file */
  | 'SUITE_EMPTY'
  /** a spec file threw (or failed to import) while it loaded */
  | 'SUITE_LOAD_FAILED'
  /** --grep is not a regular expression */
  | 'BAD_GREP'
  /** the suites register no test (or none that --grep selects) */
  | 'NO_TESTS'
  /** the output folder cannot be made or written */
  | 'OUT_DIR_UNWRITABLE';

export class SuiteError extends Error {
  override readonly name = 'SuiteError';
  constructor(
    readonly code: SuiteErrorCode,
    message: string,
    /** the spec file concerned, for SUITE_LOAD_FAILED */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
