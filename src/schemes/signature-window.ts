import type { Refusal } from '../core/verdict.ts';

/** How a scheme writes its timestamp header. */
export type TimestampUnit = 'ms' | 'ns';

/** How far a signed request's timestamp may lie from the server's clock: behind it (past) and ahead of it (future). */
export interface SignatureWindow {
  readonly pastMs: number;
  readonly futureMs: number;
}

const DIGITS = /^\d{1,25}$/;

/** Parses a decimal timestamp in `unit` to epoch milliseconds, or null when it is not a whole number. */
export function timestampMs(raw: string, unit: TimestampUnit): number | null {
  if (!DIGITS.test(raw)) return null;
  // Nanoseconds exceed Number's exact range, so divide as a BigInt.
  return unit === 'ms' ? Number(raw) : Number(BigInt(raw) / 1_000_000n);
}

/** Refuses a signed request whose timestamp (`at`, parsed by timestampMs) is malformed, older than the window allows or further ahead. */
export function checkSignatureWindow(at: number | null, unit: TimestampUnit, now: number, window: SignatureWindow): Refusal | null {
  if (at === null) {
    return { code: 'MALFORMED', message: `timestamp must be a whole number of ${unit === 'ms' ? 'milliseconds' : 'nanoseconds'} since the epoch` };
  }
  if (now - at > window.pastMs) {
    return { code: 'STALE_TIMESTAMP', message: `timestamp is ${seconds(now - at)} in the past; a signed request may be at most ${seconds(window.pastMs)} old` };
  }
  if (at - now > window.futureMs) {
    return {
      code: 'STALE_TIMESTAMP',
      message: `timestamp is ${seconds(at - now)} in the future; a signed request may be at most ${seconds(window.futureMs)} ahead of the server time (check the client's clock)`,
    };
  }
  return null;
}

/** A duration for a message, in tenths of a second rounded up: a skew just past a limit never reads as the limit itself. */
function seconds(ms: number): string {
  return `${Math.ceil(ms / 100) / 10}s`;
}
