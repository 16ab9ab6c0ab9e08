import type { ApiKey } from '../core/api-key.ts';
import type { HealthLog } from '../core/backend-health.ts';
import { validAnswerHeaders, type IdentityHeader } from '../core/identity-headers.ts';
import { compileAllowlist } from '../core/ip-allowlist.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Config } from '../config/config-schema.ts';
import type { SchemeIndex } from '../schemes/scheme-index.ts';
import type { CachedKey } from './caches.ts';

/** What building a cache entry derives a key's state from. */
export interface CachedKeyDerivation {
  readonly schemes: Pick<SchemeIndex, 'named'>;
  readonly secrets: SecretBox;
  /** The identity headers forward-auth sends (`forwardAuth.identityHeaders`). */
  readonly identityHeaders: readonly IdentityHeader[];
  readonly tiers: Config['keys']['tiers'];
  /** Where a key whose stored material cannot be used is reported (once per load, never the material). */
  readonly log?: Pick<HealthLog, 'warn'>;
}

/**
 * Builds the one cache entry of a loaded key: compiled allowlist, the scheme's verification material
 * (an opened HMAC secret or a parsed public key, as a KeyObject), forward-auth's 200 headers and the
 * effective request limit. Run once per load, so the hot path only reads fields.
 */
export function buildCachedKey(key: ApiKey, ownerWallets: readonly string[], derive: CachedKeyDerivation): CachedKey {
  return {
    key,
    allowlist: compileAllowlist(key.ipAllowlist),
    ownerWallets,
    material: preparedMaterial(key, derive),
    validHeaders: validAnswerHeaders(key, derive.identityHeaders),
    requestsPerMinute: key.requestsPerMinute ?? derive.tiers[key.tier]?.requestsPerMinute ?? null,
  };
}

/**
 * The scheme's verification material for a key, or null when the stored material cannot be used (a
 * secret sealed under another master secret, a damaged public key): such a key verifies nothing, and
 * its requests get the scheme's refusal instead of an unexpected error (a 500, or live sessions ended
 * as unverifiable on every re-check).
 */
function preparedMaterial(key: ApiKey, derive: CachedKeyDerivation): unknown {
  try {
    return derive.schemes.named(key.scheme).prepare(key, { secrets: derive.secrets });
  } catch (error) {
    // The operator must hear of it (a wrong master key refuses every signed key): the key's id and
    // what failed, never the material.
    derive.log?.warn(
      { keyId: key.id, scheme: key.scheme, reason: error instanceof Error ? error.message : String(error) },
      "this key's stored verification material cannot be used (sealed under another master key, or damaged); its requests are refused INVALID_SIGNATURE",
    );
    return null;
  }
}
