import type { ApiKey } from '../core/api-key.ts';
import { compileAllowlist, type IpAllowlist } from '../core/ip-allowlist.ts';
import { TtlCache } from './ttl-cache.ts';

/** A loaded key with its allowlist compiled once and its owner's wallets (what a real-time connect needs). */
export interface CachedKey {
  readonly key: ApiKey;
  readonly allowlist: IpAllowlist;
  /** The key owner's wallet addresses, lowercase, loaded with the key. */
  readonly ownerWallets: readonly string[];
}

/** Builds the cache entry for a key. */
export function cacheEntry(key: ApiKey, ownerWallets: readonly string[]): CachedKey {
  return { key, allowlist: compileAllowlist(key.ipAllowlist), ownerWallets };
}

/** Every cache the verifier keeps, declared in one place. Keys are `${scheme}:${lookup}`. */
export interface VerifierCaches {
  /** Credentials the store did not know: remembered so repeats never reach it (spec 002: 30 s). */
  readonly unknown: TtlCache<string, true>;
  /** Keys loaded from the store; dropped on every key event. */
  readonly known: TtlCache<string, CachedKey>;
  /** Key id → cache key of a loaded key (connection tokens name the key by id); a dangling entry just misses. */
  readonly knownIds: TtlCache<string, string>;
  /** IPs throttled for failing too often, until the end of their window. */
  readonly throttled: TtlCache<string, true>;
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

/** The cache key for a credential under a scheme. */
export function cacheKey(scheme: string, lookup: string): string {
  return `${scheme}:${lookup}`;
}
