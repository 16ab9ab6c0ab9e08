import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { assertError, forwardAuth, seedKey, verifyKey } from '../support/seed.ts';
import { signHmac } from '../support/signers.ts';
import { withTimeout } from '../support/wait-for.ts';
import { nextEvent, officialClient, WALLET, walletOwnerSuite } from '../realtime/realtime-fixtures.ts';
import { authStatus, mustOpenFeed, openFeed } from '../faults/fault-fixtures.ts';

for (const dialect of dialects()) {
  describe(`suspending and resuming a key (${dialect})`, () => {
    const suite = walletOwnerSuite({ dialect });
    const patch = (id: string, body: unknown, token = suite.node.admin.token) => suite.node.request('PATCH', `/v1/keys/${id}`, { token, body });

    it('enabled:false answers 403 DISABLED on forward-auth and in the verify API; enabled:true resumes it; both audited', async () => {
      const seeded = await seedKey(suite.node, suite.owner.token);
      assert.equal(seeded.enabled, true, 'a new key is enabled');
      assert.equal(await authStatus(suite.node, seeded.key), 200);

      const suspended = await patch(seeded.id, { enabled: false });
      assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
      assert.equal(suspended.body.enabled, false);
      assert.equal(suspended.body.status, 'active', 'a suspended key is not revoked');
      const refused = await forwardAuth(suite.node, { 'x-api-key': seeded.key });
      assertError(refused, 403, 'DISABLED');
      const verdict = await verifyKey(suite.node, { key: seeded.key });
      assert.equal(verdict.status, 200);
      assert.deepEqual([verdict.body.valid, verdict.body.code], [false, 'DISABLED']);
      assert.equal((await suite.node.request('GET', `/v1/keys/${seeded.id}`, { token: suite.owner.token })).body.enabled, false, 'the owner sees the suspension');

      const resumed = await patch(seeded.id, { enabled: true });
      assert.equal(resumed.status, 200);
      assert.equal(resumed.body.enabled, true);
      assert.equal(await authStatus(suite.node, seeded.key), 200);
      assert.equal((await verifyKey(suite.node, { key: seeded.key })).body.code, 'VALID');

      const audit = await suite.node.request('GET', `/v1/keys/${seeded.id}/audit`, { token: suite.node.admin.token });
      const actions = audit.body.entries.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
      assert.ok(actions.includes('key.suspend:ok') && actions.includes('key.resume:ok'), actions.join(', '));
    });

    it('a signed (HMAC) key is refused DISABLED too, through forward-auth and the verify API', async () => {
      const created = await suite.node.request('POST', '/frontoffice/api/key', { token: suite.owner.token, body: { name: 'signed', isInfo: true, isTrade: false, IpWhiteList: [] } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const listed = await suite.node.request('GET', '/v1/keys?scheme=hmac', { token: suite.owner.token });
      const id = listed.body.keys.find((k: { name: string }) => k.name === 'signed').id;
      const signed = () => signHmac(created.body.publicKey, created.body.privateKey, 'GET', '/v1/ping');
      const viaTraefik = () => forwardAuth(suite.node, { ...signed().headers, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/v1/ping' }, '', '/v1/auth/traefik');
      assert.equal((await viaTraefik()).status, 200);
      assert.equal((await patch(id, { enabled: false })).status, 200);
      assertError(await viaTraefik(), 403, 'DISABLED');
      assert.equal((await verifyKey(suite.node, { request: signed() })).body.code, 'DISABLED');
      assert.equal((await patch(id, { enabled: true })).status, 200);
      assert.equal((await viaTraefik()).status, 200);
    });

    it('only admins suspend or resume: the owner gets 403 FORBIDDEN and the key keeps working', async () => {
      const seeded = await seedKey(suite.node, suite.owner.token);
      assertError(await patch(seeded.id, { enabled: false }, suite.owner.token), 403, 'FORBIDDEN');
      assert.equal(await authStatus(suite.node, seeded.key), 200);
      assertError(await patch(seeded.id, { enabled: 'no' }), 400, 'BAD_REQUEST', 'enabled');
      await suite.node.request('POST', `/v1/keys/${seeded.id}/revoke`, { token: suite.node.admin.token });
      assertError(await patch(seeded.id, { enabled: true }), 409, 'CONFLICT');
    });

    it('ends live feed (1000 key_disabled) and Centrifuge (4504) sessions; new ones are refused until resumed', async () => {
      const seeded = await seedKey(suite.node, suite.owner.token);
      const feed = await mustOpenFeed(suite.node, seeded.key);
      const client = officialClient(suite.node, { token: seeded.key });
      suite.clients.push(client);
      const subscription = client.newSubscription(`maintenance:wallet:${WALLET}`);
      subscription.subscribe();
      client.connect();
      await nextEvent(subscription, 'subscribed');
      const disconnected = nextEvent<{ code: number; reason: string }>(client, 'disconnected');

      assert.equal((await patch(seeded.id, { enabled: false })).status, 200);
      const feedEnd = await withTimeout(feed.closed, 'the feed session to close');
      assert.deepEqual([feedEnd.code, feedEnd.reason], [1000, 'key_disabled']);
      const ended = await disconnected;
      assert.deepEqual([ended.code, ended.reason], [4504, 'key_disabled']);
      assert.equal(await openFeed(suite.node, seeded.key), 403, 'a new feed handshake is refused');

      assert.equal((await patch(seeded.id, { enabled: true })).status, 200);
      const again = await mustOpenFeed(suite.node, seeded.key);
      again.ws.close();
      const resumedClient = officialClient(suite.node, { token: seeded.key });
      suite.clients.push(resumedClient);
      resumedClient.connect();
      await nextEvent(resumedClient, 'connected');
    });
  });
}
