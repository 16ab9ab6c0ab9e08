import { constants, createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { PrivateKeyAccount } from 'viem';

/** A request as a client would send it, for signing and for the verify API's `request` object. */
export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly headers: Record<string, string>;
}

/** Spec 001 recipe (docs/signing.md): hex HMAC-SHA256 keyed with the private key over ts + METHOD + path?query + body. */
export function signHmac(publicKey: string, privateKey: string, method: string, url: string, body = '', timestamp = String(Date.now())): SignedRequest {
  const signature = createHmac('sha256', privateKey).update(timestamp + method.toUpperCase() + url + body).digest('hex');
  return { method, url, body, headers: { 'API-Key': publicKey, 'API-Timestamp': timestamp, 'API-Signature': signature } };
}

/** Spec 004 recipe: base64 RSA-PSS-SHA256 (MGF1-SHA256, digest-length salt) over ts(ms) + METHOD + path without query. */
export function signRsa(keyId: string, privateKey: KeyObject | string, method: string, url: string, timestamp = String(Date.now())): SignedRequest {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const path = url.split('?')[0];
  const signature = sign('sha256', Buffer.from(timestamp + method.toUpperCase() + path), {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }).toString('base64');
  return { method, url, headers: { 'KALSHI-ACCESS-KEY': keyId, 'KALSHI-ACCESS-TIMESTAMP': timestamp, 'KALSHI-ACCESS-SIGNATURE': signature } };
}

/** Current time in Unix nanoseconds, as spec 003 timestamps are written. */
export function nowNanos(offsetMs = 0): string {
  return (BigInt(Date.now() + offsetMs) * 1_000_000n).toString();
}

/** Spec 003 recipe: 128-hex Ed25519 signature over ts(ns) + METHOD + path?query + body. */
export function signEd25519(publicKeyHex: string, privateKey: KeyObject, method: string, url: string, body = '', timestamp = nowNanos()): SignedRequest {
  const signature = sign(null, Buffer.from(timestamp + method.toUpperCase() + url + body), privateKey).toString('hex');
  return { method, url, body, headers: { 'X-API-Key': publicKeyHex, 'X-Timestamp': timestamp, 'X-Signature': signature } };
}

/** A fresh Ed25519 key pair with the public key as 64 hex digits. */
export function ed25519Pair(): { privateKey: KeyObject; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyHex: der.subarray(der.length - 32).toString('hex') };
}

/** personal_signs a message with a viem account and splits it into {r, s, v} like the documents show. */
export async function splitPersonalSign(account: PrivateKeyAccount, message: string): Promise<{ r: string; s: string; v: string }> {
  const sig = await account.signMessage({ message });
  return { r: '0x' + sig.slice(2, 66), s: '0x' + sig.slice(66, 130), v: '0x' + sig.slice(130, 132) };
}
