import type { Broker } from '../bus/broker.ts';
import type { Refusal } from '../core/verdict.ts';

/**
 * How many bytes of a signature its claim is keyed on: the last 32 of its canonical form. A replay
 * repeats the canonical bytes, so any fixed part of them names it; 32 bytes of a genuine signature
 * (HMAC-SHA256 whole, Ed25519's S, the low end of an RSA signature) collide with another's with
 * odds below 2^-250. Keying on all 256 bytes of an RSA signature made each claim a 523-character
 * string to hash, keep for two windows and send to Redis: half the Verifier's own cost of an RSA check.
 */
const CLAIMED_BYTES = 32;

/** The broker key a canonical signature is claimed under: `replay:<scheme>:<hex of its last 32 bytes>`. */
export function claimKey(scheme: string, signature: Buffer): string {
  return `replay:${scheme}:${signature.toString('hex', Math.max(0, signature.length - CLAIMED_BYTES))}`;
}

/**
 * Accepts each signature once. The claim outlives the whole window a timestamp is accepted in
 * (both sides of now), so a captured request cannot be replayed while it would still pass the clock check.
 * On Redis the claim is shared, so a replay to another node is refused too. The claim is keyed on the
 * signature's bytes, not its text: hex case and base64 padding or spare bits spell the same bytes many
 * ways, and each spelling would otherwise be a fresh claim.
 */
export function claimSignature(broker: Broker, scheme: string, signature: Buffer, windowMs: number, signedAt: number): Refusal | null | Promise<Refusal | null> {
  // Signed before the bus last reconnected: its claim may have been lost with a restarted Redis, so
  // nobody can say it was not used already. The client's next request, signed now, passes.
  if (signedAt < broker.claimsSince) return UNPROVABLE;
  const first = broker.claimOnce(claimKey(scheme, signature), 2 * windowMs + 1000);
  return typeof first === 'boolean' ? refusalOf(first) : first.then(refusalOf);
}

const UNPROVABLE: Refusal = {
  code: 'REPLAYED',
  callerFailure: false,
  message: 'this signed request predates the replay store coming back and may have been used already; sign it again with a fresh timestamp',
};
const REPLAYED: Refusal = { code: 'REPLAYED', message: 'this signed request was already used; sign every request with a fresh timestamp' };

/** A claim's answer as the guard's: made first (null) or already made. One function, not a closure per claim. */
function refusalOf(first: boolean): Refusal | null {
  return first ? null : REPLAYED;
}
