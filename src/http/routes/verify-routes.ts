import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../../core/api-key.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import type { RequestFacts } from '../../core/request-facts.ts';
import { ErrorSchema } from '../error-schema.ts';

/** The identity a verified key carries, as the verify API and forward-auth report it. */
export function keyIdentity(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    scheme: key.scheme,
    owner: key.userId,
    organization: key.organizationId,
    permissions: [...key.permissions],
    tier: key.tier,
    maxConnections: key.maxConnections,
    allowedExchanges: [...key.allowedExchanges],
    ipAllowlist: [...key.ipAllowlist],
    expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
    walletAddress: key.walletAddress,
  };
}

const Identity = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scheme: Type.String(),
  owner: Type.String(),
  organization: Type.String(),
  permissions: Type.Array(Type.String()),
  tier: Type.String(),
  maxConnections: Type.Integer(),
  allowedExchanges: Type.Array(Type.String()),
  ipAllowlist: Type.Array(Type.String()),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  walletAddress: Type.Union([Type.String(), Type.Null()]),
});

const RateLimit = Type.Object(
  {
    limit: Type.Integer({ description: 'Verified requests the key may make per minute (its own limit, else its tier\'s)' }),
    remaining: Type.Integer({ description: 'Requests left in the current one-minute window' }),
    reset: Type.Integer({ description: 'Seconds until the current window ends and the count starts again' }),
  },
  { description: 'Present when the key has a request limit and this call was counted against it; the numbers forward-auth sends as X-RateLimit-Limit, -Remaining and -Reset' },
);

const VerifyBody = Type.Object(
  {
    key: Type.Optional(Type.String({ maxLength: 512, description: 'An opaque key (dsk_…)' })),
    ip: Type.Optional(Type.String({ maxLength: 64, description: 'The client IP, checked against the key allowlist' })),
    permission: Type.Optional(Type.String({ maxLength: 64, description: 'A permission the request needs' })),
    request: Type.Optional(
      Type.Object(
        {
          method: Type.String({ minLength: 1, maxLength: 16 }),
          url: Type.String({ minLength: 1, maxLength: 8192 }),
          headers: Type.Record(Type.String(), Type.String()),
          body: Type.Optional(Type.String()),
        },
        { description: 'A signed request to verify as received (HMAC, RSA-PSS, Ed25519 schemes)' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** POST /v1/keys/verify: services ask whether a key (or a signed request) may proceed. */
export async function verifyRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'verifier' | 'serverCredential'>): Promise<void> {
  app.post('/v1/keys/verify', {
    schema: {
      tags: ['verify'],
      security: [{ serverToken: [] }],
      summary: 'Verify an API key or a signed request; always 200 with a verdict',
      body: VerifyBody,
      response: {
        200: Type.Object({ valid: Type.Boolean(), code: Type.String(), message: Type.String(), key: Type.Optional(Identity), rateLimit: Type.Optional(RateLimit) }),
        400: ErrorSchema,
        401: ErrorSchema,
        429: ErrorSchema,
      },
    },
    handler: async (request) => {
      await parts.serverCredential.check(request);
      const body = request.body as typeof VerifyBody.static;
      let facts: RequestFacts;
      if (body.request) {
        const headers = Object.fromEntries(Object.entries(body.request.headers).map(([k, v]) => [k.toLowerCase(), v]));
        facts = { method: body.request.method.toUpperCase(), url: body.request.url, headers, body: body.request.body, ip: body.ip };
      } else {
        facts = { method: 'POST', url: '/', headers: body.key === undefined ? {} : { 'x-api-key': body.key }, ip: body.ip };
      }
      const verdict = await parts.verifier.verify(facts, { permission: body.permission });
      const rateLimit = verdict.rateLimit && { limit: verdict.rateLimit.limit, remaining: verdict.rateLimit.remaining, reset: verdict.rateLimit.resetSeconds };
      return { valid: verdict.valid, code: verdict.code, message: verdict.message, ...(verdict.key ? { key: keyIdentity(verdict.key) } : {}), ...(rateLimit ? { rateLimit } : {}) };
    },
  });
}
