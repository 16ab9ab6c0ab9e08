import type { ApiKey } from '../core/api-key.ts';
import type { HeaderList } from '../core/identity-headers.ts';
import type { IpAllowlist } from '../core/ip-allowlist.ts';
import type { ThrottledAddresses } from './throttled-addresses.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * A loaded key with everything derived from it, built once when it is loaded (cached-key.ts) and
 * dropped with it on any change: nothing about a key is recomputed per request.
 */
export interface CachedKey {
  readonly key: ApiKey;
  readonly allowlist: IpAllowlist;
  /** The key owner's wallet addresses, lowercase, loaded with the key (real-time channel rules). */
  readonly ownerWallets: readonly string[];
  /** What the key's scheme verifies with: a public or secret KeyObject, or nothing (opaque keys). */
  readonly material: unknown;
  /** Forward-auth's 200 headers for this key: X-Keygate-Code: VALID, then the identity headers. */
  readonly validHeaders: HeaderList;
  /** Requests per minute: the key's own limit, else its tier's; null for none. */
  readonly requestsPerMinute: number | null;
}

/** Every cache the verifier keeps, declared in one place. Keys are made by `cacheKey`. */
export interface VerifierCaches {
  /** Credentials the store did not know: remembered so repeats never reach it (spec 002: 30 s). */
  readonly unknown: TtlCache<string, true>;
  /** Keys loaded from the store; dropped on every key event. */
  readonly known: TtlCache<string, CachedKey>;
  /** Key id → cache key of a loaded key (connection tokens name the key by id); a dangling entry just misses. */
  readonly knownIds: TtlCache<string, string>;
  /** IPs throttled for failing too often, until the end of their window. */
  readonly throttled: ThrottledAddresses;
}

/** Creates the verifier's caches from configuration. */
export function createVerifierCaches(settings: {
  negativeCacheTtlMs: number;
  negativeCacheSize: number;
  positiveCacheTtlMs: number;
  positiveCacheSize: number;
}): VerifierCaches {
  return {
    unknown: new TtlCache({ ttlMs: settings.negativeCacheTtlMs, maxSize: settings.negativeCacheSize }),
    known: new TtlCache({ ttlMs: settings.positiveCacheTtlMs, maxSize: settings.positiveCacheSize }),
    knownIds: new TtlCache({ ttlMs: settings.positiveCacheTtlMs, maxSize: settings.positiveCacheSize }),
    throttled: new TtlCache({ ttlMs: 60_000, maxSize: 100_000 }),
  };
}

/**
 * The cache key for a credential under a scheme. An opaque key's lookup (its SHA-256, 64 hex digits)
 * is the cache key as it is, so the hot path builds, flattens and hashes no second string; every
 * other scheme's key starts with its name and a colon, which 64 hex digits never contain, so no two
 * schemes ever share an entry.
 */
export function cacheKey(scheme: string, lookup: string): string {
  return scheme === 'opaque' ? lookup : `${scheme}:${lookup}`;
}
