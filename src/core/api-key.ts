/** Credential schemes Keygate issues; each has a module under src/schemes. */
export type KeyScheme = 'opaque' | 'hmac' | 'rsa' | 'ed25519';
export const KEY_SCHEMES: readonly KeyScheme[] = ['opaque', 'hmac', 'rsa', 'ed25519'];

export type Tier = 'basic' | 'premium' | 'enterprise';
export const TIERS: readonly Tier[] = ['basic', 'premium', 'enterprise'];

export type KeyStatus = 'active' | 'expired' | 'revoked';

/** An API key as stored: never the raw secret, only what verifies it. */
export interface ApiKey {
  readonly id: string;
  readonly organizationId: string;
  readonly userId: string;
  readonly name: string;
  readonly scheme: KeyScheme;
  /** What the verifier looks the key up by: SHA-256 of an opaque key, else the public identifier. */
  readonly lookup: string;
  /** Last six characters of the credential the holder presents, for display and search. */
  readonly tail: string;
  readonly permissions: readonly string[];
  readonly ipAllowlist: readonly string[];
  /** Exchanges the key may receive data for; `['*']` means all. */
  readonly allowedExchanges: readonly string[];
  readonly tier: Tier;
  readonly maxConnections: number;
  /** Verified requests per minute an admin set for this key; null: its tier's limit applies. */
  readonly requestsPerMinute: number | null;
  readonly expiresAt: number | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  /** When set, the key is revoked from that instant on (a roll schedules it in the future). */
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  readonly deletedAt: number | null;
  /** AES-256-GCM ciphertext of a secret the server must use itself (HMAC private key). */
  readonly secretCiphertext: string | null;
  /** Public verification material: RSA SPKI PEM or Ed25519 hex. */
  readonly publicKey: string | null;
  /** Wallet that registered the key (spec 003), lowercase. */
  readonly walletAddress: string | null;
  readonly accountIndex: number | null;
  /** Which surface created it (native, console, frontoffice, rsa, wallet...). */
  readonly origin: string;
  /** False while an admin has suspended the key: it is refused (DISABLED) until resumed, and nothing else about it changes. */
  readonly enabled: boolean;
}

/** Lifecycle state at `now`: revoked and expired are final. */
export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt' | 'deletedAt'>, now: number): KeyStatus {
  if (key.deletedAt !== null || (key.revokedAt !== null && key.revokedAt <= now)) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** The first instant at which the key stops being usable, or null if none is scheduled. */
export function keyEndsAt(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>): number | null {
  const ends = [key.revokedAt, key.expiresAt].filter((t): t is number => t !== null);
  return ends.length === 0 ? null : Math.min(...ends);
}

/** True when the key grants `exchange` (a `*` entry grants all). */
export function allowsExchange(key: Pick<ApiKey, 'allowedExchanges'>, exchange: string): boolean {
  const wanted = exchange.toLowerCase();
  return key.allowedExchanges.some((e) => e === '*' || e.toLowerCase() === wanted);
}

/** Most live connections one key may hold: the API's bound, enforced by the key service for every adapter. */
export const MAX_CONNECTIONS = 100_000;

/** Largest per-key request limit: far above any real need, and well inside a counter's range. */
export const MAX_REQUESTS_PER_MINUTE = 10_000_000;
