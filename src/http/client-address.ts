import type { FastifyRequest } from 'fastify';

/**
 * The client's address as services take it (`string | null`): Fastify's `request.ip` is undefined once
 * the client has reset its connection, which reached the failure throttle as a TypeError logged with
 * a stack trace for every such request.
 */
export function clientAddress(request: FastifyRequest): string | null {
  return request.ip ?? null;
}
