import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { ConsoleSessionService } from '../service/console-sessions.ts';
import type { TokenService } from '../service/token-service.ts';
import type { PrincipalResolver } from './management-auth.ts';
import { clientAddress } from './client-address.ts';

/** The httpOnly cookie that carries a console session id. */
export const SESSION_COOKIE = 'keygate_session';
/** The header a cookie-authenticated unsafe request must carry (the session's CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console session id the request carries, if any. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[SESSION_COOKIE];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sets the session cookie: httpOnly, SameSite=Strict, Secure over HTTPS, gone when the session ends. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string, expiresAt: number, now: number): void {
  reply.setCookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)),
  });
}

/** Clears the session cookie in the browser. */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/' });
}

/** Refuses a cookie-authenticated unsafe request without the session's CSRF token. */
export function requireCsrf(sessions: ConsoleSessionService, request: FastifyRequest, id: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const header = request.headers[CSRF_HEADER];
  if (!sessions.csrfMatches(id, typeof header === 'string' ? header : undefined)) {
    throw new KeygateError(ErrorCode.FORBIDDEN, 'missing or wrong X-CSRF-Token header: a request signed in by console cookie must echo the session CSRF token');
  }
}

/** Resolves management callers signed in to the web console by session cookie (every /v1 route accepts it). */
export function consoleSessionResolver(sessions: ConsoleSessionService, tokens: TokenService): PrincipalResolver {
  return async (request) => {
    const id = sessionIdOf(request);
    if (!id) return null;
    const session = await sessions.find(id);
    if (!session) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'your console session has expired or was signed out; sign in again');
    requireCsrf(sessions, request, id);
    return tokens.principalFor(session.userId, `console:${session.via}`, clientAddress(request));
  };
}
