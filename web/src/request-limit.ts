/** The most requests per minute a key may be given: a copy of the API's bound (src/core/api-key.ts), kept equal by a test. */
export const MAX_REQUESTS_PER_MINUTE = 10_000_000;

/**
 * Reads the request-limit field: empty hands the key back to its tier's limit (null); otherwise a
 * whole number from 1 to the API's bound. Returns the limit, or a message that says what is wrong.
 */
export function parseRequestLimit(text: string): { limit: number | null } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { limit: null };
  if (!/^\d+$/.test(trimmed)) return { error: 'Enter a whole number of requests per minute, or leave it empty for the tier\'s limit.' };
  const limit = Number(trimmed);
  if (limit < 1 || limit > MAX_REQUESTS_PER_MINUTE) return { error: `Enter a number from 1 to ${MAX_REQUESTS_PER_MINUTE.toLocaleString('en-US')}.` };
  return { limit };
}

/** How the key table shows a key's request limit. */
export function requestLimitLabel(limit: number | null): string {
  return limit === null ? 'Tier' : `${limit.toLocaleString('en-US')}/min`;
}
