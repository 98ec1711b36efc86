// What stops a report from being written. The CLI prints the message and exits 2; tools branch
// on `code`, never on the text.
export type ReportErrorCode =
  /** the folder has no results.json (or it cannot be read) */
  | 'RESULTS_MISSING'
  /** results.json is not JSON, or not a hilrig results file of a schema this hilrig reads */
  | 'RESULTS_INVALID'
  /** report.html cannot be written */
  | 'REPORT_UNWRITABLE';

export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly code: ReportErrorCode,
    message: string,
    /** the file concerned */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
