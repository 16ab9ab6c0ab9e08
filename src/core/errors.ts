/** Every refusal or failure the service layer can raise, by stable code. */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  KEY_LIMIT_REACHED: 'KEY_LIMIT_REACHED',
  UNPROCESSABLE: 'UNPROCESSABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  /** A backend (store or bus) cannot be reached now; the caller may retry. */
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A typed, expected error: adapters map its code to a status or protocol code. */
export class KeygateError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'KeygateError';
    this.code = code;
    this.field = field;
  }
}

/** Shorthand for a 400-class input error that names the offending field. */
export function badInput(field: string, message: string): KeygateError {
  return new KeygateError(ErrorCode.BAD_REQUEST, message, field);
}
