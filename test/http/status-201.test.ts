import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { forwardAuth, seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`201 Created (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('POST /v1/keys returns the full key once, with every setting', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const res = await node.request('POST', '/v1/keys', {
        token: node.admin.token,
        body: { name: 'feed', permissions: ['read', 'info'], ipAllowlist: ['192.0.2.0/24'], allowedExchanges: ['binance'], tier: 'enterprise', maxConnections: 7, expiresAt },
      });
      assert.equal(res.status, 201);
      assert.match(res.body.key, /^dsk_[0-9a-f]{64}$/);
      assert.equal(res.body.tail, res.body.key.slice(-6));
      assert.equal(res.body.status, 'active');
      assert.deepEqual(res.body.permissions, ['read', 'info']);
      assert.equal(res.body.tier, 'enterprise');
      assert.equal(res.body.maxConnections, 7);
      assert.equal(res.body.expiresAt, expiresAt);
      assert.equal(res.body.scheme, 'opaque');
      const again = await node.request('GET', `/v1/keys/${res.body.id}`, { token: node.admin.token });
      assert.equal(again.body.key, undefined, 'the secret is never shown again');
    });

    it('applies defaults: read permission, every exchange, the owner tier and its connection limit', async () => {
      const res = await node.request('POST', '/v1/keys', { token: node.member.token, body: { name: 'defaults' } });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body.permissions, ['read']);
      assert.deepEqual(res.body.allowedExchanges, ['*']);
      assert.equal(res.body.tier, 'basic');
      assert.equal(res.body.maxConnections, 2);
      assert.equal(res.body.expiresAt, null);
    });

    it('takes expiresInSeconds and lets admins create keys for members', async () => {
      const res = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'for member', ownerId: node.member.user.id, expiresInSeconds: 3600 } });
      assert.equal(res.status, 201);
      assert.equal(res.body.ownerId, node.member.user.id);
      assert.ok(Date.parse(res.body.expiresAt) > Date.now() + 3_500_000);
    });

    it('POST /v1/keys/:id/roll issues a new secret and keeps the old one for the grace period', async () => {
      const old = await seedKey(node, node.admin.token, { name: 'rolling', permissions: ['read', 'trade'] });
      const res = await node.request('POST', `/v1/keys/${old.id}/roll`, { token: node.admin.token, body: { graceSeconds: 300 } });
      assert.equal(res.status, 201);
      assert.match(res.body.key, /^dsk_[0-9a-f]{64}$/);
      assert.notEqual(res.body.id, old.id);
      assert.equal(res.body.name, 'rolling');
      assert.deepEqual(res.body.permissions, ['read', 'trade']);
      assert.equal(res.body.previous.id, old.id);
      assert.equal(res.body.previous.status, 'active', 'still active during the grace period');
      assert.equal((await forwardAuth(node, { 'x-api-key': old.key })).status, 200);
      assert.equal((await forwardAuth(node, { 'x-api-key': res.body.key })).status, 200);
    });

    it('POST /v1/keys/:id/roll without a body revokes the old secret at once', async () => {
      const old = await seedKey(node, node.admin.token);
      const res = await node.request('POST', `/v1/keys/${old.id}/roll`, { token: node.admin.token });
      assert.equal(res.status, 201);
      assert.equal(res.body.previous.status, 'revoked');
      assert.equal((await forwardAuth(node, { 'x-api-key': old.key })).status, 403);
      assert.equal((await forwardAuth(node, { 'x-api-key': res.body.key })).status, 200);
    });
  });
}
