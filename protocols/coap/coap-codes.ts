// CoAP codes (RFC 7252 §3, §5.8, §5.9, §12.1): a code byte is a 3-bit class and a 5-bit detail,
// written "c.dd". Class 0 holds the methods and the Empty code, classes 2, 4 and 5 the responses;
// classes 1, 6 and 7 are reserved (7 carries signaling only over reliable transports, RFC 8323,
// and is therefore reserved on UDP).

/** Build a code from its class and detail: code(2, 5) === 0x45. */
export const code = (cls: number, detail: number): number => ((cls & 0x07) << 5) | (detail & 0x1f);
export const codeClass = (c: number): number => (c >> 5) & 0x07;
export const codeDetail = (c: number): number => c & 0x1f;

/** Every registered code on UDP, by a constant name. */
export const CoapCode = {
  EMPTY: code(0, 0),
  // methods: RFC 7252 §5.8, FETCH/PATCH/iPATCH RFC 8132
  GET: code(0, 1),
  POST: code(0, 2),
  PUT: code(0, 3),
  DELETE: code(0, 4),
  FETCH: code(0, 5),
  PATCH: code(0, 6),
  IPATCH: code(0, 7),
  // 2.xx success: RFC 7252 §5.9.1, Continue RFC 7959
  CREATED: code(2, 1),
  DELETED: code(2, 2),
  VALID: code(2, 3),
  CHANGED: code(2, 4),
  CONTENT: code(2, 5),
  CONTINUE: code(2, 31),
  // 4.xx client error: RFC 7252 §5.9.2, 4.08 RFC 7959, 4.09/4.22 RFC 8132, 4.29 RFC 8516
  BAD_REQUEST: code(4, 0),
  UNAUTHORIZED: code(4, 1),
  BAD_OPTION: code(4, 2),
  FORBIDDEN: code(4, 3),
  NOT_FOUND: code(4, 4),
  METHOD_NOT_ALLOWED: code(4, 5),
  NOT_ACCEPTABLE: code(4, 6),
  REQUEST_ENTITY_INCOMPLETE: code(4, 8),
  CONFLICT: code(4, 9),
  PRECONDITION_FAILED: code(4, 12),
  REQUEST_ENTITY_TOO_LARGE: code(4, 13),
  UNSUPPORTED_CONTENT_FORMAT: code(4, 15),
  UNPROCESSABLE_ENTITY: code(4, 22),
  TOO_MANY_REQUESTS: code(4, 29),
  // 5.xx server error: RFC 7252 §5.9.3, 5.08 RFC 8768
  INTERNAL_SERVER_ERROR: code(5, 0),
  NOT_IMPLEMENTED: code(5, 1),
  BAD_GATEWAY: code(5, 2),
  SERVICE_UNAVAILABLE: code(5, 3),
  GATEWAY_TIMEOUT: code(5, 4),
  PROXYING_NOT_SUPPORTED: code(5, 5),
  HOP_LIMIT_REACHED: code(5, 8),
} as const;

const NAMES = new Map<number, string>([
  [CoapCode.EMPTY, 'Empty'],
  [CoapCode.GET, 'GET'],
  [CoapCode.POST, 'POST'],
  [CoapCode.PUT, 'PUT'],
  [CoapCode.DELETE, 'DELETE'],
  [CoapCode.FETCH, 'FETCH'],
  [CoapCode.PATCH, 'PATCH'],
  [CoapCode.IPATCH, 'iPATCH'],
  [CoapCode.CREATED, 'Created'],
  [CoapCode.DELETED, 'Deleted'],
  [CoapCode.VALID, 'Valid'],
  [CoapCode.CHANGED, 'Changed'],
  [CoapCode.CONTENT, 'Content'],
  [CoapCode.CONTINUE, 'Continue'],
  [CoapCode.BAD_REQUEST, 'Bad Request'],
  [CoapCode.UNAUTHORIZED, 'Unauthorized'],
  [CoapCode.BAD_OPTION, 'Bad Option'],
  [CoapCode.FORBIDDEN, 'Forbidden'],
  [CoapCode.NOT_FOUND, 'Not Found'],
  [CoapCode.METHOD_NOT_ALLOWED, 'Method Not Allowed'],
  [CoapCode.NOT_ACCEPTABLE, 'Not Acceptable'],
  [CoapCode.REQUEST_ENTITY_INCOMPLETE, 'Request Entity Incomplete'],
  [CoapCode.CONFLICT, 'Conflict'],
  [CoapCode.PRECONDITION_FAILED, 'Precondition Failed'],
  [CoapCode.REQUEST_ENTITY_TOO_LARGE, 'Request Entity Too Large'],
  [CoapCode.UNSUPPORTED_CONTENT_FORMAT, 'Unsupported Content-Format'],
  [CoapCode.UNPROCESSABLE_ENTITY, 'Unprocessable Entity'],
  [CoapCode.TOO_MANY_REQUESTS, 'Too Many Requests'],
  [CoapCode.INTERNAL_SERVER_ERROR, 'Internal Server Error'],
  [CoapCode.NOT_IMPLEMENTED, 'Not Implemented'],
  [CoapCode.BAD_GATEWAY, 'Bad Gateway'],
  [CoapCode.SERVICE_UNAVAILABLE, 'Service Unavailable'],
  [CoapCode.GATEWAY_TIMEOUT, 'Gateway Timeout'],
  [CoapCode.PROXYING_NOT_SUPPORTED, 'Proxying Not Supported'],
  [CoapCode.HOP_LIMIT_REACHED, 'Hop Limit Reached'],
]);

/** "c.dd": formatCode(0x45) === '2.05'. Any byte formats, registered or not. */
export function formatCode(c: number): string {
  const d = codeDetail(c);
  return `${codeClass(c)}.${d < 10 ? '0' : ''}${d}`;
}

/** The inverse of formatCode: '2.05' → 0x45; undefined when the text is not "c.dd" in range. */
export function parseCode(text: string): number | undefined {
  const m = /^([0-7])\.([0-3][0-9])$/.exec(text);
  if (!m) return undefined;
  const detail = Number(m[2]);
  return detail > 31 ? undefined : code(Number(m[1]), detail);
}

/** The registered name: codeName(0x45) === 'Content'; undefined for an unregistered code. */
export const codeName = (c: number): string | undefined => NAMES.get(c);

/** For traces and verdicts: '2.05 Content', or '2.07 (unregistered)'. */
export const describeCode = (c: number): string => `${formatCode(c)} ${NAMES.get(c) ?? '(unregistered)'}`;

export type CodeKind = 'empty' | 'request' | 'response' | 'reserved';

/** What a code is by its class (RFC 7252 §12.1): the Empty code, a method, a response, reserved. */
export function codeKind(c: number): CodeKind {
  switch (codeClass(c)) {
    case 0:
      return c === 0 ? 'empty' : 'request';
    case 2:
    case 4:
    case 5:
      return 'response';
    default:
      return 'reserved';
  }
}

export const isEmpty = (c: number): boolean => c === 0;
/** Any class-0 code but 0.00, registered method or not (an unknown one earns 4.05, §5.8). */
export const isRequest = (c: number): boolean => c !== 0 && codeClass(c) === 0;
/** Classes 2, 4 and 5. An unregistered detail is still a response of its class (§5.9). */
export const isResponse = (c: number): boolean => codeKind(c) === 'response';
/** Classes 1, 6 and 7 (RFC 7252 §12.1). */
export const isReservedClass = (c: number): boolean => codeKind(c) === 'reserved';
export const isSuccess = (c: number): boolean => codeClass(c) === 2;
export const isClientError = (c: number): boolean => codeClass(c) === 4;
export const isServerError = (c: number): boolean => codeClass(c) === 5;
