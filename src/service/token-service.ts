import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { IdSource } from '../core/ids.ts';
import { keyTail } from '../core/opaque-key.ts';
import type { Principal, User } from '../core/principal.ts';
import { sha256Hex } from '../core/secret-hash.ts';
import type { Store } from '../store/store.ts';

/** Prefix of management tokens, so they are never mistaken for API keys. */
export const MANAGEMENT_TOKEN_PREFIX = 'kgm_';
const MANAGEMENT_TOKEN_FORMAT = /^kgm_[0-9a-f]{64}$/;

/** Management (Bearer) tokens: made for a user, stored as SHA-256, shown once. */
export class TokenService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(store: Store, clock: Clock, ids: IdSource) {
    this.#store = store;
    this.#clock = clock;
    this.#ids = ids;
  }

  /** Creates a token for a user; returns the raw token (shown once). */
  async create(user: User, name = 'management token', ttlMs: number | null = null): Promise<{ token: string; id: string; expiresAt: number | null }> {
    const token = MANAGEMENT_TOKEN_PREFIX + randomBytes(32).toString('hex');
    const now = this.#clock.now();
    const id = this.#ids.uuid();
    const expiresAt = ttlMs === null ? null : now + ttlMs;
    await this.#store.tokens.insert({
      id,
      userId: user.id,
      name,
      tokenHash: sha256Hex(token),
      tail: keyTail(token),
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    return { token, id, expiresAt };
  }

  /** Resolves a Bearer token to its principal, or throws UNAUTHENTICATED. */
  async authenticate(token: string | undefined, via: string, ip: string | null): Promise<Principal> {
    if (!token) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'missing Authorization: Bearer token');
    // A string that cannot be a token is refused without a store lookup, like a malformed API key.
    if (!MANAGEMENT_TOKEN_FORMAT.test(token)) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'invalid or expired bearer token');
    const record = await this.#store.tokens.findByHash(sha256Hex(token));
    const now = this.#clock.now();
    if (!record || record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) {
      throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'invalid or expired bearer token');
    }
    return this.principalFor(record.userId, via, ip);
  }

  /** Builds the principal for a user id (also used by console sessions). */
  async principalFor(userId: string, via: string, ip: string | null): Promise<Principal> {
    const user = await this.#store.users.findById(userId);
    const organization = user ? await this.#store.organizations.findById(user.organizationId) : null;
    if (!user || !organization) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'the token owner no longer exists');
    return { user, organization, via, ip };
  }
}
