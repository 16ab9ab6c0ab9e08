import { ErrorCode } from '../core/errors.ts';
import type { VerdictCode } from '../core/verdict.ts';

/** The one mapping from service error codes to HTTP statuses. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.KEY_LIMIT_REACHED]: 409,
  [ErrorCode.UNPROCESSABLE]: 422,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INTERNAL]: 500,
};

/** The one mapping from verification outcomes to HTTP statuses (forward-auth, signed requests, the feed handshake). */
export const VERDICT_STATUS: Record<VerdictCode, number> = {
  VALID: 200,
  MISSING: 401,
  MALFORMED: 401,
  NOT_FOUND: 401,
  INVALID_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  REPLAYED: 401,
  REVOKED: 403,
  EXPIRED: 403,
  IP_NOT_ALLOWED: 403,
  INSUFFICIENT_PERMISSIONS: 403,
  RATE_LIMITED: 429,
};
