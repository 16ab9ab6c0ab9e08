import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { Redis } from 'ioredis';
import { createKey, nextEvent, officialClient, rawCentrifuge, WALLET } from './realtime-fixtures.ts';
import type { Centrifuge } from 'centrifuge';

const CHANNEL = `maintenance:wallet:${WALLET}`;

/** Opens a feed socket; resolves with the open socket or the refusal status. */
function feed(node: TestNode, key: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

describe('real-time across two nodes sharing Redis', { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' }, () => {
  let first: TestNode;
  let second: TestNode;
  let owner: TestUser;
  const clients: Centrifuge[] = [];
  before(async () => {
    first = await startNode({ redis: true });
    second = await startNode({ redis: true, joinOf: first });
    owner = await first.addUser({ wallets: [WALLET] });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await second?.stop();
    await first?.stop();
  });
  const connect = async (node: TestNode, key: string) => {
    const c = officialClient(node, { token: key });
    clients.push(c);
    c.connect();
    await nextEvent(c, 'connected');
    return c;
  };

  it('delivers a publication made on one node to a subscriber on the other, and shares history', async () => {
    const { key } = await createKey(first, owner.token);
    const c = await connect(first, key);
    const sub = c.newSubscription(CHANNEL);
    sub.subscribe();
    await nextEvent(sub, 'subscribed');
    const publication = nextEvent(sub, 'publication');
    await second.keygate.publish(CHANNEL, { from: 'second' });
    assert.deepEqual((await publication).data, { from: 'second' });
    const presence = await second.request('POST', '/api/presence_stats', { headers: { authorization: `apikey ${second.keygate.serverToken}` }, body: { channel: CHANNEL } });
    assert.deepEqual(presence.body.result, { num_clients: 1, num_users: 1 }, 'presence is shared');
    const onFirst = await first.keygate.realtime.history(CHANNEL, { limit: -1 });
    const onSecond = await second.keygate.realtime.history(CHANNEL, { limit: -1 });
    assert.deepEqual(onFirst, onSecond);
    assert.deepEqual(onSecond.publications.at(-1)?.data, { from: 'second' });
  });

  it('recovers on the other node what was missed while away', async () => {
    const { key } = await createKey(first, owner.token);
    const c = await connect(first, key);
    const sub = c.newSubscription(CHANNEL);
    sub.subscribe();
    const position = (await nextEvent(sub, 'subscribed')).streamPosition;
    c.disconnect();
    await first.keygate.publish(CHANNEL, { missed: 1 });
    await second.keygate.publish(CHANNEL, { missed: 2 });
    // A new client on the other node resumes from the position the first one had.
    const resumed = await connect(second, key);
    const again = resumed.newSubscription(CHANNEL, { since: position });
    const seen: unknown[] = [];
    again.on('publication', (ctx) => seen.push(ctx.data));
    again.subscribe();
    const ctx = await nextEvent(again, 'subscribed');
    assert.equal(ctx.recovered, true);
    assert.equal(ctx.wasRecovering, true);
    assert.deepEqual(seen, [{ missed: 1 }, { missed: 2 }]);
  });

  it('ends sessions on every node when the key is revoked on one', async () => {
    const { key, id } = await createKey(first, owner.token);
    const c = await connect(second, key);
    const ws = await feed(second, key);
    assert.ok(ws instanceof WebSocket);
    const feedClosed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
    const disconnected = nextEvent(c, 'disconnected');
    const started = Date.now();
    await first.request('POST', `/v1/keys/${id}/revoke`, { token: first.admin.token });
    assert.equal((await disconnected).code, 4501);
    assert.deepEqual(await feedClosed, [1000, 'key_revoked']);
    assert.ok(Date.now() - started < 1000);
  });

  it('keeps no broker state for channels nobody publishes to', async () => {
    const { key } = await createKey(first, first.admin.token, { allowedExchanges: ['*'] });
    const client = await rawCentrifuge(first);
    const channels = Array.from({ length: 20 }, (_, i) => `listings:quiet${i}`);
    client.send({ id: 1, connect: { token: key } }, ...channels.map((channel, i) => ({ id: i + 2, subscribe: { channel } })));
    await client.waitFor((line) => line.id === channels.length + 1);
    const epochs = client.lines.filter((line) => line.subscribe).map((line) => line.subscribe.epoch);
    assert.ok(client.lines.filter((line) => line.subscribe).every((line) => line.subscribe.offset === 0));
    const redis = new Redis(process.env.REDIS_URL as string);
    try {
      const prefix = (first.keygate as unknown as { brokerPrefix: string }).brokerPrefix;
      assert.deepEqual(await redis.keys(`${prefix}stream:{listings:quiet*`), [], 'subscribing created no streams');
      // The first publication creates the stream under the epoch its subscriber was told.
      await first.keygate.publish(channels[0], { first: true });
      const push = await client.waitFor((line) => line.push?.channel === channels[0]);
      assert.equal(push.push.pub.offset, 1);
      const position = (await second.request('POST', '/api/history', { headers: { authorization: `apikey ${second.keygate.serverToken}` }, body: { channel: channels[0], limit: 0 } })).body.result;
      assert.equal(position.epoch, epochs[0]);
      assert.equal((await redis.keys(`${prefix}stream:{listings:quiet*`)).length, 2, 'its metadata and publications');
    } finally {
      redis.disconnect();
      client.ws.close();
    }
  });

  it('counts connections per key across both nodes', async () => {
    const { key } = await createKey(first, first.admin.token, { maxConnections: 1, ownerId: owner.user.id });
    const ws = await feed(first, key);
    assert.ok(ws instanceof WebSocket);
    assert.equal(await feed(second, key), 429);
    const c = officialClient(second, { token: key });
    clients.push(c);
    c.connect();
    assert.equal((await nextEvent(c, 'disconnected')).code, 106);
    ws.close();
  });
});
