import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Centrifuge } from 'centrifuge';
import { startNode, type TestNode } from '../support/harness.ts';
import { signHmac } from '../support/signers.ts';
import { nextEvent, officialClient } from './realtime-fixtures.ts';

describe('Centrifuge connections of keys whose requests are signed', () => {
  let node: TestNode;
  const clients: Centrifuge[] = [];
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await node.stop();
  });

  it('connects an HMAC key (spec 001) through getToken and a signed POST /v1/realtime/token', async () => {
    const user = await node.addUser();
    const created = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'rt', isInfo: true, isTrade: false, IpWhiteList: [] } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { publicKey, privateKey } = created.body;
    const getToken = async () => {
      const signed = signHmac(publicKey, privateKey, 'POST', '/v1/realtime/token');
      const response = await fetch(node.url + signed.url, { method: 'POST', headers: signed.headers });
      assert.equal(response.status, 200);
      return ((await response.json()) as { token: string }).token;
    };
    const c = officialClient(node, { getToken });
    clients.push(c);
    c.connect();
    await nextEvent(c, 'connected');

    // The public key alone is no credential.
    const bare = officialClient(node, { token: publicKey });
    clients.push(bare);
    bare.connect();
    assert.equal((await nextEvent(bare, 'disconnected')).code, 101);

    // An unsigned token request is refused.
    assert.equal((await fetch(node.url + '/v1/realtime/token', { method: 'POST', headers: { 'API-Key': publicKey } })).status, 401);
  });
});
