import { createPublicKey, generateKeyPair as generateKeyPairCallback, randomUUID, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeBase64 } from '../core/base64.ts';
import { badInput } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { parseRsaPublicKey, rsaModulusBytes, RSA_PSS } from '../core/rsa-public-key.ts';
import type { CredentialScheme, IssuedCredential } from './credential-scheme.ts';
import { signedScheme, type SignedClaim, type SignedHeaderNames, type SignedMaterial } from './signed-scheme.ts';

const generateKeyPair = promisify(generateKeyPairCallback);

/** A stored RSA key ready to verify: node:crypto's options for it (built once per cache load) and the one length its signatures have. */
interface RsaVerifier {
  readonly options: RsaPssVerifyOptions;
  readonly modulusBytes: number;
}

/** The key and PSS parameters node:crypto verifies with. */
type RsaPssVerifyOptions = { readonly key: KeyObject } & typeof RSA_PSS;

/** Verifies an RSA-PSS-SHA256 signature over `message`; false (never a throw) for a key OpenSSL refuses to use so. */
export function verifyRsaPss(options: RsaPssVerifyOptions, message: string, signature: Buffer): boolean {
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), options, signature);
  } catch {
    // A key restricted to other PSS parameters, stored before uploads were checked: no signature can verify.
    return false;
  }
}

/**
 * Spec 004 RSA keys: the key id names the key, requests carry a millisecond timestamp and a base64
 * RSA-PSS signature over timestamp + METHOD + path (no query). `issue` takes an uploaded PEM
 * (`{publicKey, publicKeyField?}`, the field name used in errors) or makes a 2048-bit pair (`{generate: true}`) and keeps only the public half.
 */
export function rsaPssScheme(headers: SignedHeaderNames): CredentialScheme<SignedClaim, SignedMaterial<RsaVerifier> | null> {
  return signedScheme<RsaVerifier>({
    name: 'rsa',
    headers,
    timestampUnit: 'ms',
    signs: { query: false, body: false },
    readKey: (value) => (isUuid(value) ? { lookup: value.toLowerCase() } : { malformed: `${headers.key} must be the API key id (a UUID)` }),
    signature: { decode: decodeBase64, malformed: `${headers.signature} must be the RSA-PSS signature in base64` },
    prepare(key) {
      if (key.publicKey === null) return null;
      const publicKey = createPublicKey(key.publicKey);
      return { options: { key: publicKey, ...RSA_PSS }, modulusBytes: rsaModulusBytes(publicKey) };
    },
    // OpenSSL also accepts a signature with its leading zero bytes stripped (about 1 in 256 starts with
    // one), which would be a second spelling of the same signature and a fresh replay claim. Every
    // signature is verified and claimed left-padded to the modulus length; a longer one is never valid.
    canonical({ modulusBytes }, signature) {
      if (signature.length === modulusBytes) return signature;
      if (signature.length > modulusBytes) return null;
      const padded = Buffer.alloc(modulusBytes);
      signature.copy(padded, modulusBytes - signature.length);
      return padded;
    },
    verify: ({ options }, message, signature) => verifyRsaPss(options, message, signature),
    invalid: `${headers.signature} is not a valid RSA-PSS (SHA-256) signature of timestamp + METHOD + path for this key`,
    async issue(material): Promise<IssuedCredential> {
      const id = randomUUID();
      const base = { lookup: id, tail: id.slice(-6), secretCiphertext: null };
      if (material.generate === true && material.publicKey === undefined) {
        const pair = await generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
        const privateKey = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
        const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
        return { ...base, secret: privateKey, publicKey };
      }
      if (material.generate !== undefined) throw badInput(typeof material.publicKeyField === 'string' ? material.publicKeyField : 'publicKey', 'give an RSA public key or ask for a generated pair, not both');
      const parsed = parseRsaPublicKey(material.publicKey, typeof material.publicKeyField === 'string' ? material.publicKeyField : 'publicKey');
      return { ...base, secret: null, publicKey: parsed.pem };
    },
  });
}
