import type { FastifyRequest } from 'fastify';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import { safeEqual } from '../core/secret-hash.ts';

/**
 * Checks the server credential (verify API, server publish API): `Authorization: Bearer <token>`,
 * `Authorization: apikey <token>` (Centrifugo style) or `X-Keygate-Server-Token`.
 */
export function requireServerCredential(request: FastifyRequest, serverToken: string): void {
  const authorization = request.headers.authorization ?? '';
  const match = /^(?:Bearer|apikey)\s+(\S+)\s*$/i.exec(authorization);
  const presented = match?.[1] ?? (request.headers['x-keygate-server-token'] as string | undefined);
  if (!presented) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'server credential required: send Authorization: Bearer <server token>');
  if (!safeEqual(presented, serverToken)) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'invalid server credential');
}
