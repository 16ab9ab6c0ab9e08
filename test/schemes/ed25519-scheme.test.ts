import type { KeyObject } from 'node:crypto';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ed25519Pair, nowNanos, signEd25519, splitPersonalSign } from '../support/signers.ts';
import { signedSchemeCases, type SchemeKey } from './signed-scheme-cases.ts';

const holder = (publicKeyHex: string, privateKey: KeyObject): SchemeKey => ({
  sign: (method, url, body = '', timestamp) => signEd25519(publicKeyHex, privateKey, method, url, body, timestamp),
});
const publicKeys = new Map<SchemeKey, string>();

signedSchemeCases({
  scheme: 'ed25519',
  covers: { query: true, body: true },
  timestamp: (offsetMs = 0) => nowNanos(offsetMs),
  async createKey(node) {
    const account = privateKeyToAccount(generatePrivateKey());
    const { publicKeyHex, privateKey } = ed25519Pair();
    const validUntil = Date.now() + 2 * 24 * 3600 * 1000;
    const signature = await splitPersonalSign(account, JSON.stringify({ apiWalletName: 'k', apiWalletPublicKey: publicKeyHex, validUntil }));
    const response = await node.request('POST', '/v1/createApiKey', { body: { address: account.address, publicKey: publicKeyHex, apiWalletName: 'k', validUntil, signature } });
    if (response.status !== 200) throw new Error(`createApiKey failed: ${JSON.stringify(response.body)}`);
    const key = holder(publicKeyHex, privateKey);
    publicKeys.set(key, publicKeyHex);
    return key;
  },
  async impostor(key) {
    return holder(publicKeys.get(key)!, ed25519Pair().privateKey);
  },
  unknownKey: () => {
    const { publicKeyHex, privateKey } = ed25519Pair();
    return holder(publicKeyHex, privateKey);
  },
  headers: { key: 'X-API-Key', timestamp: 'X-Timestamp', signature: 'X-Signature' },
  malformedSignature: 'ab'.repeat(63),
  respell: (signature) => signature.toUpperCase(),
});
