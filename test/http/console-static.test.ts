import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';

describe('console static files and SPA fallback', () => {
  let node: TestNode;
  let bare: TestNode;
  const dist = mkdtempSync(join(tmpdir(), 'keygate-console-dist-'));
  before(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Keygate console</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log("app")');
    node = await startNode({ config: { console: { sessionTtlSeconds: 3600, nonceTtlSeconds: 300, distDir: dist } } });
    bare = await startNode({ config: { console: { sessionTtlSeconds: 3600, nonceTtlSeconds: 300, distDir: join(dist, 'missing') } } });
  });
  after(async () => {
    await node.stop();
    await bare.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes', async () => {
    for (const path of ['/', '/keys', '/live/0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']) {
      const response = await fetch(node.url + path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await response.text(), /Keygate console/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', 'the page that revokes keys cannot be framed');
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    }
  });

  it('serves fingerprinted assets with a long cache lifetime', async () => {
    const response = await fetch(`${node.url}/assets/app-1234.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
  });

  it('never answers API, docs or real-time paths with the console page', async () => {
    for (const path of ['/v1/nope', '/api/nope', '/frontoffice/nope', '/api_keys/nope/x', '/connection/websocket', '/e/v1/ws']) {
      const response = await fetch(node.url + path);
      assert.equal(response.status, 404, path);
      assert.equal((await response.json()).error.code, 'NOT_FOUND', path);
    }
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${node.url}/v1/permissions`)).status, 200);
    const docs = await fetch(`${node.url}/docs/json`);
    assert.equal(docs.status, 200);
  });

  it('explains how to build the console when it is not built', async () => {
    const response = await fetch(bare.url + '/');
    assert.equal(response.status, 503);
    assert.match(await response.text(), /npm run build/);
  });
});
