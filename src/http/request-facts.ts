import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from '../core/request-facts.ts';

/** The transport-neutral view of a Fastify request that schemes verify. */
export function requestFacts(request: FastifyRequest): RequestFacts {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers as Record<string, string | undefined>,
    body: request.rawBody,
    ip: request.ip,
  };
}
