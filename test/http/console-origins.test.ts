import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { startNode, type TestNode } from '../support/harness.ts';

// The EIP-4361 domain a wallet sign-in must name comes from configuration (console.origins,
// publicUrl) or the address the node listens on, never from the request's Host header: a site that
// has its visitor sign in to it, then relays the signature with `Host: <its domain>`, must fail.

/** POSTs JSON with an explicit Host header (fetch does not let a caller choose Host). */
function postWithHost(url: string, path: string, host: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = httpRequest(url + path, { method: 'POST', headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const wallet = privateKeyToAccount(generatePrivateKey());

async function signedMessage(node: TestNode, domain: string, uri: string): Promise<{ message: string; signature: string }> {
  const nonce = (await node.request('POST', '/v1/console/siwe/nonce')).body.nonce;
  const message = createSiweMessage({ domain, address: wallet.address, statement: 'Sign in.', uri, version: '1', chainId: 1, nonce, issuedAt: new Date() });
  return { message, signature: await wallet.signMessage({ message }) };
}

describe('console sign-in origins derived from the listening address (none configured)', () => {
  let node: TestNode;
  let host: string;
  before(async () => {
    node = await startNode();
    await node.addUser({ role: 'admin', name: 'wallet-admin', wallets: [wallet.address] });
    host = new URL(node.url).host;
  });
  after(async () => node.stop());

  it('the nonce names the domain Keygate expects, whatever Host the request carries', async () => {
    const issued = await postWithHost(node.url, '/v1/console/siwe/nonce', 'evil.example', {});
    assert.equal(issued.status, 200);
    assert.equal(issued.body.domain, host);
    const port = new URL(node.url).port;
    assert.deepEqual([...issued.body.domains].sort(), [`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`].sort());
    assert.deepEqual(node.keygate.consoleOrigins.configured, false);
  });

  it('a signature made for another site and relayed with its Host header is refused', async () => {
    const relayed = await signedMessage(node, 'evil.example', 'https://evil.example/');
    const response = await postWithHost(node.url, '/v1/console/siwe', 'evil.example', relayed);
    assert.equal(response.status, 401);
    assert.match(response.body.error.message, /another site than this console/);
  });

  it('the uri must be an accepted origin too, with the same host as the domain', async () => {
    for (const uri of ['https://evil.example/', `https://${host}/`, `http://localhost:${new URL(node.url).port}/`]) {
      const response = await node.request('POST', '/v1/console/siwe', { body: await signedMessage(node, host, uri) });
      assert.equal(response.status, 401, uri);
    }
  });

  it('accepts the loopback forms of the address it listens on', async () => {
    const port = new URL(node.url).port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const response = await node.request('POST', '/v1/console/siwe', { body: await signedMessage(node, new URL(origin).host, `${origin}/`) });
      assert.equal(response.status, 200, origin);
    }
  });
});

describe('configured console origins', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode({ config: { console: { origins: ['https://keys.example.com'] } } });
    await node.addUser({ role: 'admin', name: 'wallet-admin', wallets: [wallet.address] });
  });
  after(async () => node.stop());

  it('accept messages for those origins only, the listening address included', async () => {
    const issued = await node.request('POST', '/v1/console/siwe/nonce');
    assert.equal(issued.body.domain, 'keys.example.com');
    assert.deepEqual(issued.body.domains, ['keys.example.com']);
    const ok = await node.request('POST', '/v1/console/siwe', { body: await signedMessage(node, 'keys.example.com', 'https://keys.example.com/console') });
    assert.equal(ok.status, 200);
    const local = await node.request('POST', '/v1/console/siwe', { body: await signedMessage(node, new URL(node.url).host, `${node.url}/`) });
    assert.equal(local.status, 401);
    const plain = await node.request('POST', '/v1/console/siwe', { body: await signedMessage(node, 'keys.example.com', 'http://keys.example.com/') });
    assert.equal(plain.status, 401, 'http:// is another origin than https://');
  });

  it('publicUrl is the origin when console.origins is empty', async () => {
    const other = await startNode({ config: { publicUrl: 'https://gateway.example.com:8443/keygate' } });
    try {
      assert.deepEqual(other.keygate.consoleOrigins.origins, ['https://gateway.example.com:8443']);
      assert.equal((await other.request('POST', '/v1/console/siwe/nonce')).body.domain, 'gateway.example.com:8443');
    } finally {
      await other.stop();
    }
  });
});
