// Forward-auth calls without a body are answered by a node:http fast path ahead of Fastify
// (src/http/forward-auth/forward-auth-fast-path.ts). These tests hold it to the Fastify routes it
// stands in for: the same request gets the same answer either way, and whatever the fast path does
// not take (bodies, near-miss addresses, a closing server) reaches Fastify.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import dns from 'node:dns';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import pino from 'pino';
import { BackendHealth } from '../../src/core/backend-health.ts';
import type { ForwardAuthResult } from '../../src/http/forward-auth/forward-auth-answer.ts';
import { forwardAuthAddresses, type ForwardAuthCheck } from '../../src/http/forward-auth/forward-auth-check.ts';
import { ForwardAuthFastPath } from '../../src/http/forward-auth/forward-auth-fast-path.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { seedKey } from '../support/seed.ts';

/** Headers that differ between two answers for reasons other than the answer (time, connection). */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function answerHeaders(entries: Iterable<[string, string | string[] | number | undefined]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) if (!TRANSPORT_HEADERS.has(name.toLowerCase()) && value !== undefined) headers[name.toLowerCase()] = String(value);
  return headers;
}

describe('forward-auth fast path', () => {
  let node: TestNode;
  let valid: string;
  let fenced: string;
  let fastAnswers = 0;
  before(async () => {
    // Counts the calls the fast path took, so each case proves which front end answered it.
    const handle = ForwardAuthFastPath.prototype.handle;
    mock.method(ForwardAuthFastPath.prototype, 'handle', function (this: ForwardAuthFastPath, request: IncomingMessage, response: ServerResponse) {
      const taken = handle.call(this, request, response);
      if (taken) fastAnswers += 1;
      return taken;
    });
    node = await startNode();
    valid = (await seedKey(node, node.member.token, { permissions: ['read'] })).key;
    fenced = (await seedKey(node, node.member.token, { permissions: ['read'], ipAllowlist: ['10.0.0.0/8'] })).key;
  });
  after(async () => {
    mock.restoreAll();
    await node.stop();
  });

  /** The same request over the network (fast path) and through inject() (Fastify's route). */
  async function bothWays(method: string, path: string, headers: Record<string, string>): Promise<{ fast: Answer; fastify: Answer }> {
    const before = fastAnswers;
    const response = await fetch(`${node.url}${path}`, { method, headers });
    const fast = { status: response.status, headers: answerHeaders([...(response.headers as unknown as Iterable<[string, string]>)]), body: await response.text() };
    assert.equal(fastAnswers, before + 1, `${method} ${path} was answered by the fast path`);
    const injected = await node.keygate.http.inject({ method: method as 'GET', url: path, headers });
    const fastify = { status: injected.statusCode, headers: answerHeaders(Object.entries(injected.headers)), body: injected.body };
    assert.equal(fastAnswers, before + 1, 'inject() went through Fastify');
    return { fast, fastify };
  }

  const nginx = (uri: string, extra: Record<string, string> = {}) => ({ 'x-original-uri': uri, 'x-original-method': 'GET', ...extra });

  const cases: Array<[string, string, string, () => Record<string, string>, number]> = [
    ['a valid key', 'GET', '/v1/auth/nginx', () => nginx('/api/orders', { authorization: `Bearer ${valid}` }), 200],
    ['a valid key, JSON opt-in', 'GET', '/v1/auth/nginx?body=json', () => nginx('/api/orders', { 'x-api-key': valid }), 200],
    ['an unknown key', 'GET', '/v1/auth', () => ({ authorization: `Bearer dsk_${'0'.repeat(64)}` }), 401],
    ['an unknown key, JSON opt-in', 'GET', '/v1/auth?body=json', () => ({ authorization: `Bearer dsk_${'1'.repeat(64)}` }), 401],
    ['no key', 'GET', '/v1/auth/traefik', () => ({ 'x-forwarded-uri': '/api', 'x-forwarded-method': 'GET' }), 401],
    ['a permission the key lacks', 'GET', '/v1/auth/nginx?permission=read&permission=trade', () => nginx('/api', { 'x-api-key': valid }), 403],
    ['a permission by header and a comma list', 'GET', '/v1/auth/nginx?permission=read%2Cinfo', () => nginx('/api', { 'x-api-key': valid, 'x-keygate-permission': 'read' }), 403],
    ['a typo in the address', 'GET', '/v1/auth/nginx?permissions=trade', () => nginx('/api', { 'x-api-key': valid }), 400],
    ["Traefik's headers at the generic address", 'GET', '/v1/auth', () => ({ 'x-forwarded-uri': '/api', 'x-api-key': valid }), 400],
    ["nginx's headers at Envoy's address, JSON", 'GET', '/v1/auth/envoy', () => ({ 'x-original-uri': '/api', 'x-keygate-body': 'json' }), 400],
    ['HEAD', 'HEAD', '/v1/auth', () => ({ 'x-api-key': valid }), 200],
    ['POST without a body', 'POST', '/v1/auth/nginx', () => nginx('/api', { 'x-api-key': valid }), 200],
    ['the key in the query', 'GET', '/v1/auth/nginx', () => nginx(`/api?api_key=${valid}`), 200],
    // The client address from X-Forwarded-For (the peer is a trusted loopback proxy): the refusal names
    // it, so both front ends must read a tab after the comma alike.
    ['an address outside the allowlist, read past a tab', 'GET', '/v1/auth/traefik', () => ({ 'x-forwarded-uri': '/api', 'x-forwarded-for': '9.9.9.9,\t1.1.1.1', 'x-api-key': fenced }), 403],
  ];
  for (const [name, method, path, headers, status] of cases) {
    it(`answers ${name} (${status}) exactly as the Fastify route does`, async () => {
      const { fast, fastify } = await bothWays(method, path, headers());
      assert.equal(fast.status, status, JSON.stringify(fast));
      assert.deepEqual(fast, fastify);
    });
  }

  it('leaves calls with a body and near-miss addresses to Fastify, which gives the same refusals', async () => {
    const before = fastAnswers;
    const withBody = await fetch(`${node.url}/v1/auth/nginx`, { method: 'POST', headers: nginx('/api', { 'x-api-key': valid }), body: 'x=1' });
    assert.equal(withBody.status, 200);
    assert.equal(withBody.headers.get('x-keygate-code'), 'VALID');
    const nearMiss = await fetch(`${node.url}/v1/auth/nginx/?permission=trade`, { headers: nginx('/api', { 'x-api-key': valid }) });
    assert.equal(nearMiss.status, 400, 'a near miss of the nginx address fails closed');
    const encoded = await fetch(`${node.url}/v1/%61uth/nginx?permission=trade`, { headers: nginx('/api', { 'x-api-key': valid }) });
    assert.equal(encoded.status, 403, 'a percent-encoded address is routed by Fastify to the same check');
    const unknownMethod = await fetch(`${node.url}/v1/auth`, { method: 'PROPFIND', headers: { 'x-api-key': valid } });
    assert.equal(unknownMethod.status, 404);
    const typed = await fetch(`${node.url}/v1/auth/nginx`, { method: 'POST', headers: nginx('/api', { 'x-api-key': valid, 'content-type': ';;;', 'content-length': '0' }) });
    assert.equal(typed.status, 415, "a content type Fastify cannot read is Fastify's to refuse");
    assert.equal(fastAnswers, before, 'none of these was taken by the fast path');
  });
});

describe('forward-auth fast path and the addresses Keygate listens on', () => {
  it('leaves Fastify listening on every address localhost resolves to', async () => {
    // As on hosts whose localhost is ::1 and 127.0.0.1: Fastify then listens on both.
    const lookup = dns.lookup;
    mock.method(dns, 'lookup', (host: string, options: unknown, callback: (...args: unknown[]) => void) => {
      if (host === 'localhost' && typeof options === 'object' && (options as { all?: boolean }).all) return callback(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]);
      return (lookup as (...args: unknown[]) => void)(host, options, callback);
    });
    const node = await startNode({ config: { host: 'localhost' } });
    try {
      const port = Number(new URL(node.url).port);
      for (const host of ['127.0.0.1', '::1']) {
        const connects = await new Promise<boolean>((resolve) => {
          const socket = connect({ host, port }, () => (socket.destroy(), resolve(true)));
          socket.on('error', () => resolve(false));
        });
        assert.ok(connects, `Keygate answers on ${host}`);
      }
    } finally {
      mock.restoreAll();
      await node.stop();
    }
  });
});

/** Sends `request` as written and reads the whole answer as text (a client would hide a repeated header). */
function rawAnswer(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(request));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('forward-auth fast path on its own', () => {
  async function serve(check: ForwardAuthCheck, store?: BackendHealth) {
    const fastPath = new ForwardAuthFastPath({ addresses: forwardAuthAddresses('nginx'), check, proxyTrust: () => true, logger: pino({ level: 'silent' }), store });
    let fallbacks = 0;
    const server = createServer((request, response) => {
      if (fastPath.handle(request, response)) return;
      fallbacks += 1;
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { fastPath, url, fallbacks: () => fallbacks, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('answers a store failure with a 503 UNAVAILABLE and a retry hint, reported to the store health once', async () => {
    const lines: string[] = [];
    const health = new BackendHealth('store', 'PostgreSQL', { warn: (_f, message) => lines.push(message), info: (_f, message) => lines.push(message) });
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    // Rejected, or thrown in the same tick (a check that answers synchronously when it can).
    const failures: ForwardAuthCheck[] = [async () => Promise.reject(down), () => { throw down; }, async () => Promise.reject(down)];
    let next = 0;
    const server = await serve((...args) => failures[next++](...args), health);
    try {
      for (let i = 0; i < failures.length; i += 1) {
        const response = await fetch(`${server.url}/v1/auth`, { headers: { 'x-api-key': 'dsk_x' } });
        assert.equal(response.status, 503);
        assert.equal(response.headers.get('retry-after'), '2');
        assert.equal((await response.json()).error.code, 'UNAVAILABLE');
      }
      assert.deepEqual(lines, ['PostgreSQL is unavailable; working without it until it answers again']);
    } finally {
      await server.close();
    }
  });

  it('answers a 500 and stays up when an answer cannot be written or a check fails without an error object', async () => {
    const checks: ForwardAuthCheck[] = [
      async () => ({ status: 200, headers: ['x-keygate-user-id', 'snow\u2603man'] }),
      () => ({ status: 200, headers: ['x-keygate-user-id', 'snow\u2603man'] }),
      async () => Promise.reject(null),
      () => {
        throw null;
      },
    ];
    let next = 0;
    // Not wrapped in an async function: the same-tick cases must reach the fast path as they are.
    const server = await serve((...args) => checks[next++](...args));
    try {
      for (let i = 0; i < checks.length; i += 1) {
        const response = await fetch(`${server.url}/v1/auth`);
        assert.equal(response.status, 500);
        assert.equal((await response.json()).error.code, 'INTERNAL');
      }
    } finally {
      await server.close();
    }
  });

  it('writes the length on a copy: an answer handed to many requests is sent the same each time', async () => {
    const shared: ForwardAuthResult = { status: 200, headers: ['x-keygate-code', 'VALID'] };
    const server = await serve(() => shared);
    try {
      for (let i = 0; i < 3; i += 1) {
        const raw = await rawAnswer(server.url, 'GET /v1/auth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.equal(raw.match(/^content-length: 0$/gim)?.length, 1, raw);
      }
      assert.deepEqual(shared.headers, ['x-keygate-code', 'VALID']);
    } finally {
      await server.close();
    }
  });

  it('hands every request to the framework once closed, and parses the query with the shared parser', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const server = await serve(async (_address, call) => {
      seen.push({ ...call.query });
      return { status: 200, headers: ['x-keygate-code', 'VALID'] };
    });
    try {
      const open = await fetch(`${server.url}/v1/auth/nginx?permission=a&permission=b+c&body=%6Ason`);
      assert.equal(open.status, 200);
      assert.deepEqual(seen, [{ permission: ['a', 'b c'], body: 'json' }]);
      server.fastPath.close();
      const closed = await fetch(`${server.url}/v1/auth/nginx`);
      assert.equal(closed.status, 404);
      assert.equal(server.fallbacks(), 1);
    } finally {
      await server.close();
    }
  });
});
