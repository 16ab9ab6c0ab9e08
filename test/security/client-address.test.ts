import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { compileProxyTrust } from '../../src/config/proxy-trust.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { forwardAuth, seedKey } from '../support/seed.ts';
import { clearOfWindowEdge } from '../support/wait-for.ts';

// A client chooses what it writes into X-Forwarded-For and X-Real-IP. Keygate believes them only from
// a trusted proxy (by default: this machine's loopback), and takes the address from the right of the
// chain up to the first untrusted hop, the same way for HTTP routes, forward-auth and WebSockets.

/** This machine's first non-loopback IPv4 address: connecting to it makes the test a direct, untrusted client. */
function externalAddress(): string | null {
  for (const info of Object.values(networkInterfaces()).flat()) if (info && info.family === 'IPv4' && !info.internal) return info.address;
  return null;
}

/** The HTTP status of a spec 002 feed handshake (101 when accepted). */
function feedHandshake(node: TestNode, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

describe('the trustProxy setting', () => {
  it('trusts loopback proxies by default', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.trustProxy, 'loopback');
    const trust = compileProxyTrust(config.trustProxy);
    assert.equal(trust('127.0.0.1', 0), true);
    assert.equal(trust('::1', 0), true);
    assert.equal(trust('192.0.2.10', 0), false);
  });

  it('takes addresses, ranges and range names as a list, a comma-separated string or a JSON array', () => {
    for (const value of ['10.0.0.5, 10.1.0.0/16', '["10.0.0.5","10.1.0.0/16"]']) {
      const trust = compileProxyTrust(loadConfig({ env: { KEYGATE_TRUST_PROXY: value } }).trustProxy);
      assert.equal(trust('10.1.2.3', 0), true, value);
      assert.equal(trust('10.0.0.6', 0), false, value);
    }
    assert.equal(compileProxyTrust(['uniquelocal'])('192.168.1.1', 0), true);
    assert.equal(compileProxyTrust(false)('127.0.0.1', 0), false);
  });

  it('refuses a value that names no valid proxy with an error naming the setting', () => {
    for (const value of ['my-proxy.internal', '10.0.0.0/40', '10.0.0.1,,10.0.0.2', '300.1.1.1']) {
      assert.throws(() => loadConfig({ env: { KEYGATE_TRUST_PROXY: value } }), (error: Error) => error instanceof ConfigError && /^invalid setting trustProxy: /.test(error.message), value);
    }
    assert.throws(() => loadConfig({ env: {}, overrides: { trustProxy: [] } }), /invalid setting trustProxy: names no proxy/);
  });
});

describe('behind a trusted proxy (the test talks to Keygate over loopback)', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());

  it("a client-written leftmost X-Forwarded-For entry never becomes the address: the proxy's own entry does", async () => {
    // What a proxy that appends (Traefik, nginx with $proxy_add_x_forwarded_for) sends for client 203.0.113.9 that wrote "10.1.2.3".
    const chain = { 'x-forwarded-for': '10.1.2.3, 203.0.113.9' };
    const forged = await seedKey(node, node.admin.token, { ipAllowlist: ['10.0.0.0/8'] });
    const real = await seedKey(node, node.admin.token, { ipAllowlist: ['203.0.113.9'] });
    for (const path of ['/v1/auth/traefik', '/v1/auth/envoy/x', '/v1/auth']) {
      assert.equal((await forwardAuth(node, { 'x-api-key': forged.key, ...chain }, '', path)).status, 403, path);
      assert.equal((await forwardAuth(node, { 'x-api-key': real.key, ...chain }, '', path)).status, 200, path);
    }
    // WebSocket handshakes walk the chain the same way (one compiled setting).
    assert.equal(await feedHandshake(node, { 'x-api-key': forged.key, ...chain }), 403);
    assert.equal(await feedHandshake(node, { 'x-api-key': real.key, ...chain }), 101);
    // And the audit log records the real address.
    const created = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'audited' }, headers: chain });
    const entry = (await node.keygate.store.audit.list({ keyId: created.body.id })).find((e) => e.action === 'key.create');
    assert.equal(entry?.ip, '203.0.113.9');
  });
});

const external = externalAddress();

describe('a client that reaches Keygate directly (not from a trusted proxy)', { skip: external ? false : 'this machine has no non-loopback IPv4 address to connect from' }, () => {
  let node: TestNode;
  before(async () => {
    // Listening on the machine's own network address: the test connects from it, an untrusted peer under the defaults.
    node = await startNode({ config: { host: external! } });
  });
  after(async () => node.stop());

  it('cannot choose its address with X-Real-IP or X-Forwarded-For, on any forward-auth path, the WebSocket handshake or the management API', async () => {
    const fenced = await seedKey(node, node.admin.token, { ipAllowlist: ['10.0.0.0/8'] });
    const claims: Array<Record<string, string>> = [{ 'x-real-ip': '10.1.2.3' }, { 'x-forwarded-for': '10.1.2.3' }, { 'x-forwarded-for': '10.1.2.3', 'x-real-ip': '10.1.2.3' }];
    for (const path of ['/v1/auth', '/v1/auth/nginx', '/v1/auth/traefik', '/v1/auth/envoy/api']) {
      for (const claim of claims) {
        const res = await forwardAuth(node, { 'x-api-key': fenced.key, ...claim }, '', path);
        assert.equal(res.status, 403, `${path} ${JSON.stringify(claim)}`);
        assert.equal(res.body.error.code, 'IP_NOT_ALLOWED');
      }
    }
    assert.equal(await feedHandshake(node, { 'x-api-key': fenced.key, 'x-forwarded-for': '10.1.2.3' }), 403);
    const itself = await seedKey(node, node.admin.token, { ipAllowlist: [external!] });
    assert.equal((await forwardAuth(node, { 'x-api-key': itself.key, 'x-real-ip': '10.1.2.3' })).status, 200, 'its real address is what counts');
    const created = await node.request('POST', '/v1/keys', { token: node.admin.token, body: { name: 'audited' }, headers: { 'x-forwarded-for': '10.1.2.3' } });
    const entry = (await node.keygate.store.audit.list({ keyId: created.body.id })).find((e) => e.action === 'key.create');
    assert.equal(entry?.ip, external);
  });

  it('cannot dodge the per-address failure throttle by rotating X-Forwarded-For or X-Real-IP (150 guesses: 429 after the budget)', async () => {
    await clearOfWindowEdge(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const spoofed = `198.51.100.${i % 250}`;
      const res = await forwardAuth(node, { 'x-api-key': 'dsk_' + randomBytes(32).toString('hex'), 'x-forwarded-for': spoofed, 'x-real-ip': spoofed });
      statuses.push(res.status);
    }
    const limit = node.keygate.config.verify.failuresPerMinutePerIp;
    assert.equal(statuses.filter((s) => s === 401).length, limit, 'the budget, then no more guesses');
    assert.equal(statuses.filter((s) => s === 429).length, 150 - limit);
  });
});
