import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { dialects } from '../support/databases.ts';
import { sessionCookieOf, signInWithWallet, siweMessage } from '../support/console-sign-in.ts';
import { startNode, type TestNode } from '../support/harness.ts';

for (const dialect of dialects()) {
  describe(`console Sign-In with Ethereum (${dialect})`, () => {
    let node: TestNode;
    const wallet = privateKeyToAccount(generatePrivateKey());
    const stranger = privateKeyToAccount(generatePrivateKey());
    before(async () => {
      node = await startNode({ dialect });
      await node.addUser({ role: 'admin', name: 'wallet-admin', wallets: [wallet.address] });
    });
    after(async () => node.stop());

    it('a good signature opens an httpOnly SameSite session that the management API accepts', async () => {
      const session = await signInWithWallet(node, wallet);
      assert.equal(session.status, 200, JSON.stringify(session.body));
      assert.ok(session.cookie, 'a session cookie is set');
      assert.equal(session.body.user.name, 'wallet-admin');
      assert.deepEqual(session.body.user.wallets, [wallet.address]);
      assert.match(session.body.csrfToken, /^[0-9a-f]{64}$/);

      const me = await node.request('GET', '/v1/me', { headers: { cookie: session.cookie! } });
      assert.equal(me.status, 200);
      assert.equal(me.body.user.name, 'wallet-admin');
      const keys = await node.request('GET', '/v1/keys', { headers: { cookie: session.cookie! } });
      assert.equal(keys.status, 200);
      const current = await node.request('GET', '/v1/console/session', { headers: { cookie: session.cookie! } });
      assert.equal(current.status, 200);
      assert.equal(current.body.csrfToken, session.body.csrfToken);
    });

    it('sets the cookie httpOnly, SameSite=Strict, with an expiry', async () => {
      const message = await siweMessage(node, wallet.address);
      const signature = await wallet.signMessage({ message });
      const response = await fetch(`${node.url}/v1/console/siwe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, signature }) });
      const set = response.headers.getSetCookie().find((c) => c.startsWith('keygate_session='))!;
      assert.match(set, /HttpOnly/i);
      assert.match(set, /SameSite=Strict/i);
      assert.match(set, /Max-Age=\d+/i);
      assert.match(set, /Path=\//i);
    });

    it('refuses a message signed by another wallet with 401', async () => {
      const message = await siweMessage(node, wallet.address);
      const signature = await stranger.signMessage({ message });
      const response = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(response.status, 401);
      assert.match(response.body.error.message, /not made by/);
      assert.equal(sessionCookieOf(response.headers), null);
    });

    it('refuses a replayed message (the nonce is single-use) with 401', async () => {
      const message = await siweMessage(node, wallet.address);
      const signature = await wallet.signMessage({ message });
      const first = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(first.status, 200);
      const replay = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(replay.status, 401);
      assert.match(replay.body.error.message, /nonce/);
    });

    it('refuses a nonce the server never issued with 401', async () => {
      const message = (await siweMessage(node, wallet.address)).replace(/Nonce: \w+/, 'Nonce: abcdef0123456789');
      const signature = await wallet.signMessage({ message });
      const response = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(response.status, 401);
    });

    it('refuses an expired message with 401', async () => {
      const message = await siweMessage(node, wallet.address, { issuedAt: new Date(Date.now() - 120_000), expirationTime: new Date(Date.now() - 60_000) });
      const signature = await wallet.signMessage({ message });
      const response = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(response.status, 401);
      assert.match(response.body.error.message, /expired/);
    });

    it('refuses a message for another domain with 401', async () => {
      const message = await siweMessage(node, wallet.address, { domain: 'evil.example', uri: 'https://evil.example/' });
      const signature = await wallet.signMessage({ message });
      const response = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
      assert.equal(response.status, 401);
      assert.match(response.body.error.message, /another site than this console/);
      assert.doesNotMatch(response.body.error.message, /evil\.example/, 'the refused domain is not echoed');
    });

    it('refuses a wallet that belongs to no user with 403 and says why', async () => {
      const session = await signInWithWallet(node, stranger);
      assert.equal(session.status, 403);
      assert.match(session.body.error.message, /not linked to any Keygate user/);
      assert.equal(session.cookie, null);
    });

    it('requires X-CSRF-Token on unsafe requests made with the cookie (403 without it)', async () => {
      const session = await signInWithWallet(node, wallet);
      const without = await node.request('POST', '/v1/keys', { headers: { cookie: session.cookie! }, body: { name: 'no csrf' } });
      assert.equal(without.status, 403);
      assert.match(without.body.error.message, /X-CSRF-Token/);
      const wrong = await node.request('POST', '/v1/keys', { headers: { cookie: session.cookie!, 'x-csrf-token': '0'.repeat(64) }, body: { name: 'bad csrf' } });
      assert.equal(wrong.status, 403);
      const listed = await node.request('GET', '/v1/keys?q=csrf', { headers: { cookie: session.cookie! } });
      assert.equal(listed.body.keys.length, 0, 'refused requests changed nothing');
      const withToken = await node.request('POST', '/v1/keys', { headers: { cookie: session.cookie!, 'x-csrf-token': session.body.csrfToken }, body: { name: 'with csrf' } });
      assert.equal(withToken.status, 201);
    });

    it('sign-out ends the session for good', async () => {
      const session = await signInWithWallet(node, wallet);
      const refused = await node.request('DELETE', '/v1/console/session', { headers: { cookie: session.cookie! } });
      assert.equal(refused.status, 403, 'sign-out needs the CSRF token too');
      const out = await node.request('DELETE', '/v1/console/session', { headers: { cookie: session.cookie!, 'x-csrf-token': session.body.csrfToken } });
      assert.equal(out.status, 204);
      assert.match(out.headers.getSetCookie().join(';'), /keygate_session=;/);
      const after = await node.request('GET', '/v1/keys', { headers: { cookie: session.cookie! } });
      assert.equal(after.status, 401);
      const current = await node.request('GET', '/v1/console/session', { headers: { cookie: session.cookie! } });
      assert.equal(current.status, 401);
    });

    it('exchanges a management token for a session, and refuses a bad one with 401', async () => {
      const good = await node.request('POST', '/v1/console/session', { token: node.admin.token });
      assert.equal(good.status, 200);
      assert.equal(good.body.via, 'token');
      const cookie = sessionCookieOf(good.headers)!;
      const me = await node.request('GET', '/v1/me', { headers: { cookie } });
      assert.equal(me.body.user.id, node.admin.user.id);
      const bad = await node.request('POST', '/v1/console/session', { token: 'kgm_' + '0'.repeat(64) });
      assert.equal(bad.status, 401);
      assert.equal(sessionCookieOf(bad.headers), null);
    });
  });
}
