// Errors with a stable code, so tests and users branch on `err.code`, never on message text.
export type ErrorCode =
  | 'BAD_URL'
  | 'NO_DRIVER'
  | 'PORT_NOT_FOUND'
  | 'PORT_PERMISSION'
  | 'PORT_BUSY'
  | 'PORT_VANISHED'
  | 'OPEN_FAILED'
  | 'IO_ERROR'
  | 'RESOLVE_FAILED'
  | 'CONNECT_REFUSED'
  | 'BIND_FAILED'
  | 'DGRAM_TOO_LARGE'
  | 'RECV_LIMIT'
  | 'HANDLER_THREW'
  | 'NOT_SUPPORTED'
  | 'BAD_OPTION'
  | 'TIMEOUT'
  | 'PROTOCOL';

export class HilrigError extends Error {
  override readonly name = 'HilrigError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of anything thrown, for error texts that must name the cause. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
