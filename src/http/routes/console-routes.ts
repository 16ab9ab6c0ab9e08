import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, KeygateError } from '../../core/errors.ts';
import type { Principal } from '../../core/principal.ts';
import { checksumAddress } from '../../core/wallet-address.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { actorOf } from '../../service/audit-trail.ts';
import { clearSessionCookie, consoleSessionResolver, requireCsrf, sessionIdOf, setSessionCookie } from '../console-session-auth.ts';
import { ErrorSchema } from '../error-schema.ts';
import { bearerToken, guardSignIn, NONCE_SCOPE } from '../management-auth.ts';
import { clientAddress } from '../client-address.ts';


const SessionSchema = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: Type.String(),
    usageLevel: Type.String(),
    tier: Type.String(),
    wallets: Type.Array(Type.String(), { description: 'EIP-55 checksummed addresses' }),
  }),
  organization: Type.Object({ id: Type.String(), name: Type.String(), revokePolicy: Type.String() }),
  via: Type.String(),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every unsafe request made with the session cookie' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

const sessionView = (principal: Principal, via: string, csrfToken: string, expiresAt: number) => ({
  user: {
    id: principal.user.id,
    name: principal.user.name,
    role: principal.user.role,
    usageLevel: principal.user.usageLevel,
    tier: principal.user.tier,
    wallets: principal.user.wallets.map((w) => checksumAddress(w)),
  },
  organization: { id: principal.organization.id, name: principal.organization.name, revokePolicy: principal.organization.revokePolicy },
  via,
  csrfToken,
  expiresAt: new Date(expiresAt).toISOString(),
});

/**
 * Web console sign-in: Sign-In with Ethereum or a management token opens a server-side session (httpOnly
 * cookie + CSRF token). The session is then one more principal resolver, so the console uses the same /v1 API.
 */
export async function consoleRoutes(
  app: FastifyInstance,
  parts: Pick<HttpDependencies, 'clock' | 'audit' | 'tokens' | 'siwe' | 'consoleSessions' | 'throttle'>,
): Promise<void> {
  const { clock, audit, tokens, siwe, throttle, consoleSessions: sessions } = parts;
  app.principalResolvers.push(consoleSessionResolver(sessions, tokens));
  const tags = ['console'];

  /** Opens a session for a proven user, ending the one this browser already had, and sets its cookie. */
  const signIn = async (request: FastifyRequest, reply: FastifyReply, principal: Principal, via: 'siwe' | 'token') => {
    const previous = sessionIdOf(request);
    if (previous) await sessions.close(previous);
    // A session opened with a token ends when that token is revoked (checked on every use).
    const opened = await sessions.open(principal.user.id, via, principal.tokenId ?? null);
    setSessionCookie(request, reply, opened.id, opened.expiresAt, clock.now());
    await audit.record(actorOf(principal), 'console.sign_in', 'ok', null, { via });
    return sessionView(principal, via, opened.csrfToken, opened.expiresAt);
  };

  // Sign-in attempts share the management API's per-IP failure budget.
  const guardFailures = <T>(request: FastifyRequest, attempt: () => Promise<T>): Promise<T> =>
    guardSignIn(parts, request, 'console.sign_in', [ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN], attempt);

  app.post('/v1/console/siwe/nonce', {
    schema: {
      tags,
      summary: 'A single-use nonce for a Sign-In with Ethereum (EIP-4361) message',
      description: 'The domain comes from the configured console origins (console.origins, publicUrl) or the listening address, never from request headers.',
      response: {
        200: Type.Object({
          nonce: Type.String(),
          domain: Type.String({ description: 'The domain (host[:port]) the message should name' }),
          domains: Type.Array(Type.String(), { description: 'Every domain a message may name' }),
          expiresAt: Type.String({ format: 'date-time' }),
        }),
        429: ErrorSchema,
      },
    },
    handler: async (request) => {
      // Each nonce is a stored row, so issuing one spends a budget like a failure: the address's nonce
      // budget, apart from its sign-in budget, so anonymous nonce requests from a shared address (a
      // NAT, a /64) never make that address's management tokens answer 429.
      await throttle.spend(NONCE_SCOPE, clientAddress(request), 'too many sign-in nonces requested from this address; try again in a minute');
      const issued = await siwe.issueNonce();
      return { nonce: issued.nonce, domain: issued.domain, domains: [...issued.domains], expiresAt: new Date(issued.expiresAt).toISOString() };
    },
  });

  app.post('/v1/console/siwe', {
    schema: {
      tags,
      summary: 'Sign in with a wallet: the signed EIP-4361 message opens a console session (cookie)',
      body: Type.Object(
        { message: Type.String({ minLength: 1, maxLength: 4000 }), signature: Type.String({ pattern: '^0x[0-9a-fA-F]+$', 'x-expected': '0x followed by hex digits', maxLength: 1000 }) },
        { additionalProperties: false },
      ),
      response: { 200: SessionSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema },
    },
    handler: async (request, reply) => {
      const body = request.body as { message: string; signature: string };
      const user = await guardFailures(request, () => siwe.verify({ message: body.message, signature: body.signature }, clientAddress(request)));
      return signIn(request, reply, await tokens.principalFor(user.id, 'console:siwe', clientAddress(request)), 'siwe');
    },
  });

  app.post('/v1/console/session', {
    schema: {
      tags,
      security: [{ bearerAuth: [] }],
      summary: 'Exchange a management token (Authorization: Bearer) for a console session cookie',
      response: { 200: SessionSchema, 401: ErrorSchema, 429: ErrorSchema },
    },
    handler: async (request, reply) => {
      const token = bearerToken(request);
      const principal = await guardFailures(request, () => tokens.authenticate(token, 'console:token', clientAddress(request)));
      return signIn(request, reply, principal, 'token');
    },
  });

  app.get('/v1/console/session', {
    schema: { tags, summary: 'The console session of this browser (cookie), with its CSRF token', response: { 200: SessionSchema, 401: ErrorSchema } },
    handler: async (request) => {
      const id = sessionIdOf(request);
      const session = id ? await sessions.find(id) : null;
      if (!id || !session) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'not signed in to the console');
      const principal = await tokens.principalFor(session.userId, `console:${session.via}`, clientAddress(request));
      return sessionView(principal, session.via, sessions.csrfTokenFor(id), session.expiresAt);
    },
  });

  app.delete('/v1/console/session', {
    schema: { tags, summary: 'Sign out: ends the session on every node (needs X-CSRF-Token)', response: { 204: Type.Null(), 401: ErrorSchema, 403: ErrorSchema } },
    handler: async (request, reply) => {
      const id = sessionIdOf(request);
      if (!id || !(await sessions.find(id))) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'not signed in to the console');
      requireCsrf(sessions, request, id);
      await sessions.close(id);
      clearSessionCookie(request, reply);
      return reply.status(204).send();
    },
  });
}
