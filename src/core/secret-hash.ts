import { hash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret as lowercase hex: how opaque keys and tokens are kept at rest. */
export function sha256Hex(secret: string): string {
  // The one-shot hash (Node ≥ 20.12) skips the Hash object: it runs on every verification.
  return hash('sha256', secret, 'hex');
}

/** Constant-time equality for two strings (false when lengths differ, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Compare against itself so the work done does not depend on where the strings differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
