import { badInput } from './errors.ts';

/** 9999-12-31T23:59:59.999Z: later instants do not fit an ISO 8601 date or every store's integer column. */
export const LATEST_EXPIRY = 253_402_300_799_999;

/** Checks an expiry (epoch ms or null for none) against `now`: in the future and before the year 10000. */
export function validateExpiry(expiresAt: number | null, now: number, field = 'expiresAt'): number | null {
  if (expiresAt === null) return null;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) throw badInput(field, `${field} must be in the future`);
  if (expiresAt > LATEST_EXPIRY) throw badInput(field, `${field} must be before the year 10000`);
  return expiresAt;
}
