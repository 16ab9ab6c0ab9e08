import { hash } from 'node:crypto';
import type { Broker } from '../bus/broker.ts';
import type { Refusal } from '../core/verdict.ts';

/** Longest signature used as its own claim key; a longer one (RSA's 256 bytes or more) is keyed by its SHA-256. */
const OWN_KEY_BYTES = 32;

/**
 * The claim key of a signature's canonical bytes: the bytes themselves in base64 when short (HMAC's
 * 32), else their SHA-256 — unique just the same, and a 44-character key instead of a 512-character
 * one that every claim would hash, compare and keep in memory for two signature windows.
 */
export function claimKey(scheme: string, signature: Buffer): string {
  const id = signature.length <= OWN_KEY_BYTES ? signature.toString('base64') : hash('sha256', signature, 'base64');
  return `replay:${scheme}:${id}`;
}

/**
 * Accepts each signature once. The claim outlives the whole window a timestamp is accepted in
 * (both sides of now), so a captured request cannot be replayed while it would still pass the clock check.
 * On Redis the claim is shared, so a replay to another node is refused too. The claim is keyed on the
 * signature's bytes, not its text: hex case and base64 padding or spare bits spell the same bytes many
 * ways, and each spelling would otherwise be a fresh claim.
 */
export function claimSignature(broker: Broker, scheme: string, signature: Buffer, windowMs: number, signedAt: number): Promise<Refusal | null> | Refusal {
  // Signed before the bus last reconnected: its claim may have been lost with a restarted Redis, so
  // nobody can say it was not used already. The client's next request, signed now, passes.
  if (signedAt < broker.claimsSince) return UNPROVABLE;
  return broker.claimOnce(claimKey(scheme, signature), 2 * windowMs + 1000).then((first) => (first ? null : REPLAYED));
}

const UNPROVABLE: Refusal = {
  code: 'REPLAYED',
  message: 'this signed request predates the replay store coming back and may have been used already; sign it again with a fresh timestamp',
};
const REPLAYED: Refusal = { code: 'REPLAYED', message: 'this signed request was already used; sign every request with a fresh timestamp' };
