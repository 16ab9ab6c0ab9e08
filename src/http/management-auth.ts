import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { HttpDependencies } from './http-dependencies.ts';
import { clientAddress } from './client-address.ts';

/** Finds the caller of a management request by one means (Bearer token, console session…), or null. */
export type PrincipalResolver = (request: FastifyRequest) => Promise<Principal | null>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Tried in order; the console adds its session resolver here. */
    principalResolvers: PrincipalResolver[];
    /** The authenticated management caller, or a 401 (429 after too many failures from one IP). */
    requirePrincipal(request: FastifyRequest): Promise<Principal>;
  }
}


/** The per-IP budget that management sign-ins (tokens, console sessions, wallets) share. */
export const SIGN_IN_SCOPE = 'mgmt-fail';

/** The per-IP budget of SIWE nonces issued (each a stored row), apart from the sign-in budget. */
export const NONCE_SCOPE = 'siwe-nonce';

/** Reads `Authorization: Bearer <token>`. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** Installs management authentication: Bearer management tokens first, then any registered resolver. */
export function installManagementAuth(app: FastifyInstance, parts: Pick<HttpDependencies, 'tokens' | 'throttle' | 'audit'>): void {
  const resolvers: PrincipalResolver[] = [
    async (request) => {
      const token = bearerToken(request);
      return token ? parts.tokens.authenticate(token, 'token', clientAddress(request)) : null;
    },
  ];
  app.decorate('principalResolvers', resolvers);
  // One authentication per request, however many hooks and handlers ask (routes authenticate
  // before validating, so an anonymous caller gets 401 rather than a lesson in the body schema).
  const settled = new WeakMap<FastifyRequest, Promise<Principal>>();
  app.decorate('requirePrincipal', (request: FastifyRequest) => {
    let principal = settled.get(request);
    if (!principal) settled.set(request, (principal = authenticate(request)));
    return principal;
  });
  const authenticate = (request: FastifyRequest): Promise<Principal> =>
    guardSignIn(parts, request, 'auth.management', [ErrorCode.UNAUTHENTICATED], async () => {
      for (const resolve of resolvers) {
        const principal = await resolve(request);
        if (principal) return principal;
      }
      throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'authentication required: send Authorization: Bearer <management token>');
    });
}

/**
 * Runs a sign-in attempt within the IP's management failure budget (shared by Bearer tokens,
 * console sessions and wallet sign-in); refused attempts are audited as anonymous denials.
 */
export function guardSignIn<T>(
  parts: Pick<HttpDependencies, 'throttle' | 'audit'>,
  request: FastifyRequest,
  action: string,
  failureCodes: readonly ErrorCode[],
  attempt: () => Promise<T>,
): Promise<T> {
  return parts.throttle.guard(SIGN_IN_SCOPE, clientAddress(request), attempt, {
    message: 'too many failed sign-in attempts from this address; try again in a minute',
    failureCodes,
    onFailure: (error) =>
      parts.audit.record({ userId: null, label: 'anonymous', organizationId: null, ip: clientAddress(request) }, action, 'denied', null, {
        route: request.routeOptions.url,
        reason: error.reason,
      }),
  });
}

/** Route options that authenticate the management caller before the body is validated. */
export function authenticatedRoute(app: FastifyInstance): { preValidation: (request: FastifyRequest) => Promise<void> } {
  return {
    preValidation: async (request) => {
      await app.requirePrincipal(request);
    },
  };
}
