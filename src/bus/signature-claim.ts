/**
 * How many bytes of a signature its replay claim names: the last 32 of its canonical form. A replay
 * repeats every byte, so any fixed part of them names it, and two genuine signatures of one key share
 * 32 bytes with odds below 2^-250 (HMAC-SHA256 is 32 bytes; Ed25519's last 32 are its S). Naming all
 * 256 bytes of an RSA signature made each claim a 523-character string to hash, keep for the window
 * and send to Redis: half the Verifier's own cost of an RSA check.
 */
export const CLAIMED_BYTES = 32;

/** Where the claimed bytes of `signature` start; a signature shorter than them is a caller's bug (every scheme's is longer). */
export function claimedFrom(signature: Buffer): number {
  if (signature.length < CLAIMED_BYTES) throw new RangeError(`a claimed signature has at least ${CLAIMED_BYTES} bytes, not ${signature.length}`);
  return signature.length - CLAIMED_BYTES;
}

/** The name a claim has on a shared bus: `replay:<space>:<hex of the signature's last 32 bytes>`. */
export function claimKey(space: string, signature: Buffer): string {
  return `replay:${space}:${signature.toString('hex', claimedFrom(signature))}`;
}
