// Findings 5, 10 and 11 of the hostile review (issue 9): signatures and public keys that OpenSSL
// accepts but that must never authenticate — a second spelling of an RSA-PSS signature, weak Ed25519
// points, and RSA-PSS keys that cannot verify the spec's parameters.
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, randomUUID, sign, type KeyPairKeyObjectResult } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ApiKey } from '../../src/core/api-key.ts';
import { KeygateError } from '../../src/core/errors.ts';
import type { Principal } from '../../src/core/principal.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { ed25519Pair, nowNanos, signHmac, signRsa, splitPersonalSign, type SignedRequest } from '../support/signers.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';

const DAY = 24 * 3600 * 1000;

/** An RSA-PSS key pair restricted to one digest and a minimum salt (id-RSASSA-PSS parameters). */
function restrictedPssPair(hash: 'sha256' | 'sha512', saltLength: number): KeyPairKeyObjectResult {
  // @types/node 20 types saltLength as a string; Node takes (and needs) a number.
  const options = { modulusLength: 2048, hashAlgorithm: hash, mgf1HashAlgorithm: hash, saltLength } as unknown as { modulusLength: number };
  return generateKeyPairSync('rsa-pss', options);
}
/** Weak Ed25519 encodings: the all-zero point (order 4), the identity (order 1), y = p (non-canonical), x = 0 with the sign bit (non-canonical). */
const WEAK_ED25519 = {
  'all zeros (small order)': '00'.repeat(32),
  'the identity point': '01' + '00'.repeat(31),
  'y = p (non-canonical)': 'ed' + 'ff'.repeat(30) + '7f',
  'x = 0 with the sign bit set (non-canonical)': '01' + '00'.repeat(30) + '80',
};

describe('weak key material and second spellings of signatures', () => {
  let node: TestNode;
  let admin: Principal;
  const verify = async (request: SignedRequest) =>
    (await node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request } })).body as { valid: boolean; code: string; message: string };

  before(async () => {
    node = await startNode();
    admin = await node.keygate.tokens.principalFor(node.admin.user.id, 'test', '127.0.0.1');
  });
  after(async () => node.stop());

  /** Stores a key as an older release (or a direct store write) might have, bypassing registration checks. */
  async function storeDirectly(overrides: Partial<ApiKey>): Promise<ApiKey> {
    const id = randomUUID();
    const key = apiKeyRecord({ organizationId: node.organizationId, userId: node.admin.user.id }, { id, name: 'legacy', lookup: id, tail: id.slice(-6), createdAt: Date.now(), ...overrides });
    await node.keygate.store.keys.insert(key);
    return key;
  }

  // Runs before the registration tests, which try (and must fail) to register the same points.
  it('lets no forged signature through for small-order keys stored before the check (finding 10)', async () => {
    // The identity as public key with R = identity, S = 0 verifies for every message under OpenSSL.
    const identity = WEAK_ED25519['the identity point'];
    await storeDirectly({ scheme: 'ed25519', lookup: identity, tail: identity.slice(-6), publicKey: identity });
    const forged = () => ({ 'X-API-Key': identity, 'X-Timestamp': nowNanos(), 'X-Signature': identity + '00'.repeat(32) });
    assert.equal((await verify({ method: 'GET', url: '/api/balance', headers: forged() })).code, 'INVALID_SIGNATURE');
    const answer = await fetch(`${node.url}/v1/auth`, { headers: { ...forged(), 'X-Original-URI': '/api/withdraw', 'X-Original-Method': 'POST' } });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('x-keygate-code'), 'INVALID_SIGNATURE');
    // The all-zero key with an all-zero signature passes for about one message in four: try several.
    const zero = WEAK_ED25519['all zeros (small order)'];
    await storeDirectly({ scheme: 'ed25519', lookup: zero, tail: zero.slice(-6), publicKey: zero });
    for (let i = 0; i < 16; i++) {
      const verdict = await verify({ method: 'GET', url: `/api/balance?n=${i}`, headers: { 'X-API-Key': zero, 'X-Timestamp': nowNanos(), 'X-Signature': '00'.repeat(64) } });
      assert.equal(verdict.code, 'INVALID_SIGNATURE', `attempt ${i}`);
    }
  });

  it('claims an RSA-PSS signature once, whether or not its leading zero byte is stripped (finding 5)', async () => {
    const user = await node.addUser({ usageLevel: 'premier' });
    const generated = await node.request('POST', '/api_keys/generate', { token: user.token, body: { name: 'zero-byte' } });
    assert.equal(generated.status, 201, JSON.stringify(generated.body));
    const keyId: string = generated.body.api_key_id;
    // About 1 signature in 256 starts with a zero byte: sign fresh timestamps until one does (bounded).
    let signed: SignedRequest | undefined;
    for (let i = 0; i < 5_000 && !signed; i++) {
      const candidate = signRsa(keyId, generated.body.private_key, 'GET', '/trade-api/v2/portfolio', String(Date.now() + i));
      if (Buffer.from(candidate.headers['KALSHI-ACCESS-SIGNATURE'], 'base64')[0] === 0) signed = candidate;
    }
    assert.ok(signed, 'found a signature with a leading zero byte');
    const full = Buffer.from(signed.headers['KALSHI-ACCESS-SIGNATURE'], 'base64');
    const respelled = (bytes: Buffer): SignedRequest => ({ ...signed!, headers: { ...signed!.headers, 'KALSHI-ACCESS-SIGNATURE': bytes.toString('base64') } });

    assert.equal((await verify(signed)).code, 'VALID');
    const stripped = await verify(respelled(full.subarray(1)));
    assert.equal(stripped.code, 'REPLAYED', 'the stripped spelling is the same signature, already used');
    const longer = await verify(respelled(Buffer.concat([Buffer.alloc(1), full])));
    assert.equal(longer.valid, false, 'a signature longer than the modulus is never valid');
  });

  it('also refuses the stripped spelling first, then the full one as its replay', async () => {
    const user = await node.addUser({ usageLevel: 'premier' });
    const generated = await node.request('POST', '/api_keys/generate', { token: user.token, body: { name: 'zero-byte-2' } });
    let signed: SignedRequest | undefined;
    for (let i = 0; i < 5_000 && !signed; i++) {
      const candidate = signRsa(generated.body.api_key_id, generated.body.private_key, 'GET', '/x', String(Date.now() + i));
      if (Buffer.from(candidate.headers['KALSHI-ACCESS-SIGNATURE'], 'base64')[0] === 0) signed = candidate;
    }
    assert.ok(signed);
    const full = Buffer.from(signed.headers['KALSHI-ACCESS-SIGNATURE'], 'base64');
    const stripped = { ...signed, headers: { ...signed.headers, 'KALSHI-ACCESS-SIGNATURE': full.subarray(1).toString('base64') } };
    assert.equal((await verify(stripped)).code, 'VALID');
    assert.equal((await verify(signed)).code, 'REPLAYED');
  });

  for (const [label, hex] of Object.entries(WEAK_ED25519)) {
    it(`refuses to register the Ed25519 public key ${label} with a 400 (finding 10)`, async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const validUntil = Date.now() + 2 * DAY;
      const signature = await splitPersonalSign(account, JSON.stringify({ apiWalletName: 'weak', apiWalletPublicKey: hex, validUntil }));
      const created = await node.request('POST', '/v1/createApiKey', { body: { address: account.address, publicKey: hex, apiWalletName: 'weak', validUntil, signature } });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.match(JSON.stringify(created.body), /publicKey/);
      await assert.rejects(node.keygate.keys.create(admin, { name: 'weak', scheme: 'ed25519', material: { publicKey: hex } }), (error: unknown) => {
        assert.ok(error instanceof KeygateError);
        assert.equal(error.code, 'BAD_REQUEST');
        assert.match(error.message, /not a valid Ed25519 public key|weak Ed25519 public key/);
        return true;
      });
    });
  }

  it('accepts an honest Ed25519 key (generated from a seed) at the same check', async () => {
    const { publicKeyHex } = ed25519Pair();
    const created = await node.keygate.keys.create(admin, { name: 'honest', scheme: 'ed25519', material: { publicKey: publicKeyHex } });
    assert.equal(created.key.lookup, publicKeyHex);
  });

  it('refuses at upload an RSA-PSS key restricted to SHA-512, with a 400 naming the field (finding 11)', async () => {
    const premier = await node.addUser({ usageLevel: 'premier' });
    const restricted = restrictedPssPair('sha512', 64);
    const pem = restricted.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const upload = await node.request('POST', '/api_keys', { token: premier.token, body: { name: 'sha512', public_key: pem } });
    assert.equal(upload.status, 400, JSON.stringify(upload.body));
    assert.match(JSON.stringify(upload.body), /public_key cannot verify RSA-PSS signatures with SHA-256.*sha512/);
    // A key restricted to exactly the spec's parameters is fine.
    const exact = restrictedPssPair('sha256', 32);
    const fine = await node.request('POST', '/api_keys', { token: premier.token, body: { name: 'sha256', public_key: exact.publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    assert.equal(fine.status, 201, JSON.stringify(fine.body));
  });

  it('refuses at upload an RSA key with public exponent 3, with a 400 naming the field and the exponent', async () => {
    const premier = await node.addUser({ usageLevel: 'premier' });
    const small = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const upload = await node.request('POST', '/api_keys', { token: premier.token, body: { name: 'e3', public_key: small } });
    assert.equal(upload.status, 400, JSON.stringify(upload.body));
    assert.match(JSON.stringify(upload.body), /public_key has public exponent 3; it must be at least 65537/);
    const usual = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal((await node.request('POST', '/api_keys', { token: premier.token, body: { name: 'e65537', public_key: usual } })).status, 201);
  });

  it('answers a refusal, never a 500, for a restricted RSA-PSS key stored before the check (finding 11)', async () => {
    const restricted = restrictedPssPair('sha512', 64);
    const stored = await storeDirectly({ scheme: 'rsa', publicKey: restricted.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const timestamp = String(Date.now());
    const signature = sign('sha512', Buffer.from(`${timestamp}GET/x`), { key: restricted.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    const headers = { 'KALSHI-ACCESS-KEY': stored.id, 'KALSHI-ACCESS-TIMESTAMP': timestamp, 'KALSHI-ACCESS-SIGNATURE': signature.toString('base64') };
    const response = await node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: { method: 'GET', url: '/x', headers } } });
    assert.equal(response.status, 200);
    assert.equal(response.body.code, 'INVALID_SIGNATURE');
  });

  it('answers a refusal, never a 500, for an HMAC key whose stored secret cannot be opened', async () => {
    // Sealed under another master secret, or damaged: the key can verify nothing.
    const stored = await storeDirectly({ scheme: 'hmac', secretCiphertext: 'v1.not-a-sealed-secret' });
    const signed = signHmac(stored.lookup, randomUUID(), 'GET', '/x');
    const response = await node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: { method: 'GET', url: '/x', headers: signed.headers } } });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.code, 'INVALID_SIGNATURE');
  });
});
