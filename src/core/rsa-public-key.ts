import { createPublicKey, type KeyObject } from 'node:crypto';
import { badInput } from './errors.ts';

/** The smallest RSA modulus accepted for request signing. */
export const MIN_RSA_BITS = 2048;

/** An uploaded RSA public key, checked and re-encoded as SPKI PEM. */
export interface RsaPublicKey {
  readonly pem: string;
  readonly bits: number;
  readonly keyObject: KeyObject;
}

/** Parses a PEM RSA public key (SPKI or PKCS#1); throws a 400 naming `field` if it is malformed, too small or not RSA. */
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
  return { pem: keyObject.export({ type: 'spki', format: 'pem' }).toString(), bits, keyObject };
}
