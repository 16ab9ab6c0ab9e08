import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';

for (const dialect of dialects()) {
  describe(`native key lifecycle over HTTP (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('creates a dsk_ key shown once, lists it by tail, verifies it, revokes it', async () => {
      const created = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'feed key', permissions: ['read'] } });
      assert.equal(created.status, 201);
      assert.match(created.body.key, /^dsk_[0-9a-f]{64}$/);
      assert.equal(created.body.tail, created.body.key.slice(-6));

      const listed = await node.request('GET', `/v1/keys?tail=${created.body.tail}`, { token: node.admin.token });
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.keys.map((k: { id: string }) => k.id), [created.body.id]);
      assert.equal(JSON.stringify(listed.body).includes(created.body.key), false, 'listing never shows the secret');

      const auth = await fetch(`${node.url}/v1/auth`, { headers: { 'x-api-key': created.body.key } });
      assert.equal(auth.status, 200);
      assert.equal(auth.headers.get('x-keygate-key-id'), created.body.id);

      const revoked = await node.request('POST', `/v1/keys/${created.body.id}/revoke`, { token: node.admin.token });
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.status, 'revoked');
      const denied = await fetch(`${node.url}/v1/auth`, { headers: { 'x-api-key': created.body.key } });
      assert.equal(denied.status, 403);
      assert.equal(denied.headers.get('x-keygate-code'), 'REVOKED');
    });
  });
}
