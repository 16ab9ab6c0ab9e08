import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`409 Conflict (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect, config: { keys: { maxKeysPerUser: { opaque: 3 } } } });
    });
    after(async () => node.stop());

    it('a revoked key cannot be revoked again, changed or rolled: the lifecycle never goes back', async () => {
      const key = await seedKey(node, node.admin.token);
      assert.equal((await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.admin.token })).status, 200);
      assertError(await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.admin.token }), 409, 'CONFLICT');
      assertError(await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { name: 'back to life' } }), 409, 'CONFLICT');
      assertError(await node.request('POST', `/v1/keys/${key.id}/roll`, { token: node.admin.token }), 409, 'CONFLICT');
      assert.equal((await node.request('GET', `/v1/keys/${key.id}`, { token: node.admin.token })).body.status, 'revoked');
    });

    it('the per-user key limit (keys.maxKeysPerUser) refuses one key too many, and frees up on delete', async () => {
      const user = await node.addUser();
      const keys = [];
      for (let i = 0; i < 3; i++) keys.push(await seedKey(node, user.token, { name: `k${i}` }));
      const refused = assertError(await node.request('POST', '/v1/keys', { token: user.token, body: { name: 'one too many' } }), 409, 'KEY_LIMIT_REACHED');
      assert.match(refused.message, /at most 3/);
      assert.equal((await node.request('DELETE', `/v1/keys/${keys[0].id}`, { token: node.admin.token })).status, 204);
      assert.equal((await node.request('POST', '/v1/keys', { token: user.token, body: { name: 'fits again' } })).status, 201);
      const audit = await node.request('GET', '/v1/audit', { token: node.admin.token });
      assert.ok(audit.body.entries.some((e: { action: string; outcome: string; actorUserId: string }) => e.action === 'key.create' && e.outcome === 'denied' && e.actorUserId === user.user.id));
    });
  });
}
