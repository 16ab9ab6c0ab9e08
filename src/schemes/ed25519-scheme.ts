import { verify } from 'node:crypto';
import { ed25519KeyObject, normaliseEd25519PublicKey } from '../core/ed25519-public-key.ts';
import type { CredentialScheme, Extraction } from './credential-scheme.ts';
import { header } from '../core/request-facts.ts';
import { PreparedKeys } from './prepared-keys.ts';
import { claimSignature } from './replay-guard.ts';
import { readSignedHeaders, type SignedHeaderNames, type SignedHeaderValues } from './signed-headers.ts';
import { signedMessage } from './signed-message.ts';
import { checkSignatureWindow } from './signature-window.ts';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const HEX_SIGNATURE = /^[0-9a-fA-F]{128}$/;

/**
 * Spec 003 Ed25519 keys registered by a wallet: the 64-hex public key is the API key, requests carry a
 * nanosecond timestamp and a 128-hex Ed25519 signature over timestamp + METHOD + path?query + body.
 * The key header is shared with opaque keys (X-API-Key), so this scheme claims a request only when
 * the key is 64 hex digits; anything else is left to the opaque scheme.
 */
export function ed25519Scheme(headers: SignedHeaderNames): CredentialScheme<SignedHeaderValues> {
  const publicKeys = new PreparedKeys((key) => ed25519KeyObject(key.publicKey ?? key.lookup));
  return {
    name: 'ed25519',
    signed: true,
    extract(facts): Extraction<SignedHeaderValues> {
      const read = readSignedHeaders(facts, headers);
      if (read.kind === 'absent') return read;
      const key = header(facts, headers.key.toLowerCase())?.trim() ?? '';
      if (!HEX_KEY.test(key)) return { kind: 'absent' };
      if (read.kind === 'malformed') return read;
      if (!HEX_SIGNATURE.test(read.values.signature)) return { kind: 'malformed', message: `${headers.signature} must be the Ed25519 signature as 128 hex digits` };
      return { kind: 'claim', claim: read.values, lookup: key.toLowerCase() };
    },
    async prove(claim, key, facts, context) {
      const stale = checkSignatureWindow(claim.timestamp, 'ns', context.now, context.signatureWindowMs);
      if (stale) return stale;
      const message = Buffer.from(signedMessage(facts, claim.timestamp, { query: true, body: true }), 'utf8');
      const signature = Buffer.from(claim.signature, 'hex');
      if (!verify(null, message, publicKeys.get(key), signature)) {
        return { code: 'INVALID_SIGNATURE', message: `${headers.signature} is not a valid Ed25519 signature of timestamp + METHOD + path?query + body for this key` };
      }
      return claimSignature(context.broker, 'ed25519', signature, context.signatureWindowMs);
    },
    async issue(material) {
      const publicKey = normaliseEd25519PublicKey(material.publicKey, typeof material.publicKeyField === 'string' ? material.publicKeyField : 'publicKey');
      return { lookup: publicKey, tail: publicKey.slice(-6), secret: null, secretCiphertext: null, publicKey };
    },
  };
}
