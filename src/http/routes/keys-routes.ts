import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { KEY_SCHEMES, MAX_CONNECTIONS, MAX_REQUESTS_PER_MINUTE, TIERS } from '../../core/api-key.ts';
import { badInput } from '../../core/errors.ts';
import { LATEST_EXPIRY } from '../../core/key-expiry.ts';
import { AuditPageQuery, auditPageBody, auditPageRequest } from '../audit-page-schema.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { ErrorSchema } from '../error-schema.ts';
import { authenticatedRoute } from '../management-auth.ts';
import { keyView, KeyViewSchema } from '../../service/key-view.ts';

// Key ids are UUIDs; the pattern keeps stray bytes (NUL, spaces) away from the store.
const ID_PATTERN = { pattern: '^[A-Za-z0-9._:-]{1,100}$', 'x-expected': 'a key id: 1 to 100 letters, digits or . _ : -' };
const Id = Type.Object({ id: Type.String(ID_PATTERN) });
const LATEST_EXPIRY_SECONDS = Math.floor(LATEST_EXPIRY / 1000);
const StringList = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 });
const Tier = Type.Union(TIERS.map((t) => Type.Literal(t)));

// One schema with two types, not a union: AJV's type coercion would turn a refused 0 into the union's null.
const RequestLimit = Type.Unsafe<number | null>({
  type: ['integer', 'null'],
  minimum: 1,
  maximum: MAX_REQUESTS_PER_MINUTE,
  description: "Admins only: verified requests per minute for this key, overriding its tier's; null: the tier's limit",
});

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    permissions: Type.Optional(StringList),
    ipAllowlist: Type.Optional(StringList),
    allowedExchanges: Type.Optional(StringList),
    tier: Type.Optional(Tier),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONNECTIONS })),
    requestsPerMinute: Type.Optional(RequestLimit),
    expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: LATEST_EXPIRY }), Type.Null()])),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: LATEST_EXPIRY_SECONDS })),
    ownerId: Type.Optional(Type.String({ ...ID_PATTERN, 'x-expected': 'a user id: 1 to 100 letters, digits or . _ : -' })),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    permissions: Type.Optional(StringList),
    ipAllowlist: Type.Optional(StringList),
    allowedExchanges: Type.Optional(StringList),
    tier: Type.Optional(Tier),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONNECTIONS })),
    enabled: Type.Optional(Type.Boolean({ description: 'false suspends the key (verification answers 403 DISABLED, live sessions end), true resumes it; admins only' })),
    requestsPerMinute: Type.Optional(RequestLimit),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Created = Type.Intersect([KeyViewSchema, Type.Object({ key: Type.String({ description: 'The full credential, shown only in this response' }) })]);

/** Reads `expiresAt` (ISO 8601 or epoch ms) or `expiresInSeconds` into epoch ms. */
function expiryFrom(body: { expiresAt?: string | number | null; expiresInSeconds?: number }, now: number): number | null {
  if (body.expiresAt !== undefined && body.expiresInSeconds !== undefined) throw badInput('expiresAt', 'give expiresAt or expiresInSeconds, not both');
  if (body.expiresInSeconds !== undefined) return now + body.expiresInSeconds * 1000;
  if (body.expiresAt === undefined || body.expiresAt === null) return null;
  const at = typeof body.expiresAt === 'number' ? body.expiresAt : Date.parse(body.expiresAt);
  if (!Number.isFinite(at)) throw badInput('expiresAt', 'expiresAt must be an ISO 8601 date-time');
  return at;
}

/** The native key-management API under /v1/keys. */
export async function keysRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'keys' | 'clock' | 'audit'>): Promise<void> {
  const { keys, clock } = parts;
  const tags = ['keys'];
  const security = [{ bearerAuth: [] }];
  const authenticated = authenticatedRoute(app);

  app.post('/v1/keys', {
    ...authenticated,
    schema: { tags, security, summary: 'Create an API key (the full key is returned once)', body: CreateBody, response: { 201: Created, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema } },
    handler: async (request, reply) => {
      const principal = await app.requirePrincipal(request);
      const body = request.body as typeof CreateBody.static;
      const created = await keys.create(principal, {
        name: body.name,
        permissions: body.permissions,
        ipAllowlist: body.ipAllowlist,
        allowedExchanges: body.allowedExchanges,
        tier: body.tier,
        maxConnections: body.maxConnections,
        requestsPerMinute: body.requestsPerMinute,
        expiresAt: expiryFrom(body, clock.now()),
        ownerId: body.ownerId,
        origin: 'native',
      });
      return reply.status(201).send({ ...keyView(created.key, clock.now()), key: created.secret });
    },
  });

  app.get('/v1/keys', {
    ...authenticated,
    schema: {
      tags,
      security,
      summary: 'List the keys you may see (admins: the organization), optionally by name or tail',
      querystring: Type.Object({
        name: Type.Optional(Type.String({ maxLength: 100 })),
        tail: Type.Optional(Type.String({ maxLength: 64 })),
        scheme: Type.Optional(Type.Union(KEY_SCHEMES.map((s) => Type.Literal(s)))),
        q: Type.Optional(Type.String({ maxLength: 100, description: 'Matches the name or the tail' })),
      }),
      response: { 200: Type.Object({ keys: Type.Array(KeyViewSchema) }), 401: ErrorSchema },
    },
    handler: async (request) => {
      const principal = await app.requirePrincipal(request);
      const query = request.query as { name?: string; tail?: string; scheme?: (typeof KEY_SCHEMES)[number]; q?: string };
      const found = await keys.list(principal, { name: query.name, tail: query.tail, text: query.q, scheme: query.scheme });
      const now = clock.now();
      return { keys: found.map((k) => keyView(k, now)) };
    },
  });

  app.get('/v1/keys/:id', {
    ...authenticated,
    schema: { tags, security, summary: 'Get one key', params: Id, response: { 200: KeyViewSchema, 401: ErrorSchema, 404: ErrorSchema } },
    handler: async (request) => {
      const principal = await app.requirePrincipal(request);
      return keyView(await keys.get(principal, (request.params as { id: string }).id), clock.now());
    },
  });

  app.patch('/v1/keys/:id', {
    ...authenticated,
    schema: { tags, security, summary: 'Change name, permissions, IP allowlist or allowed exchanges (admins also tier, maxConnections, requestsPerMinute); suspend or resume the key (enabled, admins)', params: Id, body: UpdateBody, response: { 200: KeyViewSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema } },
    handler: async (request) => {
      const principal = await app.requirePrincipal(request);
      const updated = await keys.update(principal, (request.params as { id: string }).id, request.body as typeof UpdateBody.static);
      return keyView(updated, clock.now());
    },
  });

  app.post('/v1/keys/:id/revoke', {
    ...authenticated,
    schema: { tags, security, summary: 'Revoke a key now; every session using it ends', params: Id, response: { 200: KeyViewSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema } },
    handler: async (request) => {
      const principal = await app.requirePrincipal(request);
      return keyView(await keys.revoke(principal, (request.params as { id: string }).id), clock.now());
    },
  });

  app.post('/v1/keys/:id/roll', {
    // The body is optional: a bare POST rolls with no grace period.
    preValidation: async (request) => {
      await authenticated.preValidation(request);
      request.body ??= {};
    },
    schema: {
      tags,
      security,
      summary: 'Issue a new secret; the old one keeps working for graceSeconds, then is revoked',
      params: Id,
      body: Type.Optional(Type.Object({ graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: LATEST_EXPIRY_SECONDS })) }, { additionalProperties: false })),
      response: { 201: Type.Intersect([Created, Type.Object({ previous: KeyViewSchema })]), 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
    },
    handler: async (request, reply) => {
      const principal = await app.requirePrincipal(request);
      const graceSeconds = (request.body as { graceSeconds?: number } | undefined)?.graceSeconds ?? 0;
      const rolled = await keys.roll(principal, (request.params as { id: string }).id, graceSeconds);
      const now = clock.now();
      return reply.status(201).send({ ...keyView(rolled.key, now), key: rolled.secret, previous: { ...keyView(rolled.previous, now) } });
    },
  });

  app.delete('/v1/keys/:id', {
    ...authenticated,
    schema: { tags, security, summary: 'Delete a key (revokes it; the audit trail keeps it)', params: Id, response: { 204: Type.Null(), 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema } },
    handler: async (request, reply) => {
      const principal = await app.requirePrincipal(request);
      await keys.delete(principal, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  });

  app.get('/v1/keys/:id/audit', {
    ...authenticated,
    schema: { tags, security, summary: 'The audit trail of one key, newest first, a page at a time', params: Id, querystring: AuditPageQuery },
    handler: async (request) => {
      const principal = await app.requirePrincipal(request);
      const key = await keys.get(principal, (request.params as { id: string }).id);
      return auditPageBody(await parts.audit.listForKey(principal, key.id, auditPageRequest(request.query)));
    },
  });
}
