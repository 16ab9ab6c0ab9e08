import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, forwardAuth } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`401 Unauthorized (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/me'],
      ['GET', '/v1/audit'],
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys', { name: 'x' }],
      ['GET', '/v1/keys/some-id'],
      ['PATCH', '/v1/keys/some-id', { name: 'x' }],
      ['POST', '/v1/keys/some-id/revoke'],
      ['POST', '/v1/keys/some-id/roll'],
      ['DELETE', '/v1/keys/some-id'],
      ['GET', '/v1/keys/some-id/audit'],
    ];

    it('every management route needs a Bearer management token', async () => {
      for (const [method, path, body] of routes) {
        assertError(await node.request(method, path, { body }), 401, 'UNAUTHENTICATED');
        assertError(await node.request(method, path, { body, token: 'kgm_' + randomBytes(32).toString('hex') }), 401, 'UNAUTHENTICATED');
      }
    });

    it('an API key is not a management token', async () => {
      const created = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'k' } });
      assertError(await node.request('GET', '/v1/keys', { token: created.body.key }), 401, 'UNAUTHENTICATED');
    });

    it('the verify API needs the server credential', async () => {
      assertError(await node.request('POST', '/v1/keys/verify', { body: { key: 'dsk_x' } }), 401, 'UNAUTHENTICATED');
      assertError(await node.request('POST', '/v1/keys/verify', { body: { key: 'dsk_x' }, token: node.admin.token }), 401, 'UNAUTHENTICATED');
      assertError(await node.request('POST', '/v1/keys/verify', { body: { key: 'dsk_x' }, headers: { 'x-keygate-server-token': 'kgs_wrong' } }), 401, 'UNAUTHENTICATED');
      const ok = await node.request('POST', '/v1/keys/verify', { body: { key: 'dsk_x' }, headers: { 'x-keygate-server-token': node.keygate.serverToken } });
      assert.equal(ok.status, 200);
    });

    it('forward-auth answers 401 for a missing, malformed or unknown key', async () => {
      for (const [headers, code] of [
        [{}, 'MISSING'],
        [{ 'x-api-key': 'dsk_123' }, 'MALFORMED'],
        [{ authorization: 'Bearer not-a-key' }, 'MALFORMED'],
        [{ 'x-api-key': 'dsk_' + randomBytes(32).toString('hex') }, 'NOT_FOUND'],
      ] as const) {
        const res = await forwardAuth(node, headers);
        assertError(res, 401, code);
        assert.equal(res.headers.get('www-authenticate'), 'ApiKey realm="keygate"');
        assert.equal(res.headers.get('x-keygate-key-id'), null);
      }
    });
  });
}
