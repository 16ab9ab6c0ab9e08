import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`404 Not Found (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('an unknown key id answers 404 on every key route', async () => {
      const id = randomUUID();
      for (const [method, path, body] of [
        ['GET', `/v1/keys/${id}`],
        ['PATCH', `/v1/keys/${id}`, { name: 'x' }],
        ['POST', `/v1/keys/${id}/revoke`],
        ['POST', `/v1/keys/${id}/roll`],
        ['DELETE', `/v1/keys/${id}`],
        ['GET', `/v1/keys/${id}/audit`],
      ] as Array<[string, string, unknown?]>) {
        assertError(await node.request(method, path, { token: node.admin.token, body }), 404, 'NOT_FOUND');
      }
    });

    it("another member's key and another organization's key are invisible", async () => {
      const colleague = await node.addUser();
      const theirs = await seedKey(node, colleague.token);
      assertError(await node.request('GET', `/v1/keys/${theirs.id}`, { token: node.member.token }), 404, 'NOT_FOUND');
      assertError(await node.request('POST', `/v1/keys/${theirs.id}/revoke`, { token: node.member.token }), 404, 'NOT_FOUND');

      const org = await node.keygate.directory.createOrganization('elsewhere');
      const outsider = await node.keygate.directory.createUser({ organizationId: org.id, name: 'outsider', role: 'admin' });
      const { token } = await node.keygate.tokens.create(outsider);
      assertError(await node.request('GET', `/v1/keys/${theirs.id}`, { token }), 404, 'NOT_FOUND');
      assertError(await node.request('DELETE', `/v1/keys/${theirs.id}`, { token }), 404, 'NOT_FOUND');
      assert.equal((await node.request('GET', `/v1/keys/${theirs.id}`, { token: colleague.token })).status, 200, 'still there');
    });

    it('a deleted key is gone from every route', async () => {
      const key = await seedKey(node, node.admin.token);
      assert.equal((await node.request('DELETE', `/v1/keys/${key.id}`, { token: node.admin.token })).status, 204);
      assertError(await node.request('GET', `/v1/keys/${key.id}`, { token: node.admin.token }), 404, 'NOT_FOUND');
      assertError(await node.request('DELETE', `/v1/keys/${key.id}`, { token: node.admin.token }), 404, 'NOT_FOUND');
    });

    it('unknown routes answer with the standard error body', async () => {
      const res = await node.request('GET', '/v1/nothing-here?api_key=dsk_secret');
      assertError(res, 404, 'NOT_FOUND');
      assert.equal(res.body.error.message.includes('dsk_secret'), false, 'query strings are not echoed');
    });
  });
}
