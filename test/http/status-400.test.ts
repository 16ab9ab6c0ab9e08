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

    /** Asserts a 400 naming `field` with exactly `message`. */
    const refused = (response: { status: number; body: any }, field: string | undefined, message: string) => {
      const error = assertError(response, 400, 'BAD_REQUEST', field);
      assert.equal(error.message, message, JSON.stringify(response.body));
      if (field === undefined) assert.equal(error.field, undefined);
    };

    it('names the missing or invalid field when creating a key, in words a person uses', async () => {
      refused(await create({}), 'name', 'name is required');
      refused(await create({ name: '' }), 'name', 'name is required');
      refused(await create({ name: 'x'.repeat(101) }), 'name', 'name must be at most 100 characters');
      // A C0 or C1 control, a right-to-left override (reverses how the name reads), a line separator, a lone surrogate.
      for (const name of ['bad\u0000name', 'a\u0085b', 'key\u202egnp.exe', 'a\u2028b', 'a\u2066b', 'a\ud800b']) {
        refused(await create({ name }), 'name', 'name must not contain control characters (bidirectional controls, line separators and lone surrogates included)');
      }
      const emoji = await create({ name: 'team \u{1F468}\u200d\u{1F469}\u200d\u{1F467} desk' });
      assert.equal(emoji.status, 201, 'joiners stay: emoji need them');
      refused(await create({ name: 'k', permissions: ['read', {}] }), 'permissions[1]', 'permissions[1] must be a text');
      refused(await create({ name: 'k', permissions: ['x'.repeat(201)] }), 'permissions[0]', 'permissions[0] must be at most 200 characters');
      refused(await create({ name: 'k', permissions: Array.from({ length: 101 }, () => 'read') }), 'permissions', 'permissions must have at most 100 entries');
      refused(await create({ name: 'k', tier: 'gold' }), 'tier', 'tier must be one of basic, premium, enterprise');
      refused(await create({ name: 'k', maxConnections: 0 }), 'maxConnections', 'maxConnections must be a whole number of at least 1');
      refused(await create({ name: 'k', maxConnections: 'many' }), 'maxConnections', 'maxConnections must be a whole number');
      refused(await create({ name: 'k', expiresInSeconds: 0 }), 'expiresInSeconds', 'expiresInSeconds must be a whole number of at least 1');
      refused(await create({ name: 'k', expiresAt: 'tomorrow' }), 'expiresAt', 'expiresAt must be an ISO 8601 date-time (e.g. 2027-01-31T23:59:59Z), a whole number or null');
      refused(await create({ name: 'k', expiresAt: 1e300 }), 'expiresAt', 'expiresAt must be a whole number of at most 253402300799999');
      refused(await create({ name: 'k', ownerId: 'no such user' }), 'ownerId', 'ownerId must be a user id: 1 to 100 letters, digits or . _ : -');
      refused(await create({ name: 'k', colour: 'blue' }), 'colour', 'unknown field "colour"');
      // Checks made after the schema keep naming their field.
      assertError(await create({ name: 'k', permissions: ['fly'] }), 400, 'BAD_REQUEST', 'permissions');
      assertError(await create({ name: 'k', permissions: 'read,trade' }), 400, 'BAD_REQUEST', 'permissions');
      assertError(await create({ name: 'k', ipAllowlist: ['10.0.0.0/33'] }), 400, 'BAD_REQUEST', 'ipAllowlist');
      assertError(await create({ name: 'k', allowedExchanges: ['bin ance'] }), 400, 'BAD_REQUEST', 'allowedExchanges');
      assertError(await create({ name: 'k', expiresAt: '2001-01-01T00:00:00Z' }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await create({ name: 'k', expiresAt: '2999-01-01T00:00:00Z', expiresInSeconds: 60 }), 400, 'BAD_REQUEST', 'expiresAt');
      assertError(await create({ name: 'k', ownerId: 'no-such-user' }), 400, 'BAD_REQUEST', 'ownerId');
    });

    it('never answers in validator jargon', async () => {
      const bodies: unknown[] = [{}, { name: '' }, { name: 7, tier: 1 }, { name: 'k', maxConnections: -1 }, { name: 'k', expiresAt: {} }, { name: 'k', permissions: [[]] }, { name: 'k', x: 1 }, [], 'text'];
      for (const body of bodies) {
        const { message } = assertError(await create(body), 400, 'BAD_REQUEST');
        assert.doesNotMatch(message, /must NOT|must match|body[./]|\/|should /, `${JSON.stringify(body)} -> ${message}`);
      }
    });

    it('refuses bodies that are not JSON objects', async () => {
      const raw = (body: string, type = 'application/json') =>
        fetch(`${node.url}/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${node.admin.token}`, 'content-type': type }, body }).then(async (r) => ({
          status: r.status,
          body: await r.json(),
        }));
      assertError(await raw('{"name":'), 400, 'BAD_REQUEST', 'body');
      for (const text of ['[]', '"name"', 'null', '']) refused(await raw(text), undefined, 'the request body must be a JSON object');
      const wrongType = await raw('name=x', 'application/x-www-form-urlencoded');
      assert.equal(wrongType.status, 415);
      assert.equal(wrongType.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('validates updates, rolls, list filters and ids', async () => {
      const key = await seedKey(node, node.admin.token);
      const patch = (body: unknown) => node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body });
      refused(await patch({}), undefined, 'the request body must have at least 1 field');
      assertError(await patch({ permissions: ['nope'] }), 400, 'BAD_REQUEST', 'permissions');
      assertError(await patch({ ipAllowlist: ['::1/200'] }), 400, 'BAD_REQUEST', 'ipAllowlist');
      refused(await patch({ expiresAt: 5 }), 'expiresAt', 'unknown field "expiresAt"');
      const roll = (body: unknown) => node.request('POST', `/v1/keys/${key.id}/roll`, { token: node.admin.token, body });
      refused(await roll({ graceSeconds: -1 }), 'graceSeconds', 'graceSeconds must be a whole number of at least 0');
      refused(await roll({ graceSeconds: 999_999_999 }), 'graceSeconds', 'graceSeconds must be a whole number from 0 to 604800');
      refused(await node.request('GET', '/v1/keys?scheme=magic', { token: node.admin.token }), 'scheme', 'scheme must be one of opaque, hmac, rsa, ed25519');
      refused(await node.request('GET', `/v1/keys/${encodeURIComponent('bad id\u0000')}`, { token: node.admin.token }), 'id', 'id must be a key id: 1 to 100 letters, digits or . _ : -');
    });

    it('validates the verify API body', async () => {
      refused(await verifyKey(node, { key: { nested: true } }), 'key', 'key must be a text');
      refused(await verifyKey(node, { key: 'dsk_' + 'a'.repeat(600) }), 'key', 'key must be at most 512 characters');
      refused(await verifyKey(node, { key: 'dsk_x', extra: true }), 'extra', 'unknown field "extra"');
      refused(await verifyKey(node, { request: { method: 'GET' } }), 'request.url', 'missing required fields: request.url, request.headers');
    });
  });
}
