import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorBody } from '../error-handler.ts';
import { replyError, VERDICT_STATUS } from '../../core/codes.ts';
import { requestFacts } from '../request-facts.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { keyEndsAt } from '../../core/api-key.ts';
import { isBackendUnavailable } from '../../core/backend-unavailable.ts';
import { badInput, ErrorCode, KeygateError } from '../../core/errors.ts';

const Publish = Type.Object({ channel: Type.String({ minLength: 1 }), data: Type.Unknown() }, { additionalProperties: true });
const Broadcast = Type.Object({ channels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 1000 }), data: Type.Unknown() }, { additionalProperties: true });
const Disconnect = Type.Object(
  { user: Type.Optional(Type.String({ minLength: 1 })), key: Type.Optional(Type.String({ minLength: 1 })), client: Type.Optional(Type.String({ minLength: 1 })) },
  { additionalProperties: true },
);
const History = Type.Object(
  {
    channel: Type.String({ minLength: 1 }),
    limit: Type.Optional(Type.Integer()),
    reverse: Type.Optional(Type.Boolean()),
    since: Type.Optional(Type.Object({ offset: Type.Integer({ minimum: 0 }), epoch: Type.Optional(Type.String()) })),
  },
  { additionalProperties: true },
);
const Channel = Type.Object({ channel: Type.String({ minLength: 1 }) }, { additionalProperties: true });

const tags = ['realtime'];
const security = [{ serverToken: [] }];

/**
 * The server API (Centrifugo-style, `Authorization: apikey <server token>`): publish, broadcast,
 * disconnect, history, presence; and POST /v1/realtime/token, which mints a connection token for a
 * key whose requests are signed, authenticated by that signed request.
 */
export async function realtimeRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'realtime' | 'serverCredential' | 'verifier' | 'config' | 'clock' | 'logger'>): Promise<void> {
  const { realtime } = parts;
  const server = (request: FastifyRequest) => parts.serverCredential.check(request);

  app.post('/api/publish', { schema: { tags, security, summary: 'Publish into a channel', body: Publish } }, async (request) => {
    await server(request);
    const body = request.body as Static<typeof Publish>;
    return { result: await realtime.publish(body.channel, body.data) };
  });

  app.post('/api/broadcast', { schema: { tags, security, summary: 'Publish the same data into several channels', body: Broadcast } }, async (request) => {
    await server(request);
    const body = request.body as Static<typeof Broadcast>;
    const responses = [];
    for (const channel of body.channels) {
      try {
        responses.push({ result: await realtime.publish(channel, body.data) });
      } catch (error) {
        // Only a channel name the gateway refuses is "unknown channel"; a store or broker failure is
        // a temporary internal error the caller may retry, and is logged here.
        if (error instanceof KeygateError && error.code === ErrorCode.BAD_REQUEST) {
          responses.push({ error: replyError('UNKNOWN_CHANNEL', error.message) });
        } else {
          // An unreachable bus is logged once by its health, not once per channel and request.
          if (!isBackendUnavailable(error)) parts.logger.error({ err: error, channel }, 'broadcast to a channel failed');
          responses.push({ error: replyError('INTERNAL', undefined, true) });
        }
      }
    }
    return { result: { responses } };
  });

  app.post('/api/disconnect', { schema: { tags, security, summary: 'End sessions of a user, a key or a client on every node', body: Disconnect } }, async (request) => {
    await server(request);
    const body = request.body as Static<typeof Disconnect>;
    if (body.user === undefined && body.key === undefined && body.client === undefined) throw badInput('user', 'give user, key or client');
    await realtime.disconnect({ user: body.user, key: body.key, client: body.client });
    return { result: {} };
  });

  app.post('/api/history', { schema: { tags, security, summary: 'Publications a channel keeps', body: History } }, async (request) => {
    await server(request);
    const body = request.body as Static<typeof History>;
    return { result: await realtime.history(body.channel, body) };
  });

  app.post('/api/presence', { schema: { tags, security, summary: 'Clients subscribed to a channel', body: Channel } }, async (request) => {
    await server(request);
    return { result: await realtime.presence((request.body as Static<typeof Channel>).channel) };
  });

  app.post('/api/presence_stats', { schema: { tags, security, summary: 'Client and user counts in a channel', body: Channel } }, async (request) => {
    await server(request);
    return { result: await realtime.presenceStats((request.body as Static<typeof Channel>).channel) };
  });

  app.post(
    '/v1/realtime/token',
    { schema: { tags, summary: 'Connection token for the Centrifuge endpoint, for keys that sign their requests (authenticated by the signed request)' } },
    async (request, reply) => {
      const verdict = await parts.verifier.verify(requestFacts(request));
      if (!verdict.valid) return reply.status(VERDICT_STATUS[verdict.code]).send(errorBody(verdict.code, verdict.message));
      const ttlMs = parts.config.realtime.connectionTokenTtlSeconds * 1000;
      // Never outlive the key itself (expiry or a scheduled revocation).
      const until = Math.min(parts.clock.now() + ttlMs, keyEndsAt(verdict.key) ?? Infinity);
      const { token, expiresAt } = realtime.mintConnectionToken(verdict.key.id, until);
      return { token, expiresAt };
    },
  );
}
