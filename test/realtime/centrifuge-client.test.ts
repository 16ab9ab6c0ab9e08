import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Centrifuge, State } from 'centrifuge';
import WebSocket from 'ws';
import { dialects } from '../support/databases.ts';
import { waitFor } from '../support/wait-for.ts';
import { centrifugeUrl, createKey, nextEvent, officialClient, rawCentrifuge, WALLET, WALLET_LOWER, walletOwnerSuite } from './realtime-fixtures.ts';

const CHANNEL = `maintenance:wallet:${WALLET}`;

for (const dialect of dialects()) {
  describe(`Centrifuge protocol with the official client (spec 000) (${dialect})`, () => {
    const suite = walletOwnerSuite({ dialect });
    const client = (options: ConstructorParameters<typeof Centrifuge>[1] = {}) => {
      const c = officialClient(suite.node, options ?? {});
      suite.clients.push(c);
      return c;
    };

    it('connects with the key as token, subscribes to the checksummed wallet channel and receives a publication', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      c.connect();
      const connected = await nextEvent(c, 'connected');
      assert.equal(typeof connected.client, 'string');
      const sub = c.newSubscription(CHANNEL);
      sub.subscribe();
      const subscribed = await nextEvent(sub, 'subscribed');
      assert.equal(subscribed.recoverable, true);
      const publication = nextEvent(sub, 'publication');
      // A back end may publish under the lowercase address; subscribers use the checksummed channel.
      await suite.node.keygate.publish(`maintenance:wallet:${WALLET_LOWER}`, { riskFactor: 1.42 });
      const received = await publication;
      assert.deepEqual(received.data, { riskFactor: 1.42 });
      assert.equal(received.channel, CHANNEL);
    });

    it('accepts the key in an X-API-Key handshake header and in the connect headers', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      class KeyedWebSocket extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { 'X-API-Key': key } });
        }
      }
      const viaHandshake = client({ websocket: KeyedWebSocket });
      viaHandshake.connect();
      await nextEvent(viaHandshake, 'connected');

      const viaHeaders = client({ headers: { 'X-API-Key': key } });
      viaHeaders.connect();
      await nextEvent(viaHeaders, 'connected');
    });

    it('also serves /connection/websocket', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      const c = new Centrifuge(centrifugeUrl(suite.node, '/connection/websocket'), { websocket: WebSocket, token: key });
      suite.clients.push(c);
      c.connect();
      await nextEvent(c, 'connected');
    });

    it('recovers the publications missed while the connection was down', async () => {
      const { key, id } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      c.connect();
      const sub = c.newSubscription(CHANNEL);
      const seen: unknown[] = [];
      sub.on('publication', (ctx) => seen.push(ctx.data));
      sub.subscribe();
      await nextEvent(sub, 'subscribed');
      await suite.node.keygate.publish(CHANNEL, { n: 1 });
      await waitFor(() => seen.length === 1, 'the first publication');

      // Drop the connection from the server side with a reconnect code, and publish while it is down.
      const resubscribed = nextEvent(sub, 'subscribed');
      for (const session of suite.node.keygate.realtime.context.hub.sessionsOf(id)) session.end('force_reconnect');
      await suite.node.keygate.publish(CHANNEL, { n: 2 });
      await suite.node.keygate.publish(CHANNEL, { n: 3 });
      const ctx = await resubscribed;
      assert.equal(ctx.wasRecovering, true);
      assert.equal(ctx.recovered, true);
      await waitFor(() => seen.length === 3, 'the recovered publications');
      assert.deepEqual(seen, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    });

    it('keeps the session when the client sends an asynchronous message (send has no id)', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      c.connect();
      await nextEvent(c, 'connected');
      await c.send({ hello: 'server' });
      const sub = c.newSubscription('listings:binance');
      sub.subscribe();
      await nextEvent(sub, 'subscribed');
      assert.equal(c.state, State.Connected);
    });

    it('refuses a channel the key does not allow (103) and an unknown namespace (102)', async () => {
      const { key } = await createKey(suite.node, suite.owner.token, { allowedExchanges: ['okx'] });
      const c = client({ token: key });
      c.connect();
      await nextEvent(c, 'connected');
      const allowed = c.newSubscription('listings:okx');
      allowed.subscribe();
      await nextEvent(allowed, 'subscribed');
      const refused = c.newSubscription('listings:binance');
      refused.subscribe();
      const refusal = await nextEvent(refused, 'unsubscribed');
      assert.equal(refusal.code, 103);
      const unknown = c.newSubscription('prices:btc');
      unknown.subscribe();
      assert.equal((await nextEvent(unknown, 'unsubscribed')).code, 102);
      const otherWallet = c.newSubscription('maintenance:wallet:0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
      otherWallet.subscribe();
      const notOwned = await nextEvent(otherWallet, 'unsubscribed');
      assert.equal(notOwned.code, 103);
      assert.match(notOwned.reason, /owner/);
    });

    it('refuses a wallet channel whose address is not EIP-55 checksummed, saying so', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      c.connect();
      await nextEvent(c, 'connected');
      for (const address of [WALLET_LOWER, WALLET.replace('f39F', 'F39f')]) {
        const sub = c.newSubscription(`maintenance:wallet:${address}`);
        sub.subscribe();
        const refusal = await nextEvent(sub, 'unsubscribed');
        assert.equal(refusal.code, 103);
        assert.match(refusal.reason, /checksum/i);
      }
    });

    it('refuses the wallet channel to a key without the read permission', async () => {
      const { key } = await createKey(suite.node, suite.owner.token, { permissions: ['trade'] });
      const c = client({ token: key });
      c.connect();
      const sub = c.newSubscription(CHANNEL);
      sub.subscribe();
      const refusal = await nextEvent(sub, 'unsubscribed');
      assert.equal(refusal.code, 103);
      assert.match(refusal.reason, /read/);
    });

    it('refuses client publications (103)', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      c.connect();
      await nextEvent(c, 'connected');
      await assert.rejects(c.publish(CHANNEL, { forged: true }), (error: { code: number }) => error.code === 103);
    });

    it('answers a bad key with connect error 101 and stops for good', async () => {
      let connecting = 0;
      const c = client({ token: 'dsk_' + '0'.repeat(64) });
      c.on('connecting', () => connecting++);
      c.connect();
      const disconnected = await nextEvent(c, 'disconnected');
      assert.equal(disconnected.code, 101);
      // No wait needed to prove it stops: the client emits 'disconnected' only when it enters the
      // Disconnected state, which it leaves only through connect(); a close it would retry emits
      // 'connecting' and schedules the retry instead.
      assert.equal(c.state, State.Disconnected);
      assert.equal(connecting, 1, 'no reconnect attempts');
    });

    it('ends every session of a revoked key with a terminal code; a retry gets 101', async () => {
      const { key, id } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      let connecting = 0;
      c.on('connecting', () => connecting++);
      c.connect();
      const sub = c.newSubscription(CHANNEL);
      sub.subscribe();
      await nextEvent(sub, 'subscribed');
      const disconnected = nextEvent(c, 'disconnected');
      const started = Date.now();
      const revoked = await suite.node.request('POST', `/v1/keys/${id}/revoke`, { token: suite.node.admin.token });
      assert.equal(revoked.status, 200);
      const ctx = await disconnected;
      assert.ok(Date.now() - started < 1000);
      assert.equal(ctx.code, 4501);
      assert.equal(ctx.reason, 'key_revoked');
      // Terminal, as above: 'disconnected' (not 'connecting') means the client has stopped for good.
      assert.equal(c.state, State.Disconnected);
      assert.equal(connecting, 1, 'no reconnect loop');

      const retry = client({ token: key });
      retry.connect();
      assert.equal((await nextEvent(retry, 'disconnected')).code, 101);
      assert.equal(connecting, 1, 'still no reconnect by the first client');
    });

    it('ends the session when the key expires', async () => {
      const { key } = await createKey(suite.node, suite.owner.token, { expiresInSeconds: 1 });
      const c = client({ token: key });
      c.connect();
      await nextEvent(c, 'connected');
      const ctx = await nextEvent(c, 'disconnected', 3000);
      assert.equal(ctx.code, 4502);
      assert.equal(ctx.reason, 'key_expired');
    });

    it('ends the session when the key loses the permission its subscription relies on', async () => {
      const { key, id } = await createKey(suite.node, suite.owner.token);
      const c = client({ token: key });
      c.connect();
      const sub = c.newSubscription(CHANNEL);
      sub.subscribe();
      await nextEvent(sub, 'subscribed');
      const disconnected = nextEvent(c, 'disconnected');
      const updated = await suite.node.request('PATCH', `/v1/keys/${id}`, { token: suite.owner.token, body: { permissions: ['trade'] } });
      assert.equal(updated.status, 200);
      const ctx = await disconnected;
      assert.equal(ctx.code, 4503);
      assert.equal(ctx.reason, 'key_invalidated');
    });

    it('limits simultaneous connections per key (106)', async () => {
      const { key } = await createKey(suite.node, suite.node.admin.token, { maxConnections: 1, ownerId: suite.owner.user.id });
      const first = client({ token: key });
      first.connect();
      await nextEvent(first, 'connected');
      const second = client({ token: key });
      second.connect();
      assert.equal((await nextEvent(second, 'disconnected')).code, 106);
      // The slot frees when the first one leaves.
      first.disconnect();
      await waitFor(async () => {
        const third = client({ token: key });
        third.connect();
        const outcome = await Promise.race([nextEvent(third, 'connected').then(() => true), nextEvent(third, 'disconnected').then(() => false)]);
        if (!outcome) third.disconnect();
        return outcome;
      }, 'the first connection\'s slot to be released');
    });

    it('connects with a short-lived connection token from POST /v1/realtime/token (getToken)', async () => {
      const { key } = await createKey(suite.node, suite.owner.token);
      let fetched = 0;
      const c = client({
        getToken: async () => {
          fetched++;
          const response = await fetch(`${suite.node.url}/v1/realtime/token`, { method: 'POST', headers: { 'x-api-key': key } });
          const body = (await response.json()) as { token: string; expiresAt: number };
          assert.equal(response.status, 200);
          assert.ok(body.expiresAt > Date.now());
          return body.token;
        },
      });
      c.connect();
      await nextEvent(c, 'connected');
      assert.equal(fetched, 1);
      const sub = c.newSubscription(CHANNEL);
      sub.subscribe();
      await nextEvent(sub, 'subscribed');
    });

    it('ends a token session with key_expired (4502), not a reconnect, when its key expires', async () => {
      // The token is capped at the key's end, rounded down to the second: it lapses first.
      const { key } = await createKey(suite.node, suite.owner.token, { expiresInSeconds: 2 });
      const minted = await fetch(`${suite.node.url}/v1/realtime/token`, { method: 'POST', headers: { 'x-api-key': key } });
      const { token } = (await minted.json()) as { token: string };
      const raw = await rawCentrifuge(suite.node);
      raw.send({ id: 1, connect: { token } });
      await raw.waitFor((line) => line.id === 1 && line.connect);
      assert.deepEqual(await raw.waitClosed(4000), { code: 4502, reason: 'key_expired' });
    });
  });
}
