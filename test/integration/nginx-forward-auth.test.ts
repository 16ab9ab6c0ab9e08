import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startNode, type TestNode } from '../support/harness.ts';
import { seedKey } from '../support/seed.ts';
import { signHmac } from '../support/signers.ts';
import { waitFor, clearOfWindowEdge } from '../support/wait-for.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The nginx snippet exactly as README.md shows it: the ```nginx block after `<!-- nginx-forward-auth -->`. */
function readmeNginxSnippet(): string {
  const readme = readFileSync(README, 'utf8');
  const match = /<!-- nginx-forward-auth -->\s*```nginx\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no ```nginx block after <!-- nginx-forward-auth -->');
  return match[1];
}

function findNginx(): string | null {
  for (const candidate of ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const nginx = findNginx();

describe('nginx auth_request in front of Keygate, with the README snippet', { skip: nginx ? false : 'nginx is not installed (apt-get install -y nginx); skipping the real-nginx test' }, () => {
  let node: TestNode;
  let upstream: Server;
  let proxy: ChildProcess;
  let prefix: string;
  let base: string;
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  /** Every TCP connection nginx opened to Keygate. */
  const keygateConnections = new Set<Socket>();

  before(async () => {
    node = await startNode();
    node.keygate.http.server.on('connection', (socket: Socket) => keygateConnections.add(socket));
    // The protected API: echoes what nginx forwarded, so the test can see the identity headers.
    upstream = createServer((request, response) => {
      seen.push(request.headers);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ path: request.url, keyId: request.headers['x-keygate-key-id'] ?? null }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const keygatePort = new URL(node.url).port;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;

    // The README speaks of Keygate on 127.0.0.1:8080, the API on 127.0.0.1:3000 and port 80; point them at this test's.
    const snippet = readmeNginxSnippet()
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${keygatePort}`)
      .replaceAll('127.0.0.1:3000', `127.0.0.1:${upstreamPort}`)
      .replace(/listen 80;/, `listen 127.0.0.1:${port};`);
    assert.notEqual(snippet.indexOf(`listen 127.0.0.1:${port};`), -1, 'the snippet has a server block listening on port 80');
    prefix = mkdtempSync(join(tmpdir(), 'keygate-nginx-'));
    for (const dir of ['logs', 'client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
    const conf = [
      'daemon off;',
      'master_process off;',
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${join(prefix, 'logs', 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${join(prefix, 'logs', 'access.log')};`,
      `  client_body_temp_path ${join(prefix, 'client_body')};`,
      `  proxy_temp_path ${join(prefix, 'proxy')};`,
      `  fastcgi_temp_path ${join(prefix, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(prefix, 'uwsgi')};`,
      `  scgi_temp_path ${join(prefix, 'scgi')};`,
      snippet,
      '}',
    ].join('\n');
    writeFileSync(join(prefix, 'nginx.conf'), conf);
    proxy = spawn(nginx!, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proxy.stderr!.on('data', (chunk) => (stderr += chunk));
    // nginx announces nothing when it is ready: poll until it answers, and give up at once if it exited.
    await waitFor(async () => {
      if (proxy.exitCode !== null) throw new Error(`nginx exited with code ${proxy.exitCode}`);
      return fetch(base + '/api/ping').then(() => true, () => false);
    }, 'nginx to answer', 10_000).catch((error: Error) => {
      throw new Error(`nginx did not start (${error.message}): ${stderr}\n${conf}`);
    });
  });

  after(async () => {
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((resolve) => proxy.once('exit', resolve));
      proxy.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => upstream?.close(resolve));
    await node?.stop();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  it('lets a valid key through with the identity headers and keeps the key from the upstream', async () => {
    const key = await seedKey(node, node.member.token, { permissions: ['read', 'trade'], allowedExchanges: ['binance'] });
    const response = await fetch(`${base}/api/orders?limit=5`, { headers: { 'x-api-key': key.key } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { path: '/api/orders?limit=5', keyId: key.id });
    const forwarded = seen.at(-1)!;
    assert.equal(forwarded['x-keygate-user-id'], node.member.user.id);
    assert.equal(forwarded['x-keygate-organization-id'], node.organizationId);
    assert.equal(forwarded['x-keygate-scheme'], 'opaque');
    assert.equal(forwarded['x-keygate-permissions'], 'read,trade');
    assert.equal(forwarded['x-keygate-tier'], 'basic');
    assert.equal(forwarded['x-keygate-allowed-exchanges'], 'binance');
    assert.equal(forwarded['x-api-key'], undefined, 'the upstream never sees the key');
  });

  it("never lets a client's own X-Keygate-* or credential headers reach the API", async () => {
    const key = await seedKey(node, node.member.token, { permissions: ['read'] });
    const forged = {
      'x-keygate-key-id': 'forged',
      'x-keygate-user-id': 'forged',
      'x-keygate-organization-id': 'forged-org',
      'x-keygate-scheme': 'forged',
      'x-keygate-permissions': 'read,trade,write::transfer',
      'x-keygate-tier': 'enterprise',
      'x-keygate-allowed-exchanges': '*',
      'x-keygate-code': 'VALID',
      'x-keygate-reason': 'forged',
      'x-keygate-permission': 'read',
      'x-keygate-body': 'json',
      'x-keygate-server-token': 'forged',
    };
    assert.equal((await fetch(`${base}/api/a`, { headers: { 'x-api-key': key.key, ...forged } })).status, 200);
    const forwarded = seen.at(-1)!;
    assert.equal(forwarded['x-keygate-key-id'], key.id);
    assert.equal(forwarded['x-keygate-user-id'], node.member.user.id);
    assert.equal(forwarded['x-keygate-organization-id'], node.organizationId);
    assert.equal(forwarded['x-keygate-scheme'], 'opaque');
    assert.equal(forwarded['x-keygate-permissions'], 'read');
    assert.equal(forwarded['x-keygate-tier'], 'basic');
    assert.equal(forwarded['x-keygate-allowed-exchanges'], '*');
    for (const name of ['x-keygate-code', 'x-keygate-reason', 'x-keygate-permission', 'x-keygate-body', 'x-keygate-server-token']) {
      assert.equal(forwarded[name], undefined, name);
    }

    // A signed request: the signature headers of every scheme stay at nginx too.
    const user = await node.addUser();
    const pair = (await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'bot', isInfo: true, isTrade: true, IpWhiteList: [] } })).body;
    const signed = signHmac(pair.publicKey, pair.privateKey, 'GET', '/api/balance?asset=BTC');
    const credentials = {
      ...signed.headers,
      authorization: 'Bearer x',
      'kalshi-access-key': 'k',
      'kalshi-access-timestamp': '1',
      'kalshi-access-signature': 's',
      'x-timestamp': '1',
      'x-signature': 's',
    };
    const response = await fetch(`${base}/api/balance?asset=BTC`, { headers: credentials });
    assert.equal(response.status, 200);
    const signedForwarded = seen.at(-1)!;
    assert.equal(signedForwarded['x-keygate-scheme'], 'hmac');
    for (const name of ['authorization', 'x-api-key', 'api-key', 'api-timestamp', 'api-signature', 'kalshi-access-key', 'kalshi-access-timestamp', 'kalshi-access-signature', 'x-timestamp', 'x-signature']) {
      assert.equal(signedForwarded[name], undefined, name);
    }
  });

  it('reuses its connections to Keygate (keep-alive): far fewer connections than checks', async () => {
    const key = await seedKey(node, node.member.token);
    const before = keygateConnections.size;
    for (let i = 0; i < 60; i++) assert.equal((await fetch(`${base}/api/k${i}`, { headers: { 'x-api-key': key.key } })).status, 200);
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`${base}/api/k${i}`, { headers: { 'x-api-key': 'dsk_' + '2'.repeat(64) } })).status, 401);
    const opened = keygateConnections.size - before;
    assert.ok(opened <= 4, `nginx opened ${opened} connections to Keygate for 80 checks`);
  });

  it('accepts Authorization: Bearer and the api_key query parameter too', async () => {
    const key = await seedKey(node, node.member.token);
    assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: `Bearer ${key.key}` } })).status, 200);
    assert.equal((await fetch(`${base}/api/x?api_key=${key.key}`)).status, 200);
  });

  it('answers 401 without a key or with an unknown one', async () => {
    const before = seen.length;
    assert.equal((await fetch(`${base}/api/orders`)).status, 401);
    assert.equal((await fetch(`${base}/api/orders`, { headers: { 'x-api-key': 'dsk_' + '0'.repeat(64) } })).status, 401);
    assert.equal((await fetch(`${base}/api/orders`, { headers: { 'x-api-key': 'dsk_malformed' } })).status, 401);
    assert.equal(seen.length, before, 'refused requests never reach the upstream');
  });

  it('answers 403 for a revoked key and for a client outside the key allowlist', async () => {
    const revoked = await seedKey(node, node.member.token);
    assert.equal((await node.request('POST', `/v1/keys/${revoked.id}/revoke`, { token: node.admin.token })).status, 200);
    assert.equal((await fetch(`${base}/api/orders`, { headers: { 'x-api-key': revoked.key } })).status, 403);
    const fenced = await seedKey(node, node.member.token, { ipAllowlist: ['10.0.0.0/8'] });
    assert.equal((await fetch(`${base}/api/orders`, { headers: { 'x-api-key': fenced.key } })).status, 403, 'nginx reports the client as 127.0.0.1');
    // A client's own X-Real-IP or X-Forwarded-For cannot claim an allowlisted address: nginx replaces both.
    const claim = { 'x-real-ip': '10.1.2.3', 'x-forwarded-for': '10.1.2.3' };
    assert.equal((await fetch(`${base}/api/orders`, { headers: { 'x-api-key': fenced.key, ...claim } })).status, 403);
    const local = await seedKey(node, node.member.token, { ipAllowlist: ['127.0.0.1'] });
    assert.equal((await fetch(`${base}/api/orders`, { headers: { 'x-api-key': local.key } })).status, 200);
  });

  // Last: it spends this address's failure budget for the minute.
  it('the failure throttle counts the client nginx reports, however it rotates X-Forwarded-For or X-Real-IP', async () => {
    const before = seen.length;
    // 150 guesses through nginx take about a second: all within one of the throttle's minutes.
    await clearOfWindowEdge(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const spoofed = `198.51.100.${i % 250}`;
      const response = await fetch(`${base}/api/guess`, { headers: { 'x-api-key': 'dsk_' + randomBytes(32).toString('hex'), 'x-forwarded-for': spoofed, 'x-real-ip': spoofed } });
      statuses.push(response.status);
    }
    const limit = node.keygate.config.verify.failuresPerMinutePerIp;
    assert.ok(statuses.filter((s) => s === 401).length <= limit, `at most the budget is answered 401: ${statuses.join(',')}`);
    // nginx's auth_request turns Keygate's 429 into a 500; either way the guesses stop.
    assert.ok(statuses.slice(-(150 - limit)).every((s) => s === 500), `then every guess is refused unseen: ${statuses.join(',')}`);
    assert.equal(seen.length, before, 'no guess reached the API');
  });
});
