import type { Refusal } from '../core/verdict.ts';

/** How a scheme writes its timestamp header. */
export type TimestampUnit = 'ms' | 'ns';

const DIGITS = /^\d{1,25}$/;

/** Parses a decimal timestamp in `unit` to epoch milliseconds, or null when it is not a whole number. */
export function timestampMs(raw: string, unit: TimestampUnit): number | null {
  if (!DIGITS.test(raw)) return null;
  // Nanoseconds exceed Number's exact range, so divide as a BigInt.
  return unit === 'ms' ? Number(raw) : Number(BigInt(raw) / 1_000_000n);
}

/** Refuses a signed request whose timestamp (`at`, parsed by timestampMs) is malformed or further than `windowMs` from `now`, either way. */
export function checkSignatureWindow(at: number | null, unit: TimestampUnit, now: number, windowMs: number): Refusal | null {
  if (at === null) {
    return { code: 'MALFORMED', message: `timestamp must be a whole number of ${unit === 'ms' ? 'milliseconds' : 'nanoseconds'} since the epoch` };
  }
  const skew = at - now;
  if (Math.abs(skew) > windowMs) {
    const seconds = Math.round(Math.abs(skew) / 1000);
    return { code: 'STALE_TIMESTAMP', message: `timestamp is ${seconds}s in the ${skew < 0 ? 'past' : 'future'}; signed requests must be within ${windowMs / 1000}s of the server time` };
  }
  return null;
}
