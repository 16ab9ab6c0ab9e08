import { randomUUID } from 'node:crypto';
import { signHmac } from '../support/signers.ts';
import { signedSchemeCases, type SchemeKey } from './signed-scheme-cases.ts';

const pair = (publicKey: string, privateKey: string): SchemeKey => ({
  sign: (method, url, body = '', timestamp) => signHmac(publicKey, privateKey, method, url, body, timestamp),
});
const created = new Map<SchemeKey, string>();

signedSchemeCases({
  scheme: 'hmac',
  covers: { query: true, body: true },
  timestamp: (offsetMs = 0) => String(Date.now() + offsetMs),
  async createKey(node) {
    const user = await node.addUser();
    const response = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'k', isInfo: true, isTrade: true, IpWhiteList: [] } });
    const key = pair(response.body.publicKey, response.body.privateKey);
    created.set(key, response.body.publicKey);
    return key;
  },
  async impostor(key) {
    return pair(created.get(key)!, randomUUID());
  },
  unknownKey: () => pair(randomUUID(), randomUUID()),
  headers: { key: 'API-Key', timestamp: 'API-Timestamp', signature: 'API-Signature' },
  malformedSignature: 'not-hex',
  respell: (signature) => signature.toUpperCase(),
});
