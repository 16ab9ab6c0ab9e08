import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { badInput, ErrorCode, KeygateError } from '../core/errors.ts';
import type { IdSource } from '../core/ids.ts';
import { keyTail } from '../core/opaque-key.ts';
import type { Principal, User } from '../core/principal.ts';
import { sha256Hex } from '../core/secret-hash.ts';
import { DAY_MS, MAX_TOKEN_TTL_DAYS, tokenStatus } from '../core/token-lifetime.ts';
import type { OwnedTokenRecord } from '../store/management-token-repository.ts';
import type { Store } from '../store/store.ts';
import { actorOf, type Actor, type AuditTrail } from './audit-trail.ts';

/** Prefix of management tokens, so they are never mistaken for API keys. */
export const MANAGEMENT_TOKEN_PREFIX = 'kgm_';
const MANAGEMENT_TOKEN_FORMAT = /^kgm_[0-9a-f]{64}$/;

/** A management token as listings show it: never the token, only its tail. */
export interface TokenView {
  readonly id: string;
  readonly name: string;
  readonly tail: string;
  readonly user: { readonly id: string; readonly name: string };
  readonly status: 'active' | 'expired' | 'revoked';
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/** How a stored token is listed at `now`. */
export function tokenView(token: OwnedTokenRecord, now: number): TokenView {
  const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
  const status = tokenStatus(token, now);
  return {
    id: token.id,
    name: token.name,
    tail: token.tail,
    user: { id: token.userId, name: token.userName },
    status,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: iso(token.expiresAt),
    revokedAt: iso(token.revokedAt),
  };
}

export interface TokenServiceDependencies {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly audit: AuditTrail;
  /** Lifetime of a token whose creator chooses none (`tokens.defaultTtlDays`); null: never expires. */
  readonly defaultTtlMs: number | null;
}

/** The operator (CLI, set-up scripts) as the audit log names them when they act on an organization. */
const operator = (organizationId: string | null): Actor => ({ userId: null, label: 'operator (cli)', organizationId, ip: null });

/** Management (Bearer) tokens: made for a user, stored as SHA-256, shown once, listed and revoked. */
export class TokenService {
  readonly #deps: TokenServiceDependencies;

  constructor(deps: TokenServiceDependencies) {
    this.#deps = deps;
  }

  /**
   * Creates a token for a user and returns it (shown once). `ttlMs` undefined takes the default
   * lifetime; null makes a token that never expires. Audited, as the operator unless `actor` says who.
   */
  async create(user: User, name = 'management token', ttlMs?: number | null, actor: Actor = operator(user.organizationId)): Promise<{ token: string; id: string; expiresAt: number | null }> {
    const { store, clock, ids, audit } = this.#deps;
    const token = MANAGEMENT_TOKEN_PREFIX + randomBytes(32).toString('hex');
    const now = clock.now();
    const id = ids.uuid();
    const lifetime = ttlMs === undefined ? this.#deps.defaultTtlMs : ttlMs;
    // An expiry past every date would be stored, then fail every listing of the organization's tokens.
    if (lifetime !== null && !(lifetime > 0 && lifetime <= MAX_TOKEN_TTL_DAYS * DAY_MS)) {
      throw badInput('ttlDays', `a management token lifetime must be positive and at most ${MAX_TOKEN_TTL_DAYS} days (or none: it never expires)`);
    }
    const expiresAt = lifetime === null ? null : now + lifetime;
    await store.transaction(async (tx) => {
      await tx.tokens.insert({ id, userId: user.id, name, tokenHash: sha256Hex(token), tail: keyTail(token), createdAt: now, expiresAt, lastUsedAt: null, revokedAt: null });
      await tx.audit.append(audit.entry(actor, 'token.create', 'ok', null, { tokenId: id, user: user.id, expiresAt }));
    });
    return { token, id, expiresAt };
  }

  /** Resolves a Bearer token to its principal (carrying the token's id), or throws UNAUTHENTICATED. */
  async authenticate(token: string | undefined, via: string, ip: string | null): Promise<Principal> {
    if (!token) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'missing Authorization: Bearer token');
    // A string that cannot be a token is refused without a store lookup, like a malformed API key.
    if (!MANAGEMENT_TOKEN_FORMAT.test(token)) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'invalid, expired or revoked bearer token');
    const record = await this.#deps.store.tokens.findByHash(sha256Hex(token));
    const now = this.#deps.clock.now();
    if (!record || tokenStatus(record, now) !== 'active') {
      throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'invalid, expired or revoked bearer token');
    }
    return { ...(await this.principalFor(record.userId, via, ip)), tokenId: record.id };
  }

  /** Builds the principal for a user id (also used by console sessions). */
  async principalFor(userId: string, via: string, ip: string | null): Promise<Principal> {
    const { store } = this.#deps;
    const user = await store.users.findById(userId);
    const organization = user ? await store.organizations.findById(user.organizationId) : null;
    if (!user || !organization) throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'the token owner no longer exists');
    return { user, organization, via, ip };
  }

  /** The tokens the caller may see: their own, or every token of the organization for admins. */
  async list(principal: Principal): Promise<TokenView[]> {
    const filter = principal.user.role === 'admin' ? { organizationId: principal.organization.id } : { userId: principal.user.id };
    const now = this.#deps.clock.now();
    return (await this.#deps.store.tokens.list(filter)).map((token) => tokenView(token, now));
  }

  /**
   * Revokes a token: the caller's own, or any of the organization's for admins (404 for any other,
   * so other organizations' token ids are never confirmed). Console sessions it opened end with it.
   * Audited, refused attempts included.
   */
  async revoke(principal: Principal, id: string): Promise<TokenView> {
    return this.#revoke(actorOf(principal), id, (token) => token.organizationId === principal.organization.id && (principal.user.role === 'admin' || token.userId === principal.user.id));
  }

  /** Tokens of a user or organization for the operator's CLI (no access check; never for API callers). */
  async listForOperator(filter: { userId?: string; organizationId?: string }): Promise<TokenView[]> {
    const now = this.#deps.clock.now();
    return (await this.#deps.store.tokens.list(filter)).map((token) => tokenView(token, now));
  }

  /** Revokes any token for the operator's CLI; audited in the token's organization. */
  async revokeForOperator(id: string): Promise<TokenView> {
    const found = await this.#deps.store.tokens.findOwned(id);
    return this.#revoke(operator(found?.organizationId ?? null), id, () => true);
  }

  async #revoke(actor: Actor, id: string, mayRevoke: (token: OwnedTokenRecord) => boolean): Promise<TokenView> {
    const { store, clock, audit } = this.#deps;
    try {
      return await store.transaction(async (tx) => {
        const token = await tx.tokens.findOwned(id);
        // The refused id is not repeated in the message or the audit log: it may be anything a caller pasted.
        if (!token || !mayRevoke(token)) throw new KeygateError(ErrorCode.NOT_FOUND, 'no management token with that id');
        const now = clock.now();
        if (!(await tx.tokens.revoke(token.id, now))) throw new KeygateError(ErrorCode.CONFLICT, 'the management token is already revoked');
        await tx.audit.append(audit.entry(actor, 'token.revoke', 'ok', null, { tokenId: token.id, user: token.userId }));
        return tokenView({ ...token, revokedAt: now }, now);
      });
    } catch (error) {
      if (error instanceof KeygateError) {
        const known = error.code !== ErrorCode.NOT_FOUND;
        await audit.record(actor, 'token.revoke', 'failed', null, { code: error.code, reason: error.reason, ...(known ? { tokenId: id } : {}) });
      }
      throw error;
    }
  }
}
