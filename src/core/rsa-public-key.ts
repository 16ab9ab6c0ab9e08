import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { badInput } from './errors.ts';

/** The smallest RSA modulus accepted for request signing. */
export const MIN_RSA_BITS = 2048;
/**
 * The largest: checking a signature costs about the square of the modulus length, so a 16,384-bit key
 * (which the PEM size limit still allows) made each request, forged ones included, some 64 times the
 * work of a 2048-bit one on the event loop.
 */
export const MAX_RSA_BITS = 8192;

/**
 * The smallest public exponent accepted (FIPS 186-5 asks for 65537 ≤ e < 2^256). With a small one a
 * key holder can build a modulus that verifies a signature with chosen bytes; replay claims name
 * their key so such a signature spends nothing of another key's, and this refuses the tool itself.
 */
const MIN_RSA_EXPONENT = 65_537n;
const MAX_RSA_EXPONENT = 2n ** 256n;

/** RSA-PSS parameters of spec 004: SHA-256, MGF1-SHA-256, salt as long as the digest. */
export const RSA_PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;

/** An uploaded RSA public key, checked and re-encoded as SPKI PEM. */
export interface RsaPublicKey {
  readonly pem: string;
  readonly bits: number;
  readonly keyObject: KeyObject;
}

/**
 * Parses a PEM RSA public key (SPKI or PKCS#1); throws a 400 naming `field` if it is malformed, too
 * small, not RSA, has a public exponent below 65537, or cannot verify the spec's RSA-PSS-SHA256 signatures.
 */
export function parseRsaPublicKey(pem: unknown, field = 'public_key'): RsaPublicKey {
  if (typeof pem !== 'string' || !/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) {
    throw badInput(field, `${field} must be an RSA public key in PEM format (-----BEGIN PUBLIC KEY-----)`);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: pem.trim(), format: 'pem' });
  } catch {
    throw badInput(field, `${field} is not a readable PEM public key`);
  }
  if (keyObject.asymmetricKeyType !== 'rsa' && keyObject.asymmetricKeyType !== 'rsa-pss') {
    throw badInput(field, `${field} must be an RSA key, got ${keyObject.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw badInput(field, `${field} is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
  if (bits > MAX_RSA_BITS) throw badInput(field, `${field} is a ${bits}-bit RSA key; at most ${MAX_RSA_BITS} bits are accepted`);
  const exponent = keyObject.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (exponent < MIN_RSA_EXPONENT || exponent >= MAX_RSA_EXPONENT) {
    throw badInput(field, `${field} has public exponent ${exponent < MAX_RSA_EXPONENT ? String(exponent) : 'of 2^256 or more'}; it must be at least 65537 (the usual one) and below 2^256`);
  }
  if (!verifiesPssSha256(keyObject)) {
    const details = keyObject.asymmetricKeyDetails;
    const restriction = details?.hashAlgorithm ? ` (it is restricted to RSA-PSS with ${details.hashAlgorithm}, MGF1-${details.mgf1HashAlgorithm ?? '?'}, salt ≥ ${details.saltLength ?? '?'} bytes)` : '';
    throw badInput(field, `${field} cannot verify RSA-PSS signatures with SHA-256, MGF1-SHA-256 and a 32-byte salt${restriction}; upload a plain RSA key (rsaEncryption) or one restricted to exactly those parameters`);
  }
  return { pem: keyObject.export({ type: 'spki', format: 'pem' }).toString(), bits, keyObject };
}

/**
 * True when OpenSSL will run an RSA-PSS-SHA256 verification with this key at all. An RSA-PSS key
 * (id-RSASSA-PSS) may carry parameters that restrict it to another digest or a longer salt; OpenSSL
 * then throws on every verification, which would turn every signed request into a server error.
 * Asking once with a dummy signature is the exact test: a wrong signature answers false, a
 * forbidden parameter throws.
 */
function verifiesPssSha256(keyObject: KeyObject): boolean {
  try {
    verify('sha256', Buffer.from('keygate probe'), { key: keyObject, ...RSA_PSS }, Buffer.alloc(rsaModulusBytes(keyObject)));
    return true;
  } catch {
    return false;
  }
}

/** Length in bytes of the key's modulus: the one length an RSA signature has. */
export function rsaModulusBytes(keyObject: KeyObject): number {
  return Math.ceil((keyObject.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}
