import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, seedKey, verifyKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`400 Bad Request (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    const create = (body: unknown) => node.request('POST', '/v1/keys', { token: node.admin.token, body });

    it('names the missing or invalid field when creating a key', async () => {
      assertError(await create({}), 400, 'BAD_REQUEST', 'name');
      assertError(await create({ name: '' }), 400, 'BAD_REQUEST', 'name');
      assertError(await create({ name: 'x'.repeat(101) }), 400, 'BAD_REQUEST', 'name');
      assertError(await create({ name: 'bad\u0000name' }), 400, 'BAD_REQUEST', 'name');
      assertError(await create({ name: 'k', permissions: ['fly'] }), 400, 'BAD_REQUEST', 'permissions');
      assertError(await create({ name: 'k', permissions: 'read,trade' }), 400, 'BAD_REQUEST', 'permissions');
      assertError(await create({ name: 'k', ipAllowlist: ['10.0.0.0/33'] }), 400, 'BAD_REQUEST', 'ipAllowlist');
      assertError(await create({ name: 'k', allowedExchanges: ['bin ance'] }), 400, 'BAD_REQUEST', 'allowedExchanges');
      assertError(await create({ name: 'k', tier: 'gold' }), 400, 'BAD_REQUEST', 'tier');
      assertError(await create({ name: 'k', maxConnections: 0 }), 400, 'BAD_REQUEST', 'maxConnections');
      assertError(await create({ name: 'k', expiresAt: '2001-01-01T00:00:00Z' }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await create({ name: 'k', expiresAt: 'tomorrow' }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await create({ name: 'k', expiresAt: 1e300 }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await create({ name: 'k', expiresAt: '2999-01-01T00:00:00Z', expiresInSeconds: 60 }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await create({ name: 'k', ownerId: 'no-such-user' }), 400, 'BAD_REQUEST', 'ownerId');
      assertError(await create({ name: 'k', colour: 'blue' }), 400, 'BAD_REQUEST', 'colour');
    });

    it('refuses bodies that are not JSON objects', async () => {
      const raw = (body: string, type = 'application/json') =>
        fetch(`${node.url}/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${node.admin.token}`, 'content-type': type }, body }).then(async (r) => ({
          status: r.status,
          body: await r.json(),
        }));
      assertError(await raw('{"name":'), 400, 'BAD_REQUEST', 'body');
      assertError(await raw('[]'), 400, 'BAD_REQUEST');
      assertError(await raw('"name"'), 400, 'BAD_REQUEST');
      assertError(await raw('null'), 400, 'BAD_REQUEST');
      assertError(await raw(''), 400, 'BAD_REQUEST');
      const wrongType = await raw('name=x', 'application/x-www-form-urlencoded');
      assert.equal(wrongType.status, 415);
      assert.equal(wrongType.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('validates updates, rolls, list filters and ids', async () => {
      const key = await seedKey(node, node.admin.token);
      assertError(await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: {} }), 400, 'BAD_REQUEST');
      assertError(await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { permissions: ['nope'] } }), 400, 'BAD_REQUEST', 'permissions');
      assertError(await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { ipAllowlist: ['::1/200'] } }), 400, 'BAD_REQUEST', 'ipAllowlist');
      assertError(await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { expiresAt: 5 } }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await node.request('POST', `/v1/keys/${key.id}/roll`, { token: node.admin.token, body: { graceSeconds: -1 } }), 400, 'BAD_REQUEST', 'graceSeconds');
      assertError(await node.request('POST', `/v1/keys/${key.id}/roll`, { token: node.admin.token, body: { graceSeconds: 999_999_999 } }), 400, 'BAD_REQUEST', 'graceSeconds');
      assertError(await node.request('GET', '/v1/keys?scheme=magic', { token: node.admin.token }), 400, 'BAD_REQUEST', 'scheme');
      assertError(await node.request('GET', `/v1/keys/${encodeURIComponent('bad id\u0000')}`, { token: node.admin.token }), 400, 'BAD_REQUEST', 'id');
    });

    it('validates the verify API body', async () => {
      assertError(await verifyKey(node, { key: { nested: true } }), 400, 'BAD_REQUEST', 'key');
      assertError(await verifyKey(node, { key: 'dsk_' + 'a'.repeat(600) }), 400, 'BAD_REQUEST', 'key');
      assertError(await verifyKey(node, { key: 'dsk_x', extra: true }), 400, 'BAD_REQUEST', 'extra');
      assertError(await verifyKey(node, { request: { method: 'GET' } }), 400, 'BAD_REQUEST');
    });
  });
}
