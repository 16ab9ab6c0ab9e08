import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../http-dependencies.ts';

const Report = Type.Object({
  ready: Type.Boolean(),
  store: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  bus: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
});

/**
 * GET /readyz: 200 `{"ready":true,"store":"ok","bus":"ok"}` when the store and the bus answer
 * within a second, else 503 with the one that is down marked `down` (load balancers take the node
 * out; /healthz stays a liveness check that answers while the process runs).
 */
export async function readinessRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'readiness'>): Promise<void> {
  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: 200 when the store and the bus answer, 503 naming what is down',
      response: { 200: Report, 503: Report },
    },
    handler: async (_request, reply) => {
      const report = await parts.readiness.check();
      return reply.status(report.ready ? 200 : 503).header('cache-control', 'no-store').send(report);
    },
  });
}
