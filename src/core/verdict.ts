import type { ApiKey } from './api-key.ts';
import type { HeaderList } from './identity-headers.ts';
import type { RateLimitState } from './rate-limit-state.ts';

/** Every outcome of a verification; only VALID lets a request through. */
export const VerdictCode = {
  VALID: 'VALID',
  MISSING: 'MISSING',
  MALFORMED: 'MALFORMED',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  STALE_TIMESTAMP: 'STALE_TIMESTAMP',
  REPLAYED: 'REPLAYED',
  REVOKED: 'REVOKED',
  EXPIRED: 'EXPIRED',
  DISABLED: 'DISABLED',
  IP_NOT_ALLOWED: 'IP_NOT_ALLOWED',
  INSUFFICIENT_PERMISSIONS: 'INSUFFICIENT_PERMISSIONS',
  RATE_LIMITED: 'RATE_LIMITED',
} as const;
export type VerdictCode = (typeof VerdictCode)[keyof typeof VerdictCode];

/** An expected refusal, with a message for the caller. */
export interface Refusal {
  readonly code: Exclude<VerdictCode, 'VALID'>;
  readonly message: string;
  /** False for a refusal that is not the caller's doing (the replay store lost its claims): not counted against its address. */
  readonly callerFailure?: false;
}

export type Verdict =
  | {
      readonly valid: true;
      readonly code: 'VALID';
      readonly message: string;
      readonly key: ApiKey;
      readonly ownerWallets?: readonly string[];
      /** Forward-auth's 200 headers for the key (X-Keygate-Code: VALID, the identity headers), built once when it was loaded. */
      readonly validHeaders: HeaderList;
      /** Present when the key has a request limit and this request was counted against it. */
      readonly rateLimit?: RateLimitState;
    }
  | { readonly valid: false; readonly code: Refusal['code']; readonly message: string; readonly key?: ApiKey; readonly rateLimit?: RateLimitState };

/** Builds a refusal verdict. */
export function refuse(code: Refusal['code'], message: string, key?: ApiKey, rateLimit?: RateLimitState): Verdict {
  return rateLimit === undefined ? { valid: false, code, message, key } : { valid: false, code, message, key, rateLimit };
}
