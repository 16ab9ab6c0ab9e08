import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';
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
      const key = apiKeyRecord(
        { organizationId: node.organizationId, userId: node.admin.user.id },
        { name: 'uploaded rsa key', scheme: 'rsa', lookup: randomUUID(), createdAt: node.keygate.clock.now(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), origin: 'rsa' },
      );
      const { id } = key;
      await node.keygate.store.keys.insert(key);
      const res = await node.request('POST', `/v1/keys/${id}/roll`, { token: node.admin.token });
      assertError(res, 422, 'UNPROCESSABLE');
      assert.match(res.body.error.message, /create a new key/);
      assert.equal((await node.request('GET', `/v1/keys/${id}`, { token: node.admin.token })).body.status, 'active');
    });
  });
}
