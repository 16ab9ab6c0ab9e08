import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { sessionCookieOf } from '../support/console-sign-in.ts';
import { startNode, type TestNode } from '../support/harness.ts';

// Management tokens can be listed and revoked (members their own, admins their organization's),
// expire after tokens.defaultTtlDays unless told otherwise, and a console session opened with a
// token ends when that token is revoked. Every change and refusal is audited.

for (const dialect of dialects()) {
  describe(`management tokens (${dialect})`, () => {
    let node: TestNode;
    let outsider: TestNode;
    before(async () => {
      node = await startNode({ dialect });
      outsider = await startNode({ joinOf: node });
    });
    after(async () => {
      await outsider.stop();
      await node.stop();
    });

    it('GET /v1/tokens lists your own tokens (admins: the organization\'s), never the token, with a 90-day default lifetime', async () => {
      const mine = await node.request('GET', '/v1/tokens', { token: node.member.token });
      assert.equal(mine.status, 200);
      assert.ok(mine.body.tokens.length >= 1);
      for (const token of mine.body.tokens) assert.equal(token.user.id, node.member.user.id);
      const own = mine.body.tokens.find((t: { tail: string }) => t.tail === node.member.token.slice(-6));
      assert.equal(own.status, 'active');
      const days = (Date.parse(own.expiresAt) - Date.parse(own.createdAt)) / 86_400_000;
      assert.equal(days, 90);
      assert.equal(JSON.stringify(mine.body).includes(node.member.token), false);

      const all = await node.request('GET', '/v1/tokens', { token: node.admin.token });
      const owners = new Set(all.body.tokens.map((t: { user: { id: string } }) => t.user.id));
      assert.ok(owners.has(node.member.user.id) && owners.has(node.admin.user.id));
    });

    it('members revoke their own tokens only; admins any of their organization\'s; others are 404', async () => {
      const member2 = await node.addUser();
      const spare = await node.keygate.tokens.create(member2.user, 'spare');
      const adminSpare = await node.keygate.tokens.create(node.admin.user, 'admin spare');
      assert.equal((await node.request('DELETE', `/v1/tokens/${adminSpare.id}`, { token: member2.token })).status, 404, "a member cannot revoke an admin's token");
      const own = await node.request('DELETE', `/v1/tokens/${spare.id}`, { token: member2.token });
      assert.equal(own.status, 200);
      assert.equal(own.body.status, 'revoked');
      assert.equal((await node.request('GET', '/v1/me', { token: spare.token })).status, 401, 'a revoked token no longer authenticates');
      assert.equal((await node.request('DELETE', `/v1/tokens/${spare.id}`, { token: member2.token })).status, 409);

      const byAdmin = await node.request('DELETE', `/v1/tokens/${(await node.keygate.tokens.create(member2.user, 'x')).id}`, { token: node.admin.token });
      assert.equal(byAdmin.status, 200);

      // Another organization's admin cannot see or revoke these.
      const org = await node.keygate.directory.createOrganization('Other Org');
      const stranger = await node.keygate.directory.createUser({ organizationId: org.id, name: 'stranger', role: 'admin' });
      const strangerToken = (await node.keygate.tokens.create(stranger, 's')).token;
      assert.equal((await node.request('DELETE', `/v1/tokens/${adminSpare.id}`, { token: strangerToken })).status, 404);
      const theirs = await node.request('GET', '/v1/tokens', { token: strangerToken });
      assert.deepEqual(theirs.body.tokens.map((t: { user: { id: string } }) => t.user.id), [stranger.id]);

      const audit = await node.keygate.store.audit.list({ organizationId: node.organizationId });
      const revokes = audit.filter((e) => e.action === 'token.revoke');
      assert.ok(revokes.some((e) => e.outcome === 'ok' && e.detail.tokenId === spare.id && e.actorUserId === member2.user.id));
      assert.ok(revokes.filter((e) => e.outcome !== 'ok').length >= 2, 'refused revocations are audited');
      assert.ok(audit.some((e) => e.action === 'token.create' && e.detail.tokenId === spare.id));
    });

    it('a console session opened with a token ends when the token is revoked, on every node', async () => {
      const user = await node.addUser();
      const token = await node.keygate.tokens.create(user.user, 'console');
      const opened = await node.request('POST', '/v1/console/session', { token: token.token });
      assert.equal(opened.status, 200);
      const cookie = sessionCookieOf(opened.headers)!;
      assert.equal((await outsider.request('GET', '/v1/me', { headers: { cookie } })).status, 200);
      assert.equal((await node.request('DELETE', `/v1/tokens/${token.id}`, { token: user.token })).status, 200);
      assert.equal((await node.request('GET', '/v1/me', { headers: { cookie } })).status, 401);
      assert.equal((await outsider.request('GET', '/v1/keys', { headers: { cookie } })).status, 401, 'the other node sees it at once');
      assert.equal((await node.request('GET', '/v1/console/session', { headers: { cookie } })).status, 401);
      // A session opened with another token of the same user is unaffected.
      const other = await node.request('POST', '/v1/console/session', { token: user.token });
      assert.equal((await node.request('GET', '/v1/me', { headers: { cookie: sessionCookieOf(other.headers)! } })).status, 200);
    });
  });
}

describe('tokens.defaultTtlDays', () => {
  it('null makes tokens that never expire; a number, that many days', async () => {
    const node = await startNode({ config: { tokens: { defaultTtlDays: null } } });
    try {
      const made = await node.keygate.tokens.create(node.member.user, 'x');
      assert.equal(made.expiresAt, null);
      const dated = await node.keygate.tokens.create(node.member.user, 'y', 86_400_000);
      assert.ok(dated.expiresAt !== null && dated.expiresAt - Date.now() <= 86_400_000);
    } finally {
      await node.stop();
    }
  });
});
