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
  /**
   * The refusal without any value the caller sent: what the append-only audit log keeps. The message
   * may quote the refused input back to the caller (who sent it); the log must not keep it forever
   * (a key pasted into the wrong field, say). Defaults to the message, which then must quote nothing.
   */
  readonly reason: string;

  constructor(code: ErrorCode, message: string, field?: string, reason?: string) {
    super(message);
    this.name = 'KeygateError';
    this.code = code;
    this.field = field;
    this.reason = reason ?? message;
  }
}

/**
 * Shorthand for a 400-class input error that names the offending field. When `message` quotes the
 * refused value, `reason` must say the same without it (see KeygateError.reason).
 */
export function badInput(field: string, message: string, reason?: string): KeygateError {
  return new KeygateError(ErrorCode.BAD_REQUEST, message, field, reason);
}
