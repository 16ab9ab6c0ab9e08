/** Requests of one key are counted in fixed windows of one minute. */
export const RATE_WINDOW_MS = 60_000;

/** Where a key stands against its request limit, as the caller is told (X-RateLimit-*, the verify API). */
export interface RateLimitState {
  /** Requests allowed per window. */
  readonly limit: number;
  /** Requests left in the current window (0 once refused). */
  readonly remaining: number;
  /** Whole seconds until the current window ends and the count starts again (at least 1). */
  readonly resetSeconds: number;
}

/**
 * The state after `hits` requests in the window that holds `now`. The window boundaries are the
 * ones the counters use (multiples of the window since the epoch), so every node reports the same reset.
 */
export function rateLimitState(limit: number, hits: number, now: number, windowMs = RATE_WINDOW_MS): RateLimitState {
  const windowEnd = (Math.floor(now / windowMs) + 1) * windowMs;
  return { limit, remaining: Math.max(0, limit - hits), resetSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
}
