import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`422 Unprocessable (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('a key made of the holder’s own key pair (RSA, spec 004) cannot be rolled', async () => {
      // Seed the key the way the RSA profile stores it: only the public half is kept.
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const id = randomUUID();
      await node.keygate.store.keys.insert({
        id,
        organizationId: node.organizationId,
        userId: node.admin.user.id,
        name: 'uploaded rsa key',
        scheme: 'rsa',
        lookup: randomUUID(),
        tail: id.slice(-6),
        permissions: ['read'],
        ipAllowlist: [],
        allowedExchanges: ['*'],
        tier: 'basic',
        maxConnections: 2,
        requestsPerMinute: null,
        expiresAt: null,
        createdAt: node.keygate.clock.now(),
        lastUsedAt: null,
        revokedAt: null,
        revokedBy: null,
        deletedAt: null, enabled: true,
        secretCiphertext: null,
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        walletAddress: null,
        accountIndex: null,
        origin: 'rsa',
      });
      const res = await node.request('POST', `/v1/keys/${id}/roll`, { token: node.admin.token });
      assertError(res, 422, 'UNPROCESSABLE');
      assert.match(res.body.error.message, /create a new key/);
      assert.equal((await node.request('GET', `/v1/keys/${id}`, { token: node.admin.token })).body.status, 'active');
    });
  });
}
