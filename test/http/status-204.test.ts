import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { forwardAuth, seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`204 No Content (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('DELETE /v1/keys/:id removes the key from listings, stops it working and keeps its audit trail', async () => {
      const key = await seedKey(node, node.member.token);
      const res = await node.request('DELETE', `/v1/keys/${key.id}`, { token: node.admin.token });
      assert.equal(res.status, 204);
      assert.equal(res.body, null);
      const listed = await node.request('GET', '/v1/keys', { token: node.admin.token });
      assert.equal(listed.body.keys.some((k: { id: string }) => k.id === key.id), false);
      assert.equal((await node.request('GET', `/v1/keys/${key.id}`, { token: node.admin.token })).status, 404);
      assert.equal((await forwardAuth(node, { 'x-api-key': key.key })).status, 403);
      const audit = await node.request('GET', '/v1/audit', { token: node.admin.token });
      const actions = audit.body.entries.filter((e: { keyId: string }) => e.keyId === key.id).map((e: { action: string }) => e.action);
      assert.deepEqual(actions, ['key.delete', 'key.create'], 'newest first');
    });
  });
}
