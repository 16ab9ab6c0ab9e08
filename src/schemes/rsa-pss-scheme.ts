import { constants, generateKeyPair as generateKeyPairCallback, randomUUID, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { badInput } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { parseRsaPublicKey } from '../core/rsa-public-key.ts';
import type { CredentialScheme, Extraction, IssuedCredential } from './credential-scheme.ts';
import { PreparedKeys } from './prepared-keys.ts';
import { claimSignature } from './replay-guard.ts';
import { readSignedHeaders, type SignedHeaderNames, type SignedHeaderValues } from './signed-headers.ts';
import { signedMessage } from './signed-message.ts';
import { checkSignatureWindow } from './signature-window.ts';

const generateKeyPair = promisify(generateKeyPairCallback);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** RSA-PSS parameters of spec 004: SHA-256, MGF1-SHA-256, salt as long as the digest. */
export const RSA_PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;

/** Verifies a base64 RSA-PSS-SHA256 signature over `message`. */
export function verifyRsaPss(publicKey: KeyObject, message: string, signature: Buffer): boolean {
  return verify('sha256', Buffer.from(message, 'utf8'), { key: publicKey, ...RSA_PSS }, signature);
}

/**
 * Spec 004 RSA keys: the key id names the key, requests carry a millisecond timestamp and a base64
 * RSA-PSS signature over timestamp + METHOD + path (no query). `issue` takes an uploaded PEM
 * (`{publicKey, publicKeyField?}`, the field name used in errors) or makes a 2048-bit pair (`{generate: true}`) and keeps only the public half.
 */
export function rsaPssScheme(headers: SignedHeaderNames): CredentialScheme<SignedHeaderValues> {
  const publicKeys = new PreparedKeys((key) => parseRsaPublicKey(key.publicKey, 'publicKey').keyObject);
  return {
    name: 'rsa',
    signed: true,
    extract(facts): Extraction<SignedHeaderValues> {
      const read = readSignedHeaders(facts, headers);
      if (read.kind !== 'present') return read;
      if (!isUuid(read.values.key)) return { kind: 'malformed', message: `${headers.key} must be the API key id (a UUID)` };
      if (!BASE64.test(read.values.signature)) return { kind: 'malformed', message: `${headers.signature} must be the RSA-PSS signature in base64` };
      return { kind: 'claim', claim: read.values, lookup: read.values.key.toLowerCase() };
    },
    async prove(claim, key, facts, context) {
      const stale = checkSignatureWindow(claim.timestamp, 'ms', context.now, context.signatureWindowMs);
      if (stale) return stale;
      const message = signedMessage(facts, claim.timestamp, { query: false, body: false });
      const signature = Buffer.from(claim.signature, 'base64');
      if (!verifyRsaPss(publicKeys.get(key), message, signature)) {
        return { code: 'INVALID_SIGNATURE', message: `${headers.signature} is not a valid RSA-PSS (SHA-256) signature of timestamp + METHOD + path for this key` };
      }
      return claimSignature(context.broker, 'rsa', signature, context.signatureWindowMs);
    },
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
  };
}
