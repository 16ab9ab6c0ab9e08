import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { signRsa, type SignedRequest } from '../support/signers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function rsaPair(bits = 2048) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

for (const dialect of dialects()) {
  describe(`spec 004 RSA keys under /api_keys (${dialect})`, () => {
    let node: TestNode;
    const pair = rsaPair();
    const verify = (signed: SignedRequest, permission?: string) =>
      node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: signed, permission } });

    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('creates a key from an uploaded public key for premier and market-maker users (201 {api_key_id})', async () => {
      const premier = await node.addUser({ usageLevel: 'premier' });
      const created = await node.request('POST', '/api_keys', { token: premier.token, body: { name: 'bot', public_key: pair.publicPem } });
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body), ['api_key_id']);
      assert.match(created.body.api_key_id, UUID);

      const maker = await node.addUser({ usageLevel: 'market_maker' });
      const scoped = await node.request('POST', '/api_keys', { token: maker.token, body: { name: 'mm', public_key: pair.publicPem, scopes: ['read'] } });
      assert.equal(scoped.status, 201);

      const listed = await node.request('GET', '/api_keys', { token: premier.token });
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body, { api_keys: [{ api_key_id: created.body.api_key_id, name: 'bot', scopes: ['read', 'write'] }] });
      const native = await node.request('GET', '/v1/keys', { token: premier.token });
      assert.deepEqual(native.body.keys.map((k: { scheme: string }) => k.scheme), ['rsa']);
    });

    it('refuses uploads for other usage levels with 403 and a reason', async () => {
      const basic = await node.addUser({ usageLevel: 'basic' });
      const refused = await node.request('POST', '/api_keys', { token: basic.token, body: { name: 'bot', public_key: pair.publicPem } });
      assert.equal(refused.status, 403);
      assert.match(refused.body.message, /premier or market_maker/);
      assert.match(refused.body.message, /basic/);
      assert.deepEqual((await node.request('GET', '/api_keys', { token: basic.token })).body, { api_keys: [] });
    });

    it('rejects malformed PEM, small keys, non-RSA keys and bad scopes with 400', async () => {
      const premier = await node.addUser({ usageLevel: 'premier' });
      const post = (body: unknown) => node.request('POST', '/api_keys', { token: premier.token, body });
      const garbage = await post({ name: 'x', public_key: '-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----' });
      assert.equal(garbage.status, 400);
      assert.equal(garbage.body.code, 'BAD_REQUEST');
      assert.match(garbage.body.message, /public_key/);
      const small = await post({ name: 'x', public_key: rsaPair(1024).publicPem });
      assert.equal(small.status, 400);
      assert.match(small.body.message, /1024-bit.*2048/);
      // A 16,384-bit public key (an odd modulus with its top bit set; no private half is needed to upload one).
      const modulus = randomBytes(2048);
      modulus[0] |= 0x80;
      modulus[2047] |= 0x01;
      const huge = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: 'AQAB' }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
      const large = await post({ name: 'x', public_key: huge });
      assert.equal(large.status, 400, JSON.stringify(large.body));
      assert.match(large.body.message, /16384-bit.*at most 8192/);
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const notRsa = await post({ name: 'x', public_key: ec });
      assert.equal(notRsa.status, 400);
      assert.match(notRsa.body.message, /must be an RSA key/);
      const writeOnly = await post({ name: 'x', public_key: pair.publicPem, scopes: ['write'] });
      assert.equal(writeOnly.status, 400);
      assert.match(writeOnly.body.message, /requires "read"/);
      const unknown = await post({ name: 'x', public_key: pair.publicPem, scopes: ['read', 'admin'] });
      assert.equal(unknown.status, 400);
      const missing = await post({ name: 'x' });
      assert.equal(missing.status, 400);
      assert.deepEqual((await node.request('GET', '/api_keys', { token: premier.token })).body, { api_keys: [] });
    });

    it('generates a key pair for any user, returns the private key once and keeps only the public key', async () => {
      const basic = await node.addUser({ usageLevel: 'basic' });
      const generated = await node.request('POST', '/api_keys/generate', { token: basic.token, body: { name: 'gen', scopes: ['read', 'write', 'write::transfer'] } });
      assert.equal(generated.status, 201);
      assert.match(generated.body.api_key_id, UUID);
      assert.match(generated.body.private_key, /^-----BEGIN RSA PRIVATE KEY-----/);
      const stored = await node.keygate.store.keys.findByLookup('rsa', generated.body.api_key_id);
      assert.match(stored!.publicKey!, /^-----BEGIN PUBLIC KEY-----/);
      assert.equal(stored!.secretCiphertext, null);
      const listed = await node.request('GET', '/api_keys', { token: basic.token });
      assert.equal(JSON.stringify(listed.body).includes('PRIVATE'), false);
      assert.deepEqual(listed.body.api_keys[0].scopes, ['read', 'write', 'write::transfer']);

      const signed = signRsa(generated.body.api_key_id, generated.body.private_key, 'GET', '/trade-api/v2/portfolio/balance?limit=5');
      const ok = await verify(signed, 'write::transfer');
      assert.equal(ok.body.valid, true);
      assert.equal(ok.body.key.scheme, 'rsa');
      assert.equal(ok.body.key.owner, basic.user.id);
    });

    it('deletes with 204, then 404; 400 for an id that is not one; 401 without a token', async () => {
      const basic = await node.addUser();
      const generated = await node.request('POST', '/api_keys/generate', { token: basic.token, body: { name: 'gone' } });
      assert.equal((await node.request('DELETE', `/api_keys/${generated.body.api_key_id}`, { token: basic.token })).status, 204);
      assert.equal((await node.request('DELETE', `/api_keys/${generated.body.api_key_id}`, { token: basic.token })).status, 404);
      assert.equal((await node.request('DELETE', '/api_keys/nope', { token: basic.token })).status, 400);
      assert.equal((await node.request('GET', '/api_keys')).status, 401);
      assert.equal((await node.request('POST', '/api_keys/generate', { body: { name: 'x' } })).status, 401);
      const after = await verify(signRsa(generated.body.api_key_id, generated.body.private_key, 'GET', '/x'));
      assert.equal(after.body.code, 'REVOKED');
    });

    it('authenticates RSA-PSS-signed requests through forward-auth with scope checks', async () => {
      const premier = await node.addUser({ usageLevel: 'premier' });
      const created = await node.request('POST', '/api_keys', { token: premier.token, body: { name: 'reader', public_key: pair.publicPem, scopes: ['read'] } });
      const signed = signRsa(created.body.api_key_id, pair.privateKey, 'POST', '/trade-api/v2/portfolio/orders');
      const headers = { ...signed.headers, 'x-original-uri': '/trade-api/v2/portfolio/orders?dry=1', 'x-original-method': 'POST' };
      const denied = await fetch(`${node.url}/v1/auth?permission=write`, { headers });
      assert.equal(denied.status, 403);
      assert.equal(denied.headers.get('x-keygate-code'), 'INSUFFICIENT_PERMISSIONS');
      const again = signRsa(created.body.api_key_id, pair.privateKey, 'POST', '/trade-api/v2/portfolio/orders');
      const ok = await fetch(`${node.url}/v1/auth?permission=read`, { headers: { ...again.headers, 'x-original-uri': '/trade-api/v2/portfolio/orders', 'x-original-method': 'POST' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-keygate-scheme'), 'rsa');
      assert.equal(ok.headers.get('x-keygate-user-id'), premier.user.id);
    });
  });
}
