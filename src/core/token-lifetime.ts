/**
 * The longest lifetime a management token may be given, in days (100 years): the bound of
 * `tokens.defaultTtlDays` and of `keygate token create --ttl-days`. Far beyond it an expiry is no
 * longer a date (JavaScript dates end in the year 275760).
 */
export const MAX_TOKEN_TTL_DAYS = 36_500;

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** Whether a management token still works at `now`: revocation first, then its expiry (none: never). */
export function tokenStatus(token: { readonly revokedAt: number | null; readonly expiresAt: number | null }, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt !== null) return 'revoked';
  return token.expiresAt !== null && token.expiresAt <= now ? 'expired' : 'active';
}
