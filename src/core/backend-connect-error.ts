/** A service Keygate connects to at start-up. */
export type Backend = 'PostgreSQL' | 'Redis';

/**
 * How long start-up keeps trying to reach a backend before giving up, and how long one attempt may
 * take. Long enough for a backend started alongside Keygate (compose, systemd) to come up; short
 * enough that a wrong URL ends the process in seconds instead of hanging.
 */
export const STARTUP_CONNECT_BUDGET_MS = 5_000;
export const STARTUP_CONNECT_ATTEMPT_MS = 3_000;

/** Error codes that mean nobody answered (yet): retrying may help, and the message says "cannot reach". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'EPIPE',
  // PostgreSQL: "the database system is starting up" / "shutting down".
  '57P03',
  '57P01',
]);

/** True when `error` means the backend did not answer, as opposed to answering with a refusal. */
export function isUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  if (typeof code === 'string' && code !== '') return false;
  // Driver-made errors without a code: pg's attempt timeout, a socket closed before the handshake.
  return typeof message === 'string' && /timeout|timed out|Connection terminated|Connection is closed/i.test(message);
}

/** The URL with any password (in the user part or a `password=` parameter) shown as `***`, safe to print. */
export function hidePassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
  }
}

function reasonOf(error: unknown): { reason: string; hint: string } {
  const { code, message, hostname } = (error ?? {}) as { code?: string; message?: string; hostname?: string };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { reason: `${code}: host ${hostname ? `"${hostname}" ` : ''}not found`, hint: 'is the host name right?' };
  }
  if (code === 'ETIMEDOUT' || (!code && /timeout|timed out/i.test(message ?? ''))) {
    return { reason: `no answer within ${STARTUP_CONNECT_ATTEMPT_MS / 1000} s`, hint: 'is it running and reachable from here?' };
  }
  return { reason: code ?? message ?? String(error), hint: 'is it running?' };
}

/**
 * A backend that could not be used at start-up. The message is one line a person can act on: the
 * service, its URL with the password hidden, and what went wrong.
 */
export class BackendConnectError extends Error {
  readonly backend: Backend;
  /** The URL as printed, password hidden. */
  readonly url: string;

  private constructor(backend: Backend, url: string, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'BackendConnectError';
    this.backend = backend;
    this.url = url;
  }

  /** Nobody answered at `url` within the start-up budget. */
  static unreachable(backend: Backend, url: string, cause: unknown): BackendConnectError {
    const shown = hidePassword(url);
    const { reason, hint } = reasonOf(cause);
    return new BackendConnectError(backend, shown, `cannot reach ${backend} at ${shown} (${reason}); ${hint}`, cause);
  }

  /** The backend answered but refused (bad password, missing database, TLS mismatch). */
  static refused(backend: Backend, url: string, cause: unknown): BackendConnectError {
    const shown = hidePassword(url);
    const message = (cause as { message?: string } | null)?.message ?? String(cause);
    return new BackendConnectError(backend, shown, `${backend} at ${shown} refused the connection: ${message}`, cause);
  }
}
