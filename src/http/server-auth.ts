import type { FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import { safeEqual } from '../core/secret-hash.ts';
import type { AuditTrail } from '../service/audit-trail.ts';
import type { FailureThrottle } from '../verify/failure-throttle.ts';
import { TtlCache } from '../verify/ttl-cache.ts';
import { isThrottled, throttleAddress, type ThrottledAddresses } from '../verify/throttled-addresses.ts';
import { clientAddress } from './client-address.ts';

/** The per-IP budget of failed server-credential attempts (apart from people's sign-ins, so a misconfigured back end does not lock them out). */
const SERVER_SCOPE = 'server-fail';
/** A failure budget lasts one minute (FailureThrottle's window). */
const THROTTLE_MS = 60_000;

/**
 * The server credential of the verify API and the server publish API: `Authorization: Bearer <token>`,
 * `Authorization: apikey <token>` (Centrifugo style) or `X-Keygate-Server-Token`. Failures spend the
 * address's budget and are audited; once it is spent the address gets 429 — even with the right
 * token, so guessing learns nothing. The right token costs one constant-time compare and a local
 * lookup: no store or bus round trip on the hot path.
 */
export class ServerCredential {
  readonly #token: string;
  readonly #throttle: Pick<FailureThrottle, 'recordFailure'>;
  readonly #audit: Pick<AuditTrail, 'record'>;
  readonly #clock: Clock;
  /** Addresses whose budget this node has seen spent, until their minute is over. */
  readonly #throttled: ThrottledAddresses = new TtlCache({ ttlMs: THROTTLE_MS, maxSize: 100_000 });

  constructor(options: { token: string; throttle: Pick<FailureThrottle, 'recordFailure'>; audit: Pick<AuditTrail, 'record'>; clock: Clock }) {
    this.#token = options.token;
    this.#throttle = options.throttle;
    this.#audit = options.audit;
    this.#clock = options.clock;
  }

  /** Resolves when the request carries the server credential; throws UNAUTHENTICATED or RATE_LIMITED otherwise. */
  check(request: FastifyRequest): void | Promise<void> {
    if (isThrottled(this.#throttled, clientAddress(request) ?? undefined, this.#clock.now())) {
      throw new KeygateError(ErrorCode.RATE_LIMITED, 'too many failed server credential attempts from this address; try again in a minute');
    }
    const authorization = request.headers.authorization ?? '';
    const match = /^(?:Bearer|apikey)\s+(\S+)\s*$/i.exec(authorization);
    const presented = match?.[1] ?? (request.headers['x-keygate-server-token'] as string | undefined);
    if (presented && safeEqual(presented, this.#token)) return;
    return this.#refuse(request, presented ? 'invalid server credential' : 'server credential required: send Authorization: Bearer <server token>');
  }

  async #refuse(request: FastifyRequest, message: string): Promise<never> {
    const ip = clientAddress(request);
    if ((await this.#throttle.recordFailure(SERVER_SCOPE, ip)) && ip !== null) throttleAddress(this.#throttled, ip, this.#clock.now());
    await this.#audit.record({ userId: null, label: 'anonymous', organizationId: null, ip }, 'auth.server', 'denied', null, {
      route: request.routeOptions.url,
      reason: message,
    });
    throw new KeygateError(ErrorCode.UNAUTHENTICATED, message);
  }
}
