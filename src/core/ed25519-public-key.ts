import { createPublicKey, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { badInput } from './errors.ts';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Checks a hex Ed25519 public key (64 hex digits, no 0x) and returns it in lowercase; throws a 400 naming `field`.
 * OpenSSL verifies against any 32 bytes that decode to a point, so weak points are refused here, at
 * registration: a non-canonical encoding (y ≥ p, or x = 0 with the sign bit set) names a point that has
 * a second spelling, and a small-order or mixed-order point (e.g. all zeros) lets
 * forged signatures such as all zeros pass. A key made from a private seed is always in the prime-order
 * subgroup, so no honest key is refused.
 */
export function normaliseEd25519PublicKey(hex: unknown, field = 'publicKey'): string {
  if (typeof hex !== 'string' || !HEX_KEY.test(hex)) throw badInput(field, `${field} must be a hex-encoded Ed25519 public key: exactly 64 hex digits, no 0x`);
  const lower = hex.toLowerCase();
  const problem = ed25519PointProblem(lower, { mixedOrder: true });
  if (problem) throw badInput(field, `${field} ${problem}`);
  try {
    ed25519KeyObject(lower);
  } catch {
    throw badInput(field, `${field} is not a valid Ed25519 public key`);
  }
  return lower;
}

/**
 * Why a 64-hex Ed25519 public key must not be trusted, or null: not a canonically encoded point, a
 * point of small order (anyone can forge its signatures), or with `mixedOrder` a point outside the
 * prime-order subgroup (a scalar multiplication, so only at registration).
 */
export function ed25519PointProblem(hex: string, options: { mixedOrder: boolean }): string | null {
  let point: ReturnType<typeof ed25519.Point.fromHex>;
  try {
    // zip215 = false: the strict RFC 8032 decoding, which refuses non-canonical encodings.
    point = ed25519.Point.fromHex(hex, false);
  } catch {
    return 'is not a valid Ed25519 public key (not a canonically encoded curve point)';
  }
  if (point.isSmallOrder() || (options.mixedOrder && !point.isTorsionFree())) {
    return 'is a weak Ed25519 public key (a point of small or mixed order); generate the key pair from a random seed';
  }
  return null;
}

/** The node:crypto key object for a 64-hex Ed25519 public key. */
export function ed25519KeyObject(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}
