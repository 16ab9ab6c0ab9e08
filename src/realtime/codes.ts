import type { ErrorCode } from '../core/errors.ts';
import type { VerdictCode } from '../core/verdict.ts';

/**
 * Every code the real-time protocols put on the wire, in one place.
 *
 * Centrifuge reply errors (`{"error":{"code":C}}`), protocol v2:
 *   0–99 transport-level (client side), 100–1999 server errors. Codes ≥ 100 without
 *   `temporary: true` are final for the official client (it stops reconnecting after a connect error).
 * Centrifuge close codes / disconnect pushes:
 *   3000–3499 the client reconnects; 3500–3999 the client stops (reason non-empty, not JSON);
 *   4000–4499 application codes after which the client reconnects; 4500–4999 application codes after
 *   which it stops. Keygate's own session endings sit in 4500–4509.
 * Centrifuge unsubscribe pushes: below 2500 the subscription ends; 2500 and up it resubscribes.
 * Spec 002 feed: sessions end with WebSocket close 1000 and a reason word; refusals happen on the
 *   handshake as HTTP statuses (see VERDICT_STATUS in src/http/error-status.ts).
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
  | 'force_disconnect'
  | 'force_reconnect'
  | 'no_pong'
  | 'slow_consumer'
  | 'invalid_token'
  | 'bad_request'
  | 'connection_expired'
  | 'shutdown';

/** Centrifuge close codes; terminal ones carry a plain-text reason so the official client stops. */
export const CENTRIFUGE_CLOSE: Record<EndReason, number> = {
  shutdown: 3001,
  connection_expired: 3005,
  force_reconnect: 3011, // Centrifuge's DisconnectForceReconnect: the client reconnects
  no_pong: 3012,
  slow_consumer: 3008,
  invalid_token: 3500,
  bad_request: 3501,
  force_disconnect: 3503,
  key_revoked: 4501,
  key_expired: 4502,
  key_invalidated: 4503,
};

/** Close code for spec 002 feed sessions: always a normal closure, the reason says why. */
export const FEED_CLOSE_CODE = 1000;
/** Feed close code when the server goes away or the peer stops answering pings. */
export const FEED_GOING_AWAY = 1001;

/** The one mapping from a verifier refusal to a Centrifuge connect error. */
export function connectErrorFor(code: Exclude<VerdictCode, 'VALID'>, message: string): ReplyError {
  if (code === 'RATE_LIMITED') return replyError('TOO_MANY_REQUESTS', message, true);
  return replyError('UNAUTHORIZED', message);
}

/** The one mapping from a service error (KeygateError code) to a Centrifuge reply error. */
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
};

/** The one mapping from a verifier refusal of a live key to the reason its sessions end. */
export function endReasonFor(code: Exclude<VerdictCode, 'VALID'>): EndReason {
  if (code === 'REVOKED' || code === 'NOT_FOUND') return 'key_revoked';
  if (code === 'EXPIRED') return 'key_expired';
  return 'key_invalidated';
}

/** HTTP status refusing a spec 002 feed handshake: 401 no key, 429 over a limit, 403 for any other refusal. */
export function feedHandshakeStatus(code: Exclude<VerdictCode, 'VALID'>): 401 | 403 | 429 {
  if (code === 'MISSING') return 401;
  if (code === 'RATE_LIMITED') return 429;
  return 403;
}
