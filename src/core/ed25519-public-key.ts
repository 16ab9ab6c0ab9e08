import { createPublicKey, type KeyObject } from 'node:crypto';
import { badInput } from './errors.ts';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Checks a hex Ed25519 public key (64 hex digits, no 0x) and returns it in lowercase; throws a 400 naming `field`. */
export function normaliseEd25519PublicKey(hex: unknown, field = 'publicKey'): string {
  if (typeof hex !== 'string' || !HEX_KEY.test(hex)) throw badInput(field, `${field} must be a hex-encoded Ed25519 public key: exactly 64 hex digits, no 0x`);
  const lower = hex.toLowerCase();
  try {
    ed25519KeyObject(lower);
  } catch {
    throw badInput(field, `${field} is not a valid Ed25519 public key`);
  }
  return lower;
}

/** The node:crypto key object for a 64-hex Ed25519 public key. */
export function ed25519KeyObject(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}
