import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { signHmac, type SignedRequest } from '../support/signers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const dialect of dialects()) {
  describe(`spec 001 UUID key pairs under /frontoffice/api/key (${dialect})`, () => {
    let node: TestNode;
    const verify = (signed: SignedRequest, extra: { ip?: string; permission?: string } = {}) =>
      node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: signed, ...extra } });

    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('lists with an empty POST, creates with a body, shows the private key once', async () => {
      const user = await node.addUser();
      const empty = await node.request('POST', '/frontoffice/api/key', { token: user.token });
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, []);

      const created = await node.request('POST', '/frontoffice/api/key', {
        token: user.token,
        body: { name: 'Trading key 3', isInfo: true, isTrade: true, IpWhiteList: ['127.0.0.1'] },
      });
      assert.equal(created.status, 200);
      assert.match(created.body.publicKey, UUID);
      assert.match(created.body.privateKey, UUID);
      assert.deepEqual({ ...created.body, publicKey: undefined, privateKey: undefined }, {
        publicKey: undefined,
        privateKey: undefined,
        name: 'Trading key 3',
        isInfo: true,
        isTrade: true,
        ipWhiteList: ['127.0.0.1'],
      });

      const listed = await node.request('POST', '/frontoffice/api/key', { token: user.token, headers: { 'content-type': 'application/json' } });
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body, [{ publicKey: created.body.publicKey, name: 'Trading key 3', isInfo: true, isTrade: true, ipWhiteList: ['127.0.0.1'] }]);
      assert.equal(JSON.stringify(listed.body).includes(created.body.privateKey), false);

      const stored = await node.keygate.store.keys.findByLookup('hmac', created.body.publicKey);
      assert.ok(stored?.secretCiphertext);
      assert.equal(stored.secretCiphertext.includes(created.body.privateKey), false, 'the private key is stored encrypted');
      assert.equal(node.keygate.secrets.open(stored.secretCiphertext), created.body.privateKey);

      const native = await node.request('GET', '/v1/keys', { token: user.token });
      assert.deepEqual(native.body.keys.map((k: { scheme: string; origin: string }) => [k.scheme, k.origin]), [['hmac', 'frontoffice']]);
    });

    it('accepts ipWhiteList spelled as in responses, and refuses a fourth key clearly', async () => {
      const user = await node.addUser();
      for (let i = 0; i < 3; i++) {
        const ok = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: `k${i}`, isInfo: true, isTrade: false, ipWhiteList: [] } });
        assert.equal(ok.status, 200);
      }
      const fourth = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'k3', isInfo: true, isTrade: false, IpWhiteList: [] } });
      assert.equal(fourth.status, 409);
      assert.equal(fourth.body.error.code, 'KEY_LIMIT_REACHED');
      assert.match(fourth.body.error.message, /at most 3/);
    });

    it('rejects bad input naming the field, and unauthenticated calls', async () => {
      const user = await node.addUser();
      const noName = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { isInfo: true, isTrade: true, IpWhiteList: [] } });
      assert.equal(noName.status, 400);
      assert.equal(noName.body.error.field, 'name');
      const noFlag = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'x', isInfo: true, IpWhiteList: [] } });
      assert.equal(noFlag.status, 400);
      assert.equal(noFlag.body.error.field, 'isTrade');
      const badIp = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'x', isInfo: true, isTrade: true, IpWhiteList: ['not-an-ip'] } });
      assert.equal(badIp.status, 400);
      assert.equal(badIp.body.error.field, 'IpWhiteList');
      const anonymous = await node.request('POST', '/frontoffice/api/key');
      assert.equal(anonymous.status, 401);
      const listed = await node.request('POST', '/frontoffice/api/key', { token: user.token });
      assert.deepEqual(listed.body, [], 'refused creations change nothing');
    });

    it('answers a create body missing several required fields with one 400 naming all of them', async () => {
      const user = await node.addUser();
      const create = (body: unknown) => node.request('POST', '/frontoffice/api/key', { token: user.token, body });
      const refused = async (body: unknown, field: string, message: string) => {
        const response = await create(body);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.deepEqual(response.body, { error: { code: 'BAD_REQUEST', message, field } });
      };
      await refused({ name: 'Trading key 3' }, 'isInfo', 'missing required fields: isInfo, isTrade, IpWhiteList');
      await refused({ isTrade: false }, 'name', 'missing required fields: name, isInfo, IpWhiteList');
      await refused({ name: 'x', isInfo: true, isTrade: true }, 'IpWhiteList', 'IpWhiteList is required');
      // ipWhiteList, the spelling responses use, satisfies IpWhiteList; giving both is ambiguous.
      await refused({ name: 'x', ipWhiteList: [] }, 'isInfo', 'missing required fields: isInfo, isTrade');
      await refused({ name: 'x', isInfo: true, isTrade: true, IpWhiteList: [], ipWhiteList: [] }, 'IpWhiteList', 'give IpWhiteList once (ipWhiteList is the same field)');
      await refused({ name: 'x', isInfo: 'yes', isTrade: true, IpWhiteList: [] }, 'isInfo', 'isInfo must be true or false');
      await refused({ name: 'x', isInfo: true, isTrade: true, IpWhiteList: [{}] }, 'IpWhiteList[0]', 'IpWhiteList[0] must be a text');
      await refused({ name: 'x', isInfo: true, isTrade: true, IpWhiteList: [], note: 'hi' }, 'note', 'unknown field "note"');
      const listed = await node.request('POST', '/frontoffice/api/key', { token: user.token });
      assert.deepEqual(listed.body, [], 'refused creations change nothing');
      const made = await create({ name: 'lower', isInfo: true, isTrade: false, ipWhiteList: ['10.0.0.1'] });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      assert.deepEqual(made.body.ipWhiteList, ['10.0.0.1']);
    });

    it('documents the create body with its required fields, and a bare POST as valid', async () => {
      const docs = await node.request('GET', '/docs/json');
      const requestBody = docs.body.paths['/frontoffice/api/key'].post.requestBody;
      assert.equal(requestBody.required, false, 'no body at all is the list call');
      const alternatives = requestBody.content['application/json'].schema.anyOf;
      assert.equal(alternatives.length, 2);
      const [list, create] = alternatives;
      assert.deepEqual(Object.keys(list.properties), []);
      assert.equal(list.additionalProperties, false);
      assert.deepEqual(create.required, ['name', 'isInfo', 'isTrade', 'IpWhiteList']);
      assert.deepEqual(Object.keys(create.properties).sort(), ['IpWhiteList', 'ipWhiteList', 'isInfo', 'isTrade', 'name']);
      assert.equal(create.additionalProperties, false);
      assert.equal(docs.body.paths['/v1/keys'].post.requestBody.required, true, 'other bodies stay required');
    });

    it('deletes by public key under both documented paths', async () => {
      const user = await node.addUser();
      const a = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'a', isInfo: true, isTrade: false, IpWhiteList: [] } });
      const b = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'b', isInfo: true, isTrade: false, IpWhiteList: [] } });
      assert.equal((await node.request('DELETE', `/frontoffice/api/key/${a.body.publicKey}`, { token: user.token })).status, 200);
      assert.equal((await node.request('DELETE', `/frontoffice/key/${b.body.publicKey}`, { token: user.token })).status, 200);
      assert.equal((await node.request('DELETE', `/frontoffice/api/key/${a.body.publicKey}`, { token: user.token })).status, 404);
      assert.equal((await node.request('DELETE', '/frontoffice/api/key/not-a-uuid', { token: user.token })).status, 400);
      const other = await node.addUser();
      const c = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'c', isInfo: true, isTrade: false, IpWhiteList: [] } });
      assert.equal((await node.request('DELETE', `/frontoffice/api/key/${c.body.publicKey}`, { token: other.token })).status, 404, "another member cannot delete someone's key");
      const listed = await node.request('POST', '/frontoffice/api/key', { token: user.token });
      assert.deepEqual(listed.body.map((k: { name: string }) => k.name), ['c']);
      const denied = await verify(signHmac(a.body.publicKey, a.body.privateKey, 'GET', '/v1/ping'));
      assert.equal(denied.body.code, 'REVOKED');
    });

    it('authenticates HMAC-signed requests through the verify API and forward-auth, enforcing isInfo/isTrade and the safelist', async () => {
      const user = await node.addUser();
      const info = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'info', isInfo: true, isTrade: false, IpWhiteList: [] } });
      const body = '{"symbol":"BTC-USD"}';
      const ok = await verify(signHmac(info.body.publicKey, info.body.privateKey, 'POST', '/api/orders?x=1', body), { permission: 'info' });
      assert.equal(ok.body.valid, true);
      assert.equal(ok.body.key.scheme, 'hmac');
      assert.equal(ok.body.key.owner, user.user.id);
      assert.deepEqual(ok.body.key.permissions, ['info']);
      const trade = await verify(signHmac(info.body.publicKey, info.body.privateKey, 'POST', '/api/orders', body), { permission: 'trade' });
      assert.equal(trade.body.code, 'INSUFFICIENT_PERMISSIONS');

      const fenced = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'fenced', isInfo: true, isTrade: true, IpWhiteList: ['10.1.2.3'] } });
      const outside = await verify(signHmac(fenced.body.publicKey, fenced.body.privateKey, 'GET', '/api/x'), { ip: '192.0.2.1' });
      assert.equal(outside.body.code, 'IP_NOT_ALLOWED');
      const inside = await verify(signHmac(fenced.body.publicKey, fenced.body.privateKey, 'GET', '/api/x'), { ip: '10.1.2.3' });
      assert.equal(inside.body.valid, true);

      const signed = signHmac(info.body.publicKey, info.body.privateKey, 'DELETE', '/api/orders/7?all=1');
      const auth = await fetch(`${node.url}/v1/auth?permission=info`, { headers: { ...signed.headers, 'x-original-uri': '/api/orders/7?all=1', 'x-original-method': 'DELETE' } });
      assert.equal(auth.status, 200);
      assert.equal(auth.headers.get('x-keygate-scheme'), 'hmac');
      assert.equal(auth.headers.get('x-keygate-user-id'), user.user.id);
      const replay = await fetch(`${node.url}/v1/auth?permission=info`, { headers: { ...signed.headers, 'x-original-uri': '/api/orders/7?all=1', 'x-original-method': 'DELETE' } });
      assert.equal(replay.status, 401);
      assert.equal(replay.headers.get('x-keygate-code'), 'REPLAYED');
    });
  });
}
