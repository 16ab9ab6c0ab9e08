import { randomBytes } from 'node:crypto';
import { sha256Hex } from './secret-hash.ts';

/** A freshly minted opaque key: the secret is shown once, only the hash is stored. */
export interface MintedOpaqueKey {
  readonly secret: string;
  readonly hash: string;
  readonly tail: string;
}

const BODY = /^[0-9a-f]{64}$/;

/** Mints `<prefix><64 lowercase hex>` from 32 CSPRNG bytes (spec 002 format). */
export function mintOpaqueKey(prefix: string, random: (n: number) => Buffer = randomBytes): MintedOpaqueKey {
  const secret = prefix + random(32).toString('hex');
  return { secret, hash: sha256Hex(secret), tail: keyTail(secret) };
}

/** True when `candidate` has the exact opaque-key shape; checked before any store lookup. */
export function isOpaqueKeyFormat(candidate: string, prefix: string): boolean {
  return candidate.length === prefix.length + 64 && candidate.startsWith(prefix) && BODY.test(candidate.slice(prefix.length));
}

/** The last six characters of a credential: what people see to tell keys apart. */
export function keyTail(credential: string): string {
  return credential.slice(-6);
}
