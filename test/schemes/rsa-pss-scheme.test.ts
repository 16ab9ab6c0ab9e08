import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { signRsa } from '../support/signers.ts';
import { signedSchemeCases, type SchemeKey } from './signed-scheme-cases.ts';

const holder = (keyId: string, privateKey: KeyObject | string): SchemeKey => ({
  sign: (method, url, _body, timestamp) => ({ ...signRsa(keyId, privateKey, method, url, timestamp), body: _body }),
});
const ids = new Map<SchemeKey, string>();
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

signedSchemeCases({
  scheme: 'rsa',
  covers: { query: false, body: false },
  timestamp: (offsetMs = 0) => String(Date.now() + offsetMs),
  async createKey(node) {
    const user = await node.addUser();
    const response = await node.request('POST', '/api_keys/generate', { token: user.token, body: { name: 'k' } });
    const key = holder(response.body.api_key_id, response.body.private_key);
    ids.set(key, response.body.api_key_id);
    return key;
  },
  async impostor(key) {
    return holder(ids.get(key)!, otherKey);
  },
  unknownKey: () => holder(randomUUID(), otherKey),
  headers: { key: 'KALSHI-ACCESS-KEY', timestamp: 'KALSHI-ACCESS-TIMESTAMP', signature: 'KALSHI-ACCESS-SIGNATURE' },
  malformedSignature: 'not base64!',
  respell: (signature) => signature.replace(/=+$/, ''),
});
