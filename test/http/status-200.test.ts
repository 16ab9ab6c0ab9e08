import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { forwardAuth, seedKey, verifyKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`200 OK (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('GET /healthz', async () => {
      const res = await node.request('GET', '/healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true });
    });

    it('GET /v1/me shows the caller and the organization', async () => {
      const res = await node.request('GET', '/v1/me', { token: node.member.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.user.id, node.member.user.id);
      assert.equal(res.body.user.role, 'member');
      assert.equal(res.body.organization.id, node.organizationId);
      assert.equal(res.body.organization.revokePolicy, 'admins');
    });

    it('GET /v1/permissions lists the catalog and tiers', async () => {
      const res = await node.request('GET', '/v1/permissions');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.permissions.map((p: { name: string }) => p.name), ['read', 'write', 'write::transfer', 'info', 'trade']);
      assert.deepEqual(Object.keys(res.body.tiers), ['basic', 'premium', 'enterprise']);
    });

    it('GET /v1/keys: members see their own keys, admins the organization, filtered by name, tail or q', async () => {
      const mine = await seedKey(node, node.member.token, { name: 'Member Trading Bot' });
      const admins = await seedKey(node, node.admin.token, { name: 'Admin Feed' });
      const memberList = await node.request('GET', '/v1/keys', { token: node.member.token });
      assert.equal(memberList.status, 200);
      assert.deepEqual(memberList.body.keys.map((k: { id: string }) => k.id), [mine.id]);
      const adminList = await node.request('GET', '/v1/keys', { token: node.admin.token });
      const ids = adminList.body.keys.map((k: { id: string }) => k.id);
      assert.ok(ids.includes(mine.id) && ids.includes(admins.id));
      const byName = await node.request('GET', '/v1/keys?name=trading%20BOT', { token: node.admin.token });
      assert.deepEqual(byName.body.keys.map((k: { id: string }) => k.id), [mine.id]);
      const byTail = await node.request('GET', `/v1/keys?tail=${admins.tail}`, { token: node.admin.token });
      assert.deepEqual(byTail.body.keys.map((k: { id: string }) => k.id), [admins.id]);
      const byQ = await node.request('GET', `/v1/keys?q=${mine.tail}`, { token: node.admin.token });
      assert.deepEqual(byQ.body.keys.map((k: { id: string }) => k.id), [mine.id]);
      assert.equal(JSON.stringify(adminList.body).includes(mine.key), false, 'listings never carry secrets');
    });

    it('GET /v1/keys/:id returns the key without its secret', async () => {
      const key = await seedKey(node, node.member.token, { ipAllowlist: ['10.0.0.0/8'], allowedExchanges: ['binance', 'OKX'] });
      const res = await node.request('GET', `/v1/keys/${key.id}`, { token: node.member.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.id, key.id);
      assert.equal(res.body.status, 'active');
      assert.deepEqual(res.body.ipAllowlist, ['10.0.0.0/8']);
      assert.deepEqual(res.body.allowedExchanges, ['binance', 'okx']);
      assert.equal(res.body.key, undefined);
      assert.equal(res.body.ownerId, node.member.user.id);
    });

    it('PATCH /v1/keys/:id changes name, permissions, allowlist and exchanges', async () => {
      const key = await seedKey(node, node.member.token);
      const res = await node.request('PATCH', `/v1/keys/${key.id}`, {
        token: node.member.token,
        body: { name: 'renamed', permissions: ['read', 'trade'], ipAllowlist: ['192.0.2.0/24'], allowedExchanges: ['*'] },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.name, 'renamed');
      assert.deepEqual(res.body.permissions, ['read', 'trade']);
      assert.deepEqual(res.body.ipAllowlist, ['192.0.2.0/24']);
      const tier = await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { tier: 'enterprise', maxConnections: 50 } });
      assert.equal(tier.status, 200);
      assert.equal(tier.body.tier, 'enterprise');
      assert.equal(tier.body.maxConnections, 50);
    });

    it('POST /v1/keys/:id/revoke (admin) revokes for good', async () => {
      const key = await seedKey(node, node.member.token);
      const res = await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.admin.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'revoked');
      assert.equal(res.body.revokedBy, node.admin.user.id);
      assert.ok(res.body.revokedAt);
    });

    it('GET /v1/audit (admin) and GET /v1/keys/:id/audit record who did what, from where', async () => {
      const key = await seedKey(node, node.member.token);
      await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { name: 'audited' } });
      await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.member.token });
      await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.admin.token });
      const trail = await node.request('GET', `/v1/keys/${key.id}/audit`, { token: node.admin.token });
      assert.equal(trail.status, 200);
      const actions = trail.body.entries.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
      assert.deepEqual(actions, ['key.revoke:ok', 'key.revoke:denied', 'key.update:ok', 'key.create:ok'], 'newest first');
      for (const entry of trail.body.entries) {
        assert.equal(entry.keyId, key.id);
        assert.match(entry.ip, /127\.0\.0\.1/);
        assert.ok(Date.parse(entry.at) > 0);
        assert.ok(entry.actor.length > 0);
      }
      assert.equal(trail.body.entries[3].actorUserId, node.member.user.id);
      assert.equal(trail.body.entries[1].actorUserId, node.member.user.id);
      assert.equal(trail.body.entries[0].actorUserId, node.admin.user.id);
      assert.equal(trail.body.next, null, 'one page holds it all');
      const all = await node.request('GET', '/v1/audit', { token: node.admin.token });
      assert.equal(all.status, 200);
      assert.ok(all.body.entries.length >= 4);
    });

    it('POST /v1/keys/verify answers 200 with a verdict for every outcome', async () => {
      const key = await seedKey(node, node.admin.token, { permissions: ['read'], ipAllowlist: ['10.0.0.0/8'] });
      const valid = await verifyKey(node, { key: key.key, ip: '10.1.2.3', permission: 'read' });
      assert.equal(valid.status, 200);
      assert.equal(valid.body.valid, true);
      assert.equal(valid.body.code, 'VALID');
      assert.equal(valid.body.key.id, key.id);
      assert.equal(valid.body.key.owner, node.admin.user.id);
      assert.equal(valid.body.key.organization, node.organizationId);
      assert.deepEqual(valid.body.key.permissions, ['read']);
      assert.equal(valid.body.key.tier, 'premium');
      assert.equal(valid.body.key.expiresAt, null);
      const codes = {
        INSUFFICIENT_PERMISSIONS: { key: key.key, ip: '10.1.2.3', permission: 'trade' },
        IP_NOT_ALLOWED: { key: key.key, ip: '192.0.2.1' },
        MALFORMED: { key: 'dsk_short' },
        NOT_FOUND: { key: 'dsk_' + '0'.repeat(64) },
        MISSING: {},
      };
      for (const [code, body] of Object.entries(codes)) {
        const res = await verifyKey(node, body);
        assert.equal(res.status, 200, code);
        assert.equal(res.body.valid, false, code);
        assert.equal(res.body.code, code);
      }
      await node.request('POST', `/v1/keys/${key.id}/revoke`, { token: node.admin.token });
      const revoked = await verifyKey(node, { key: key.key, ip: '10.1.2.3' });
      assert.equal(revoked.body.code, 'REVOKED');
      assert.equal(revoked.body.key.id, key.id);
    });

    it('GET /v1/auth answers 200 with identity headers for X-API-Key, Bearer and api_key', async () => {
      const key = await seedKey(node, node.member.token, { permissions: ['read', 'trade'], allowedExchanges: ['binance'] });
      for (const [headers, query, path] of [
        [{ 'x-api-key': key.key }, '', '/v1/auth'],
        [{ authorization: `Bearer ${key.key}` }, '', '/v1/auth'],
        [{}, `?api_key=${key.key}`, '/v1/auth'],
        [{ 'x-original-uri': `/feed?api_key=${key.key}` }, '', '/v1/auth'],
        [{ 'x-original-uri': `/feed?api_key=${key.key}` }, '', '/v1/auth/nginx'],
        [{ 'x-forwarded-uri': `/feed?api_key=${key.key}`, 'x-forwarded-method': 'GET' }, '', '/v1/auth/traefik'],
      ] as const) {
        const res = await forwardAuth(node, headers, query, path);
        assert.equal(res.status, 200, JSON.stringify(headers) + query);
        assert.equal(res.headers.get('x-keygate-key-id'), key.id);
        assert.equal(res.headers.get('x-keygate-user-id'), node.member.user.id);
        assert.equal(res.headers.get('x-keygate-organization-id'), node.organizationId);
        assert.equal(res.headers.get('x-keygate-scheme'), 'opaque');
        assert.equal(res.headers.get('x-keygate-permissions'), 'read,trade');
        assert.equal(res.headers.get('x-keygate-tier'), 'basic');
        assert.equal(res.headers.get('x-keygate-allowed-exchanges'), 'binance');
        assert.equal(res.headers.get('x-keygate-code'), 'VALID');
        assert.equal(res.text, '', 'no body, so a proxy can keep the connection');
        assert.equal(res.headers.get('content-length'), '0');
      }
      const permitted = await forwardAuth(node, { 'x-api-key': key.key }, '?permission=trade');
      assert.equal(permitted.status, 200);
      const viaHeader = await forwardAuth(node, { 'x-api-key': key.key, 'x-keygate-permission': 'read' });
      assert.equal(viaHeader.status, 200);
    });

    it('GET /v1/auth?body=json (or X-Keygate-Body: json) adds the JSON body for callers whose clients read it', async () => {
      const key = await seedKey(node, node.member.token);
      const allowed = await fetch(`${node.url}/v1/auth/traefik?body=json`, { headers: { 'x-api-key': key.key } });
      assert.equal(allowed.status, 200);
      assert.deepEqual(await allowed.json(), { valid: true, code: 'VALID', keyId: key.id });
      const refused = await fetch(`${node.url}/v1/auth/envoy/orders`, { headers: { 'x-api-key': 'dsk_' + '0'.repeat(64), 'x-keygate-body': 'json' } });
      assert.equal(refused.status, 401);
      assert.equal((await refused.json()).error.code, 'NOT_FOUND');
    });

    it('GET /v1/auth/envoy/* (Envoy ext_authz path prefix), the older /v1/auth/* and other methods answer too', async () => {
      const key = await seedKey(node, node.member.token);
      for (const path of ['/v1/auth/envoy/orders/123', '/v1/auth/envoy', '/v1/auth/orders/123']) {
        const envoy = await fetch(`${node.url}${path}`, { method: 'POST', headers: { 'x-api-key': key.key, 'content-type': 'text/plain' }, body: 'anything' });
        assert.equal(envoy.status, 200, path);
      }
      const head = await fetch(`${node.url}/v1/auth`, { method: 'HEAD', headers: { 'x-api-key': key.key } });
      assert.equal(head.status, 200);
    });
  });
}
