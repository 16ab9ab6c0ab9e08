import { createHmac } from 'node:crypto';
import { safeEqual } from '../core/secret-hash.ts';

/** Prefix that tells a connection token from an API key in a Centrifuge connect. */
export const CONNECTION_TOKEN_PREFIX = 'kgc_';

/** What a connection token says, once its signature checked out. */
export type TokenCheck =
  | { readonly kind: 'valid'; readonly keyId: string; readonly expiresAt: number }
  | { readonly kind: 'expired'; readonly keyId: string }
  | { readonly kind: 'invalid' };

/**
 * Short-lived credentials for real-time connections of keys whose requests are signed (HMAC, RSA,
 * Ed25519): minted by an authenticated REST call, bound to the key id, `kgc_<keyId>.<expiry s>.<HMAC>`.
 * The token proves only who asked and until when; the key's status is checked on every use.
 */
export class ConnectionTokens {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** Mints a token for `keyId` valid until `expiresAt` (epoch ms, rounded down to the second). */
  mint(keyId: string, expiresAt: number): { token: string; expiresAt: number } {
    const seconds = Math.floor(expiresAt / 1000);
    const body = `${keyId}.${seconds}`;
    return { token: `${CONNECTION_TOKEN_PREFIX}${body}.${this.#sign(body)}`, expiresAt: seconds * 1000 };
  }

  /** True when a credential has the shape of a connection token (the rest is for `check`). */
  static looksLikeToken(credential: string): boolean {
    return credential.startsWith(CONNECTION_TOKEN_PREFIX);
  }

  /** Checks the signature and the expiry at `now`. */
  check(token: string, now: number): TokenCheck {
    if (!token.startsWith(CONNECTION_TOKEN_PREFIX)) return { kind: 'invalid' };
    const parts = token.slice(CONNECTION_TOKEN_PREFIX.length).split('.');
    if (parts.length !== 3) return { kind: 'invalid' };
    const [keyId, seconds, signature] = parts;
    if (!/^\d{1,12}$/.test(seconds) || !safeEqual(signature, this.#sign(`${keyId}.${seconds}`))) return { kind: 'invalid' };
    const expiresAt = Number(seconds) * 1000;
    return expiresAt <= now ? { kind: 'expired', keyId } : { kind: 'valid', keyId, expiresAt };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url');
  }
}
