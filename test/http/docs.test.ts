import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';

describe('OpenAPI documentation', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());

  it('serves an OpenAPI 3.1 document at /docs/json describing every native route', async () => {
    const res = await node.request('GET', '/docs/json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    assert.equal(res.body.info.title, 'Keygate');
    const paths = Object.keys(res.body.paths);
    for (const path of ['/v1/keys', '/v1/keys/{id}', '/v1/keys/{id}/revoke', '/v1/keys/{id}/roll', '/v1/keys/verify', '/v1/auth', '/v1/me']) {
      assert.ok(paths.includes(path), `${path} is documented`);
    }
    assert.ok(res.body.paths['/v1/keys'].post.requestBody, 'create documents its body');
    assert.ok(res.body.paths['/v1/keys'].post.responses['201']);
    assert.ok(res.body.components.securitySchemes.bearerAuth);
  });

  it('serves a browsable page at /docs', async () => {
    const response = await fetch(`${node.url}/docs`, { redirect: 'follow' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    const html = await response.text();
    assert.match(html, /swagger-ui/i);
  });
});
