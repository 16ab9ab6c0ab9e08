import type { FastifyInstance } from 'fastify';
import { ErrorCode, KeygateError } from '../../core/errors.ts';
import { safeEqual } from '../../core/secret-hash.ts';
import type { HttpDependencies } from '../http-dependencies.ts';
import { bearerToken } from '../management-auth.ts';

/**
 * GET /metrics: the node's metrics in the Prometheus text format. With `metrics.token` set, a scrape
 * must send `Authorization: Bearer <token>` (compared in constant time; 401 otherwise); without it
 * the route is open, like /healthz, and belongs on a network only Prometheus reaches.
 */
export async function metricsRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'metrics' | 'config'>): Promise<void> {
  const token = parts.config.metrics.token;
  app.get('/metrics', {
    schema: { tags: ['health'], summary: 'Prometheus metrics (text format); Bearer metrics.token when one is set', security: token ? [{ metricsToken: [] }] : [] },
    handler: async (request, reply) => {
      if (token !== null && !safeEqual(bearerToken(request) ?? '', token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'this node requires Authorization: Bearer <metrics.token> for /metrics');
      }
      const text = await parts.metrics.render();
      return reply.header('content-type', parts.metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  });
}
