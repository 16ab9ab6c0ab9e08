import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { keyStatus, type ApiKey } from '../../core/api-key.ts';
import { badInput } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { validateTradingScopes } from '../../core/trading-scopes.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { errorReply, type ErrorBody } from '../error-handler.ts';

const Scopes = Type.Array(Type.String({ maxLength: 32 }), {
  maxItems: 10,
  description: 'read, write, write::transfer; write requires read. Defaults to ["read","write"]',
});
const CreateApiKeyRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: "Name for the API key. This helps identify the key's purpose" }),
    public_key: Type.String({ minLength: 1, maxLength: 16384, description: 'RSA public key in PEM format (at least 2048 bits)' }),
    scopes: Type.Optional(Scopes),
  },
  { additionalProperties: false },
);
const GenerateApiKeyRequest = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scopes: Type.Optional(Scopes) },
  { additionalProperties: false },
);
const ApiKeyEntry = Type.Object({ api_key_id: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()) });
/** The platform's ErrorResponse ({code, message, details?, service?}), plus Keygate's usual `error` object. */
const ErrorResponse = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.String()),
  service: Type.Optional(Type.String()),
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});

/** Reshapes the standard error body into the platform's ErrorResponse. */
function errorResponse(body: ErrorBody) {
  const { code, message, field } = body.error;
  return { code, message, ...(field ? { details: `field: ${field}` } : {}), service: 'keygate', error: body.error };
}

function entry(key: ApiKey) {
  return { api_key_id: key.lookup, name: key.name, scopes: [...key.permissions] };
}

/** Spec 004: RSA keys under /api_keys (upload for premier and market-maker users, or generate), RSA-PSS-signed requests. */
export async function rsaKeysProfile(app: FastifyInstance, parts: Pick<HttpDependencies, 'keys' | 'clock'>): Promise<void> {
  const { keys, clock } = parts;
  const tags = ['api_keys (spec 004)'];
  const security = [{ bearerAuth: [] }];

  await app.register(async (scope) => {
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const { status, body } = errorReply(error, request);
      return reply.status(status).send(errorResponse(body));
    });

    scope.get('/api_keys', {
      schema: { tags, security, summary: 'Get API Keys', response: { 200: Type.Object({ api_keys: Type.Array(ApiKeyEntry) }), 401: ErrorResponse } },
      handler: async (request) => {
        const principal = await app.requirePrincipal(request);
        const now = clock.now();
        const found = await keys.list(principal, { mine: true, scheme: 'rsa' });
        return { api_keys: found.filter((k) => keyStatus(k, now) !== 'revoked').map(entry) };
      },
    });

    scope.post('/api_keys', {
      schema: {
        tags,
        security,
        summary: 'Create API Key from your own RSA public key (Premier and Market Maker usage levels)',
        body: CreateApiKeyRequest,
        response: { 201: Type.Object({ api_key_id: Type.String() }), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
      handler: async (request, reply) => {
        const principal = await app.requirePrincipal(request);
        const body = request.body as typeof CreateApiKeyRequest.static;
        const created = await keys.create(principal, {
          name: body.name,
          scheme: 'rsa',
          permissions: validateTradingScopes(body.scopes),
          material: { publicKey: body.public_key, publicKeyField: 'public_key' },
          allowedUsageLevels: ['premier', 'market_maker'],
          origin: 'rsa',
          fieldNames: { permissions: 'scopes' },
        });
        return reply.status(201).send({ api_key_id: created.key.lookup });
      },
    });

    scope.post('/api_keys/generate', {
      schema: {
        tags,
        security,
        summary: 'Generate API Key: the server makes an RSA key pair, keeps the public key and returns the private key once',
        body: GenerateApiKeyRequest,
        response: { 201: Type.Object({ api_key_id: Type.String(), private_key: Type.String() }), 400: ErrorResponse, 401: ErrorResponse },
      },
      handler: async (request, reply) => {
        const principal = await app.requirePrincipal(request);
        const body = request.body as typeof GenerateApiKeyRequest.static;
        const created = await keys.create(principal, {
          name: body.name,
          scheme: 'rsa',
          permissions: validateTradingScopes(body.scopes),
          material: { generate: true },
          origin: 'rsa',
          fieldNames: { permissions: 'scopes' },
        });
        return reply.status(201).send({ api_key_id: created.key.lookup, private_key: created.secret! });
      },
    });

    scope.delete('/api_keys/:api_key', {
      schema: {
        tags,
        security,
        summary: 'Delete API Key (permanent)',
        params: Type.Object({ api_key: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
      handler: async (request, reply) => {
        const principal = await app.requirePrincipal(request);
        const id = (request.params as { api_key: string }).api_key;
        if (!isUuid(id)) throw badInput('api_key', 'api_key must be an API key id (a UUID)');
        await keys.deleteByLookup(principal, 'rsa', id.toLowerCase(), { policy: 'owner' });
        return reply.status(204).send();
      },
    });
  });
}
