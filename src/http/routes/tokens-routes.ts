import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../http-dependencies.ts';
import { ErrorSchema } from '../error-schema.ts';
import { authenticatedRoute } from '../management-auth.ts';

const TokenViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tail: Type.String({ description: 'The last six characters of the token' }),
  user: Type.Object({ id: Type.String(), name: Type.String() }),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** Management tokens: list them and revoke them (members their own; admins their organization's). */
export async function tokensRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'tokens'>): Promise<void> {
  const tags = ['tokens'];
  const security = [{ bearerAuth: [] }];
  const authenticated = authenticatedRoute(app);

  app.get('/v1/tokens', {
    ...authenticated,
    schema: {
      tags,
      security,
      summary: 'List management tokens, newest first: your own (admins: the organization\'s); never the token itself',
      response: { 200: Type.Object({ tokens: Type.Array(TokenViewSchema) }), 401: ErrorSchema },
    },
    handler: async (request) => ({ tokens: await parts.tokens.list(await app.requirePrincipal(request)) }),
  });

  app.delete('/v1/tokens/:id', {
    ...authenticated,
    schema: {
      tags,
      security,
      summary: 'Revoke a management token now; console sessions opened with it end too',
      params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,100}$' }) }),
      response: { 200: TokenViewSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
    },
    handler: async (request) => parts.tokens.revoke(await app.requirePrincipal(request), (request.params as { id: string }).id),
  });
}
