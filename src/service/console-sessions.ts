import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { safeEqual, sha256Hex } from '../core/secret-hash.ts';
import { tokenStatus } from '../core/token-lifetime.ts';
import type { ConsoleSessionRepository } from '../store/console-session-repository.ts';

/** A session just opened: the id goes into an httpOnly cookie, the CSRF token to the page. */
export interface OpenedSession {
  readonly id: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/** A live session found by its id. */
export interface ActiveSession {
  readonly userId: string;
  readonly via: string;
  readonly expiresAt: number;
}

/** Web console sessions: random ids kept server-side as SHA-256, with an expiry and sign-out. */
export class ConsoleSessionService {
  readonly #repo: ConsoleSessionRepository;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(repo: ConsoleSessionRepository, clock: Clock, ttlMs: number) {
    this.#repo = repo;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /**
   * Opens a session for a user who just proved who they are (`via`: siwe or token). A session opened
   * with a management token lives no longer than that token: revoking it ends the session.
   */
  async open(userId: string, via: string, tokenId: string | null = null): Promise<OpenedSession> {
    const id = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const expiresAt = now + this.#ttlMs;
    await this.#repo.deleteEndedBefore(now);
    await this.#repo.insert({ idHash: sha256Hex(id), userId, via, createdAt: now, expiresAt, revokedAt: null, tokenId });
    return { id, csrfToken: this.csrfTokenFor(id), expiresAt };
  }

  /**
   * The live session with this id, or null when unknown, expired, signed out, or opened with a
   * management token that has since been revoked or expired (checked on every use, on every node).
   */
  async find(id: string): Promise<ActiveSession | null> {
    const record = await this.#repo.findByHash(sha256Hex(id));
    const now = this.#clock.now();
    if (!record || record.revokedAt !== null || record.expiresAt <= now) return null;
    if (record.tokenId !== null) {
      const token = record.token;
      if (token === null || tokenStatus(token, now) !== 'active') return null;
    }
    return { userId: record.userId, via: record.via, expiresAt: record.expiresAt };
  }

  /** Signs a session out on every node. */
  async close(id: string): Promise<void> {
    await this.#repo.revoke(sha256Hex(id), this.#clock.now());
  }

  /**
   * The CSRF token bound to a session. It is derived from the secret session id under its own label, so it
   * needs no storage, differs from the stored hash, and a page on another origin can neither read nor forge it.
   */
  csrfTokenFor(id: string): string {
    return sha256Hex(`keygate-console-csrf:${id}`);
  }

  /** True when `token` is the CSRF token of session `id` (constant-time). */
  csrfMatches(id: string, token: string | undefined): boolean {
    return typeof token === 'string' && safeEqual(token, this.csrfTokenFor(id));
  }
}
