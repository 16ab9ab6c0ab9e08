import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, forwardAuth, seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`403 Forbidden (${dialect})`, () => {
    let node: TestNode;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock(Date.now());
      node = await startNode({ dialect, clock });
    });
    after(async () => node.stop());

    it('members may not revoke, roll or delete keys when the organization says only admins revoke (spec 000)', async () => {
      const key = await seedKey(node, node.member.token);
      assertError(await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.member.token }), 403, 'FORBIDDEN');
      assertError(await node.request('POST', `/v1/keys/${key.id}/roll`, { token: node.member.token }), 403, 'FORBIDDEN');
      assertError(await node.request('DELETE', `/v1/keys/${key.id}`, { token: node.member.token }), 403, 'FORBIDDEN');
      assert.equal((await forwardAuth(node, { 'x-api-key': key.key })).status, 200, 'nothing changed');
    });

    it('members may revoke their own keys when the organization allows owners to', async () => {
      const org = await node.keygate.directory.createOrganization('owners-revoke', 'owner_or_admin');
      const user = await node.keygate.directory.createUser({ organizationId: org.id, name: 'owner' });
      const { token } = await node.keygate.tokens.create(user);
      const key = await seedKey(node, token);
      const res = await node.request('POST', `/v1/keys/${key.id}/revoke`, { token });
      assert.equal(res.status, 200);
    });

    it('members may not set tiers or limits, create keys for others or read the audit log', async () => {
      assertError(await node.request('POST', '/v1/keys', { token: node.member.token, body: { name: 'k', tier: 'enterprise' } }), 403, 'FORBIDDEN');
      assertError(await node.request('POST', '/v1/keys', { token: node.member.token, body: { name: 'k', maxConnections: 99 } }), 403, 'FORBIDDEN');
      assertError(await node.request('POST', '/v1/keys', { token: node.member.token, body: { name: 'k', ownerId: node.admin.user.id } }), 403, 'FORBIDDEN', 'ownerId');
      const key = await seedKey(node, node.member.token);
      assertError(await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.member.token, body: { tier: 'enterprise' } }), 403, 'FORBIDDEN');
      assertError(await node.request('GET', '/v1/audit', { token: node.member.token }), 403, 'FORBIDDEN');
    });

    it('every refused management attempt is in the audit log', async () => {
      const key = await seedKey(node, node.member.token);
      await node.request('DELETE', `/v1/keys/${key.id}`, { token: node.member.token });
      const audit = await node.request('GET', `/v1/keys/${key.id}/audit`, { token: node.admin.token });
      const denied = audit.body.entries.find((e: { action: string }) => e.action === 'key.delete');
      assert.equal(denied.outcome, 'denied');
      assert.equal(denied.actorUserId, node.member.user.id);
    });

    it('forward-auth answers 403 for revoked, expired, IP-blocked and under-permitted keys', async () => {
      const revoked = await seedKey(node, node.admin.token);
      await node.request('POST', `/v1/keys/${revoked.id}/revoke`, { token: node.admin.token });
      assertError(await forwardAuth(node, { 'x-api-key': revoked.key }), 403, 'REVOKED');

      const expiring = await seedKey(node, node.admin.token, { expiresInSeconds: 60 });
      assert.equal((await forwardAuth(node, { 'x-api-key': expiring.key })).status, 200);
      clock.advance(60_000);
      assertError(await forwardAuth(node, { 'x-api-key': expiring.key }), 403, 'EXPIRED');

      const fenced = await seedKey(node, node.admin.token, { ipAllowlist: ['10.0.0.0/8'] });
      assertError(await forwardAuth(node, { 'x-api-key': fenced.key }), 403, 'IP_NOT_ALLOWED');
      assert.equal((await forwardAuth(node, { 'x-api-key': fenced.key, 'x-real-ip': '10.2.3.4' })).status, 200, 'the proxy reports the client address');
      assert.equal((await forwardAuth(node, { 'x-api-key': fenced.key, 'x-forwarded-for': '10.2.3.4' })).status, 200);

      const reader = await seedKey(node, node.admin.token, { permissions: ['read'] });
      assertError(await forwardAuth(node, { 'x-api-key': reader.key }, '?permission=trade'), 403, 'INSUFFICIENT_PERMISSIONS');
    });
  });
}
