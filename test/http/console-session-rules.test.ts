import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ManualClock } from '../../src/core/clock.ts';
import { dialects } from '../support/databases.ts';
import { signInWithWallet, siweMessage } from '../support/console-sign-in.ts';
import { startNode, type TestNode } from '../support/harness.ts';

for (const dialect of dialects()) {
  describe(`console sessions: revoke rights and expiry (${dialect})`, () => {
    let node: TestNode;
    const clock = new ManualClock(Date.now());
    const adminWallet = privateKeyToAccount(generatePrivateKey());
    const memberWallet = privateKeyToAccount(generatePrivateKey());
    before(async () => {
      node = await startNode({ dialect, clock, config: { console: { sessionTtlSeconds: 3600, nonceTtlSeconds: 60, distDir: null } } });
      await node.addUser({ role: 'admin', name: 'org-admin', wallets: [adminWallet.address] });
      await node.addUser({ role: 'member', name: 'org-member', wallets: [memberWallet.address] });
    });
    after(async () => node.stop());

    it('a member signed in by wallet is refused revoke with 403; an admin revokes', async () => {
      const admin = await signInWithWallet(node, adminWallet);
      const member = await signInWithWallet(node, memberWallet);
      const asAdmin = { cookie: admin.cookie!, 'x-csrf-token': admin.body.csrfToken };
      const asMember = { cookie: member.cookie!, 'x-csrf-token': member.body.csrfToken };
      const created = await node.request('POST', '/v1/keys', { headers: asMember, body: { name: 'member key', permissions: ['read'] } });
      assert.equal(created.status, 201);

      const refused = await node.request('POST', `/v1/keys/${created.body.id}/revoke`, { headers: asMember });
      assert.equal(refused.status, 403);
      const still = await node.request('GET', `/v1/keys/${created.body.id}`, { headers: asMember });
      assert.equal(still.body.status, 'active');

      const revoked = await node.request('POST', `/v1/keys/${created.body.id}/revoke`, { headers: asAdmin });
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.status, 'revoked');
    });

    it('a session opened on one node works on another, and signing out on either ends it everywhere', async () => {
      const other = await startNode({ dialect, clock, joinOf: node });
      try {
        const session = await signInWithWallet(node, adminWallet);
        const cookie = { cookie: session.cookie! };
        assert.equal((await other.request('GET', '/v1/me', { headers: cookie })).body.user.name, 'org-admin');
        const created = await other.request('POST', '/v1/keys', { headers: { ...cookie, 'x-csrf-token': session.body.csrfToken }, body: { name: 'made on node b' } });
        assert.equal(created.status, 201);
        const out = await other.request('DELETE', '/v1/console/session', { headers: { ...cookie, 'x-csrf-token': session.body.csrfToken } });
        assert.equal(out.status, 204);
        assert.equal((await node.request('GET', '/v1/me', { headers: cookie })).status, 401);
      } finally {
        await other.stop();
      }
    });

    it('a session expires after its lifetime', async () => {
      const session = await signInWithWallet(node, adminWallet);
      assert.equal((await node.request('GET', '/v1/me', { headers: { cookie: session.cookie! } })).status, 200);
      clock.advance(3600_000 + 1);
      const expired = await node.request('GET', '/v1/me', { headers: { cookie: session.cookie! } });
      assert.equal(expired.status, 401);
      assert.match(expired.body.error.message, /expired/);
    });

    it('a nonce expires unused', async () => {
      const message = await siweMessage(node, adminWallet.address, { issuedAt: new Date(clock.now()) });
      const signature = await adminWallet.signMessage({ message });
      clock.advance(61_000);
      const response = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(response.status, 401);
      assert.match(response.body.error.message, /nonce/);
    });
  });
}
