import { ErrorCode } from './errors.ts';
import type { VerdictCode } from './verdict.ts';

/**
 * Every code a client sees, in one place: HTTP statuses of service errors and verdicts, Centrifuge
 * reply errors and close codes, and the spec 002 feed's handshake statuses and close reasons.
 *
 * Centrifuge reply errors (`{"error":{"code":C}}`), protocol v2:
 *   0–99 transport-level (client side), 100–1999 server errors. Codes ≥ 100 without
 *   `temporary: true` are final for the official client (it stops reconnecting after a connect error).
 * Centrifuge close codes / disconnect pushes:
 *   3000–3499 the client reconnects; 3500–3999 the client stops (reason non-empty, not JSON);
 *   4000–4499 application codes after which the client reconnects; 4500–4999 application codes after
 *   which it stops. Keygate's own session endings sit in 4500–4509 (4501 revoked, 4502 expired,
 *   4503 invalidated, 4504 suspended). They are application codes, so 4500–4999, not Centrifugo's
 *   own terminal 3500–3999 range: both stop the official client.
 * Centrifuge unsubscribe pushes: below 2500 the subscription ends; 2500 and up it resubscribes.
 * Spec 002 feed: sessions end with WebSocket close 1000 and a reason word; refusals happen on the
 *   handshake as HTTP statuses (feedHandshakeStatus).
 */
export const ProtocolError = {
  INTERNAL: { code: 100, message: 'internal server error' },
  UNAUTHORIZED: { code: 101, message: 'unauthorized' },
  UNKNOWN_CHANNEL: { code: 102, message: 'unknown channel' },
  PERMISSION_DENIED: { code: 103, message: 'permission denied' },
  METHOD_NOT_FOUND: { code: 104, message: 'method not found' },
  ALREADY_SUBSCRIBED: { code: 105, message: 'already subscribed' },
  LIMIT_EXCEEDED: { code: 106, message: 'limit exceeded' },
  BAD_REQUEST: { code: 107, message: 'bad request' },
  NOT_AVAILABLE: { code: 108, message: 'not available' },
  TOKEN_EXPIRED: { code: 109, message: 'token expired' },
  EXPIRED: { code: 110, message: 'expired' },
  TOO_MANY_REQUESTS: { code: 111, message: 'too many requests' },
  UNRECOVERABLE_POSITION: { code: 112, message: 'unrecoverable position' },
} as const;
export type ProtocolErrorName = keyof typeof ProtocolError;

/** A Centrifuge reply error; `temporary` makes the official client retry. */
export interface ReplyError {
  readonly code: number;
  readonly message: string;
  readonly temporary?: boolean;
}

/** Builds a reply error with an optional more specific message. */
export function replyError(name: ProtocolErrorName, message?: string, temporary?: boolean): ReplyError {
  const base = ProtocolError[name];
  return temporary ? { code: base.code, message: message ?? base.message, temporary } : { code: base.code, message: message ?? base.message };
}

/** Why a session ends; each maps to a Centrifuge close code and a feed close reason. */
export type EndReason =
  | 'key_revoked'
  | 'key_expired'
  | 'key_invalidated'
  | 'key_disabled'
  | 'force_disconnect'
  | 'force_reconnect'
  | 'no_pong'
  | 'slow_consumer'
  | 'invalid_token'
  | 'bad_request'
  | 'connection_expired'
  | 'key_check_failed'
  | 'shutdown';

/** Centrifuge close codes; terminal ones carry a plain-text reason so the official client stops. */
export const CENTRIFUGE_CLOSE: Record<EndReason, number> = {
  shutdown: 3001,
  connection_expired: 3005,
  force_reconnect: 3011, // Centrifuge's DisconnectForceReconnect: the client reconnects
  key_check_failed: 3011, // the key could not be re-checked (store down): reconnect and authenticate again
  no_pong: 3012,
  slow_consumer: 3008,
  invalid_token: 3500,
  bad_request: 3501,
  force_disconnect: 3503,
  key_revoked: 4501,
  key_expired: 4502,
  key_invalidated: 4503,
  key_disabled: 4504, // suspended by an admin: terminal, like the other key endings (a resumed key connects again)
};

/** Close code for spec 002 feed sessions ended because of their key: a normal closure, the reason word says why. */
export const FEED_CLOSE_CODE = 1000;
/** Feed close code when the server goes away, the peer stops answering pings or falls too far behind. */
export const FEED_GOING_AWAY = 1001;

/**
 * The feed's close code for an ending: 1000 when the key (or an operator) ended it, 1001 otherwise
 * (shutdown, no pong, slow consumer, or `key_check_failed`: the key could not be re-checked, so the
 * client should reconnect and be checked again).
 */
export function feedCloseCode(reason: EndReason): number {
  const terminal = reason === 'key_revoked' || reason === 'key_expired' || reason === 'key_invalidated' || reason === 'key_disabled' || reason === 'force_disconnect';
  return terminal ? FEED_CLOSE_CODE : FEED_GOING_AWAY;
}

/**
 * The one mapping from a verifier refusal to a Centrifuge connect error. centrifuge-js (5.x,
 * `_connectError`) retries a connect error when its code is below 100, is 109 (it fetches a new
 * token first) or carries `temporary: true`; any other code stops the client for good. So: a
 * throttle is temporary (111), every refusal of the key itself is final (101).
 */
export function connectErrorFor(code: Exclude<VerdictCode, 'VALID'>, message: string): ReplyError {
  if (code === 'RATE_LIMITED') return replyError('TOO_MANY_REQUESTS', message, true);
  return replyError('UNAUTHORIZED', message);
}

/** The reply error for a failure of our own (store or broker unreachable): 100 with `temporary`, so the client retries. */
export function temporaryFailure(message = 'temporarily unavailable, retry later'): ReplyError {
  return replyError('INTERNAL', message, true);
}

/** The one mapping from a service error (KeygateError code) to a Centrifuge reply error name (see replyErrorFor). */
export const ERROR_CODE_REPLY: Record<ErrorCode, ProtocolErrorName> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'PERMISSION_DENIED',
  NOT_FOUND: 'UNKNOWN_CHANNEL',
  CONFLICT: 'BAD_REQUEST',
  KEY_LIMIT_REACHED: 'LIMIT_EXCEEDED',
  UNPROCESSABLE: 'BAD_REQUEST',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'INTERNAL',
};

/** Service errors a client may retry: their reply errors carry `temporary: true`. */
const TEMPORARY_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE]);

/** A service error as a Centrifuge reply error, temporary when retrying may succeed. */
export function replyErrorFor(code: ErrorCode, message: string): ReplyError {
  return replyError(ERROR_CODE_REPLY[code], message, TEMPORARY_ERRORS.has(code));
}

/** The one mapping from a verifier refusal of a live key to the reason its sessions end. */
export function endReasonFor(code: Exclude<VerdictCode, 'VALID'>): EndReason {
  if (code === 'REVOKED' || code === 'NOT_FOUND') return 'key_revoked';
  if (code === 'EXPIRED') return 'key_expired';
  if (code === 'DISABLED') return 'key_disabled';
  return 'key_invalidated';
}

/**
 * HTTP status refusing a spec 002 feed handshake: 401 no key, 429 over a limit, 403 for any other
 * refusal (spec 002 answers an unknown key 403, where forward-auth's VERDICT_STATUS answers 401).
 */
export function feedHandshakeStatus(code: Exclude<VerdictCode, 'VALID'>): 401 | 403 | 429 {
  if (code === 'MISSING') return 401;
  if (code === 'RATE_LIMITED') return 429;
  return 403;
}

/** Error code of a feed handshake refused because the key already has all its connections. */
export const FEED_CONNECTION_LIMIT = 'CONNECTION_LIMIT';

/**
 * A WebSocket handshake (either protocol) refused for a reason the client may retry: the store or
 * bus cannot answer now (503 `UNAVAILABLE`, never 500), this node holds too many sockets that
 * have not authenticated yet (503 `UNAVAILABLE`), or the client's address holds too many (429
 * `RATE_LIMITED`). Each answer carries Retry-After.
 */
export const HANDSHAKE_RETRY = {
  backendDown: { status: 503, code: ErrorCode.UNAVAILABLE, retryAfterSeconds: 5 },
  nodeFull: { status: 503, code: ErrorCode.UNAVAILABLE, retryAfterSeconds: 5 },
  addressFull: { status: 429, code: ErrorCode.RATE_LIMITED, retryAfterSeconds: 5 },
} as const;

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
  [ErrorCode.UNAVAILABLE]: 503,
};

/** The one mapping from verification outcomes to HTTP statuses (forward-auth, signed requests, connection tokens). */
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
  DISABLED: 403,
  IP_NOT_ALLOWED: 403,
  INSUFFICIENT_PERMISSIONS: 403,
  RATE_LIMITED: 429,
};
