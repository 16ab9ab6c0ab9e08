import { ErrorCode, KeygateError } from './errors.ts';

/** Socket-level codes: nobody answered, or the connection broke. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  // SQLite: another process holds the write lock past busy_timeout. Retrying works.
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_LOCKED',
  // PostgreSQL: shutting down, crash shutdown, starting up, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Client has encountered a connection error|Client was closed and is not queryable|Stream isn't writeable|MaxRetriesPerRequest|Reached the max retries per request|Command timed out|Query read timeout/i;

/**
 * True when `error` means a backend (the store or the bus) could not be reached right now, as
 * opposed to a refusal or a bug: such failures answer 503 UNAVAILABLE and are worth retrying.
 */
export function isBackendUnavailable(error: unknown): boolean {
  if (error instanceof KeygateError) return error.code === ErrorCode.UNAVAILABLE;
  if (error === null || typeof error !== 'object') return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** The typed error for a backend that cannot be reached; `what` names it for the client (the store, the bus). */
export function backendUnavailable(what: string): KeygateError {
  return new KeygateError(ErrorCode.UNAVAILABLE, `${what} is unavailable; try again in a few seconds`);
}
