import { verify, type KeyObject } from 'node:crypto';
import { ed25519KeyObject, ed25519PointProblem, normaliseEd25519PublicKey } from '../core/ed25519-public-key.ts';
import { fixedHexDecoder } from '../core/hex-bytes.ts';
import type { CredentialScheme } from './credential-scheme.ts';
import { signedScheme, type SignedClaim, type SignedHeaderNames, type SignedMaterial } from './signed-scheme.ts';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * Spec 003 Ed25519 keys registered by a wallet: the 64-hex public key is the API key, requests carry a
 * nanosecond timestamp and a 128-hex Ed25519 signature over timestamp + METHOD + path?query + body.
 * The key header is shared with opaque keys (X-API-Key), so this scheme claims a request only when
 * the key is 64 hex digits; anything else is left to the opaque scheme.
 */
export function ed25519Scheme(headers: SignedHeaderNames): CredentialScheme<SignedClaim, SignedMaterial<KeyObject> | null> {
  return signedScheme<KeyObject>({
    name: 'ed25519',
    headers,
    timestampUnit: 'ns',
    signs: { query: true, body: true },
    readKey: (value) => (HEX_KEY.test(value) ? { lookup: value.toLowerCase() } : 'not-mine'),
    signature: { decode: fixedHexDecoder(128), malformed: `${headers.signature} must be the Ed25519 signature as 128 hex digits` },
    // A weak key stored before registration refused them verifies nothing (forgeries would pass).
    prepare: (key) => {
      const hex = key.publicKey ?? key.lookup;
      return ed25519PointProblem(hex, { mixedOrder: false }) === null ? ed25519KeyObject(hex) : null;
    },
    verify: (publicKey, message, signature) => verify(null, Buffer.from(message), publicKey, signature),
    invalid: `${headers.signature} is not a valid Ed25519 signature of timestamp + METHOD + path?query + body for this key`,
    async issue(material) {
      const publicKey = normaliseEd25519PublicKey(material.publicKey, typeof material.publicKeyField === 'string' ? material.publicKeyField : 'publicKey');
      return { lookup: publicKey, tail: publicKey.slice(-6), secret: null, secretCiphertext: null, publicKey };
    },
  });
}
