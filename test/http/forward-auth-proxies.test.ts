import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { forwardAuth, seedKey } from '../support/seed.ts';
import { signHmac } from '../support/signers.ts';

// Which proxy's headers carry the original request is decided by the address a proxy calls (or the
// forwardAuth.proxy setting for /v1/auth), never by which headers happen to be present: a client can
// add any header, and nginx, Traefik and Envoy all pass the client's headers on to Keygate.

describe('forward-auth reads the headers of the proxy that asks, and only those', () => {
  let node: TestNode;
  let pair: { publicKey: string; privateKey: string };
  before(async () => {
    node = await startNode();
    const user = await node.addUser();
    const created = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'bot', isInfo: true, isTrade: true, IpWhiteList: [] } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    pair = created.body;
  });
  after(async () => node.stop());

  it('behind Traefik a client-supplied X-Original-URI cannot make a GET /api/balance signature authorise POST /api/withdraw', async () => {
    const balance = signHmac(pair.publicKey, pair.privateKey, 'GET', '/api/balance');
    // What Traefik sends for the client's POST /api/withdraw: its own X-Forwarded-*, plus the client's extra headers.
    const smuggled = { ...balance.headers, 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/api/withdraw', 'x-original-method': 'GET', 'x-original-uri': '/api/balance' };
    const traefik = await forwardAuth(node, smuggled, '', '/v1/auth/traefik');
    assert.equal(traefik.status, 401);
    assert.equal(traefik.body.error.code, 'INVALID_SIGNATURE');
    // A Traefik still pointed at the generic /v1/auth (which reads nginx's headers by default) fails closed.
    const generic = await forwardAuth(node, smuggled);
    assert.equal(generic.status, 400);
    assert.equal(generic.headers.get('x-keygate-code'), 'BAD_REQUEST');
    // The honest request passes at Traefik's address.
    const withdraw = signHmac(pair.publicKey, pair.privateKey, 'POST', '/api/withdraw');
    const honest = await forwardAuth(node, { ...withdraw.headers, 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/api/withdraw' }, '', '/v1/auth/traefik');
    assert.equal(honest.status, 200);
  });

  it('behind nginx a client-supplied X-Forwarded-Uri is never read', async () => {
    const balance = signHmac(pair.publicKey, pair.privateKey, 'GET', '/api/balance');
    const smuggled = { ...balance.headers, 'x-original-method': 'POST', 'x-original-uri': '/api/withdraw', 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api/balance' };
    assert.equal((await forwardAuth(node, smuggled, '', '/v1/auth/nginx')).status, 401);
  });

  it('Envoy: the required permission comes from the operator header only, never the client path query, and an empty value disables nothing', async () => {
    const reader = await seedKey(node, node.admin.token, { permissions: ['read'] });
    const operator = { 'x-api-key': reader.key, 'x-keygate-permission': 'trade' };
    assert.equal((await forwardAuth(node, operator, '', '/v1/auth/envoy/api/orders')).status, 403);
    for (const query of ['?permission=', '?permission=read', '?permission=&permission=read']) {
      const res = await forwardAuth(node, operator, query, '/v1/auth/envoy/api/orders');
      assert.equal(res.status, 403, query);
      assert.equal(res.body.error.code, 'INSUFFICIENT_PERMISSIONS', query);
    }
    // Elsewhere an empty ?permission= on the address does not cancel the operator's header either.
    assert.equal((await forwardAuth(node, operator, '?permission=', '/v1/auth/nginx')).status, 403);
    // Both sources count: a header and a query that each name a permission must both hold.
    assert.equal((await forwardAuth(node, { 'x-api-key': reader.key, 'x-keygate-permission': 'read' }, '?permission=trade', '/v1/auth/nginx')).status, 403);
    assert.equal((await forwardAuth(node, { 'x-api-key': reader.key, 'x-keygate-permission': 'read' }, '?permission=read', '/v1/auth/nginx')).status, 200);
  });

  it("an nginx or Traefik pointed at a near miss of its address (/v1/auth/nginx/, /v1/auth/) fails closed, never dropping the operator's ?permission=", async () => {
    const reader = await seedKey(node, node.admin.token, { permissions: ['read'] });
    // Each near miss falls under Envoy's older prefix /v1/auth/*, whose query is the client's and never names a permission.
    const nginx = { 'x-api-key': reader.key, 'x-original-uri': '/api/orders', 'x-original-method': 'POST' };
    const traefik = { 'x-api-key': reader.key, 'x-forwarded-uri': '/api/orders', 'x-forwarded-method': 'POST' };
    for (const [headers, path] of [
      [nginx, '/v1/auth/nginx/'],
      [nginx, '/v1/auth/'],
      [nginx, '/v1/auth//nginx'],
      [traefik, '/v1/auth/traefik/'],
      [traefik, '/v1/auth/Traefik'],
      [traefik, '/v1/auth/envoy'],
    ] as const) {
      const res = await forwardAuth(node, headers, '?permission=trade', path);
      assert.equal(res.status, 400, `${path}: ${res.headers.get('x-keygate-reason')}`);
      assert.equal(res.body.error.code, 'BAD_REQUEST', path);
    }
    // The exact addresses still hold the requirement, and Envoy, which sends neither header, is unchanged.
    assert.equal((await forwardAuth(node, nginx, '?permission=trade', '/v1/auth/nginx')).status, 403);
    assert.equal((await forwardAuth(node, traefik, '?permission=trade', '/v1/auth/traefik')).status, 403);
    assert.equal((await forwardAuth(node, { 'x-api-key': reader.key }, '', '/v1/auth/envoy/api/orders')).status, 200);
  });

  it("a parameter the address does not take (?permissions=, ?Permission=) is refused, not ignored with the operator's requirement", async () => {
    const reader = await seedKey(node, node.admin.token, { permissions: ['read'] });
    const proxies = [
      ['/v1/auth/nginx', { 'x-api-key': reader.key, 'x-original-uri': '/api/orders', 'x-original-method': 'POST' }],
      ['/v1/auth/traefik', { 'x-api-key': reader.key, 'x-forwarded-uri': '/api/orders', 'x-forwarded-method': 'POST' }],
      ['/v1/auth', { 'x-api-key': reader.key, 'x-original-uri': '/api/orders', 'x-original-method': 'POST' }],
    ] as const;
    for (const [path, headers] of proxies) {
      for (const query of ['?permissions=trade', '?Permission=trade', '?permission%5B%5D=trade', '?permission=read&perm=trade']) {
        const res = await forwardAuth(node, headers, query, path);
        assert.equal(res.status, 400, `${path}${query}`);
        assert.equal(res.body.error.code, 'BAD_REQUEST', `${path}${query}`);
      }
      assert.equal((await forwardAuth(node, headers, '?permission=read&body=json', path)).status, 200, path);
    }
  });

  it('Envoy: the original URL is verified exactly as sent, query included and percent-encoding kept', async () => {
    const target = '/api/orders%2F7/fills?symbol=BTC%2DUSD&side=buy';
    const signed = signHmac(pair.publicKey, pair.privateKey, 'DELETE', target);
    const response = await fetch(`${node.url}/v1/auth/envoy${target}`, { method: 'DELETE', headers: signed.headers });
    assert.equal(response.status, 200, response.headers.get('x-keygate-reason') ?? '');
    // The older path_prefix /v1/auth keeps Envoy's rules too.
    const again = signHmac(pair.publicKey, pair.privateKey, 'DELETE', target);
    assert.equal((await fetch(`${node.url}/v1/auth${target}`, { method: 'DELETE', headers: again.headers })).status, 200);
    // The same signature does not cover the decoded path or the path without its query.
    for (const other of ['/api/orders/7/fills?symbol=BTC-USD&side=buy', '/api/orders%2F7/fills']) {
      const replayFree = signHmac(pair.publicKey, pair.privateKey, 'DELETE', target);
      const res = await fetch(`${node.url}/v1/auth/envoy${other}`, { method: 'DELETE', headers: replayFree.headers });
      assert.equal(res.status, 401, other);
    }
  });

  it('refusals carry the verdict in X-Keygate-Code and a short reason, no body; 401 asks for a key', async () => {
    const res = await forwardAuth(node, { 'x-api-key': 'dsk_' + '1'.repeat(64) }, '', '/v1/auth/nginx');
    assert.equal(res.status, 401);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('content-length'), '0');
    assert.equal(res.headers.get('x-keygate-code'), 'NOT_FOUND');
    assert.equal(res.headers.get('x-keygate-reason'), 'unknown API key');
    assert.match(res.headers.get('www-authenticate') ?? '', /ApiKey/);
  });
});

describe('forward-auth settings', () => {
  it('forwardAuth.proxy: traefik makes /v1/auth read Traefik\'s headers; forwardAuth.identityHeaders chooses the identity headers', async () => {
    const node = await startNode({ config: { forwardAuth: { proxy: 'traefik', identityHeaders: ['X-Keygate-Key-Id', 'X-Keygate-Permissions'] } } });
    try {
      const key = await seedKey(node, node.admin.token, { permissions: ['read'] });
      const res = await forwardAuth(node, { 'x-api-key': key.key, 'x-forwarded-uri': '/api/x', 'x-forwarded-method': 'GET' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-keygate-key-id'), key.id);
      assert.equal(res.headers.get('x-keygate-permissions'), 'read');
      assert.equal(res.headers.get('x-keygate-user-id'), null, 'only the chosen identity headers are sent');
      assert.equal(res.headers.get('x-keygate-tier'), null);
      assert.equal((await forwardAuth(node, { 'x-api-key': key.key, 'x-original-uri': '/api/x' })).status, 400, 'nginx headers at a Traefik address fail closed');
    } finally {
      await node.stop();
    }
  });

  it('forward-auth and the verify API run no cookie or console session hook', async () => {
    const node = await startNode();
    try {
      const routes = node.keygate.http.printRoutes({ includeHooks: true, commonPrefix: false }).split('\n');
      // A route's hooks are the "•" lines right under it in Fastify's route tree.
      const hooksOf = (label: string) => {
        const at = routes.findIndex((line) => line.includes(label));
        assert.notEqual(at, -1, `${label} is in:\n${routes.join('\n')}`);
        const hooks: string[] = [];
        for (const line of routes.slice(at + 1)) {
          if (!line.includes('•')) break;
          hooks.push(line);
        }
        return hooks.join('\n');
      };
      for (const label of ['v1/auth (GET', '/nginx (GET', '/traefik (GET', '/envoy (GET', '/verify (POST)']) assert.equal(hooksOf(label), '', label);
      assert.match(hooksOf('v1/keys (POST'), /fastifyCookieHandler/, 'management routes do parse cookies');
    } finally {
      await node.stop();
    }
  });
});
