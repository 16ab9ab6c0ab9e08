import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { State, type Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { hasRedisServer, TestRedisServer } from '../support/redis-server.ts';
import { createKey, eventually, nextEvent, officialClient, rawCentrifuge, WALLET, walletOwnerSuite } from './realtime-fixtures.ts';

const CHANNEL = `maintenance:wallet:${WALLET}`;

/** A ws class for the official client that counts the sockets (connection attempts) it opens. */
function countingWebSocket() {
  const counter = { opened: 0 };
  class CountingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      counter.opened += 1;
    }
  }
  return { counter, CountingWebSocket };
}

describe('Centrifuge connect errors as the official client expects them (spec 000)', () => {
  const suite = walletOwnerSuite();

  /** An official client with a subscription made before connect, so subscribe travels in the connect's frame. */
  const subscribedClient = (token: string) => {
    const { counter, CountingWebSocket } = countingWebSocket();
    const c = officialClient(suite.node, { token, websocket: CountingWebSocket });
    suite.clients.push(c);
    const sub = c.newSubscription(CHANNEL);
    sub.subscribe();
    c.connect();
    return { c, sub, counter };
  };

  it('answers a connect that failed with its error only: no reply to the subscribe after it, no 3501', async () => {
    const client = await rawCentrifuge(suite.node);
    client.send({ id: 1, connect: { token: 'dsk_' + '0'.repeat(64) } }, { id: 2, subscribe: { channel: CHANNEL } }, { id: 3, presence: { channel: CHANNEL } });
    const reply = await client.waitFor((line) => line.id === 1);
    assert.equal(reply.error.code, 101);
    assert.equal(reply.error.temporary, undefined);
    // A later frame from the same socket proves the server went on reading and sent nothing else.
    client.send({ id: 4, connect: { token: (await createKey(suite.node, suite.owner.token)).key } });
    await client.waitFor((line) => line.id === 4 && line.connect);
    assert.deepEqual(client.lines.map((line) => line.id), [1, 4]);
    assert.equal(client.closed(), null);
    client.ws.close();
  });

  it('a bad key with a subscription: the client sees 101 and stops for good', async () => {
    const { c, sub, counter } = subscribedClient('dsk_' + 'ab'.repeat(32));
    const disconnected = await nextEvent(c, 'disconnected');
    assert.equal(disconnected.code, 101);
    assert.equal(c.state, State.Disconnected, 'disconnected is final: no reconnect is scheduled');
    assert.equal(counter.opened, 1);
    assert.equal(sub.state, 'subscribing', 'the subscription waits for a connect the app must ask for');
  });

  it('a key whose connections are all taken: 106 and stops', async () => {
    const { key } = await createKey(suite.node, suite.node.admin.token, { maxConnections: 1, ownerId: suite.owner.user.id });
    const first = officialClient(suite.node, { token: key });
    suite.clients.push(first);
    first.connect();
    await nextEvent(first, 'connected');
    const { c, counter } = subscribedClient(key);
    const disconnected = await nextEvent(c, 'disconnected');
    assert.equal(disconnected.code, 106);
    assert.equal(c.state, State.Disconnected);
    assert.equal(counter.opened, 1);
    first.disconnect();
  });

  it('a revoked key with a subscription: 101 and stops', async () => {
    const { key, id } = await createKey(suite.node, suite.owner.token);
    await suite.node.request('POST', `/v1/keys/${id}/revoke`, { token: suite.node.admin.token });
    const { c, counter } = subscribedClient(key);
    assert.equal((await nextEvent(c, 'disconnected')).code, 101);
    assert.equal(counter.opened, 1);
  });
});

describe('a temporary backend failure: the official client retries and resumes, the feed answers 503', () => {
  const available = hasRedisServer;
  let redis: TestRedisServer;
  let node: TestNode;
  let owner: TestUser;
  const clients: Centrifuge[] = [];
  before(async () => {
    if (!available) return;
    redis = await TestRedisServer.start();
    node = await startNode({ config: { redisUrl: redis.url } });
    owner = await node.addUser({ wallets: [WALLET] });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    if (redis && !redis.running) await redis.restart().catch(() => undefined);
    await node?.stop();
    await redis?.kill();
  });

  it('reconnects through temporary connect errors while Redis is down, then receives again', { skip: available ? false : 'redis-server is not installed' }, async () => {
    const { key, id } = await createKey(node, owner.token);
    const { counter, CountingWebSocket } = countingWebSocket();
    const c = officialClient(node, { token: key, websocket: CountingWebSocket });
    clients.push(c);
    const temporary: unknown[] = [];
    c.on('error', (ctx) => {
      if (ctx.type === 'connect' && (ctx.error as { temporary?: boolean }).temporary === true) temporary.push(ctx.error);
    });
    let finalDisconnect: unknown = null;
    c.on('disconnected', (ctx) => (finalDisconnect = ctx));
    const sub = c.newSubscription(CHANNEL);
    const received: unknown[] = [];
    sub.on('publication', (ctx) => received.push(ctx.data));
    sub.subscribe();
    c.connect();
    await nextEvent(sub, 'subscribed');

    await redis.kill();
    // The connection drops (a node restart, a network blip): the client comes back while Redis is still down.
    for (const session of node.keygate.realtime.context.hub.sessionsOf(id)) session.end('force_reconnect');
    await eventually(() => temporary.length >= 2, 15_000, 'two temporary connect errors');
    assert.equal(c.state, State.Connecting, 'still trying');
    assert.ok(counter.opened >= 3);

    const resubscribed = nextEvent(sub, 'subscribed', 15_000);
    await redis.restart();
    await resubscribed;
    assert.equal(c.state, State.Connected);
    // The node's own pub/sub connection to Redis comes back on its own schedule: publish until it has.
    let n = 0;
    await eventually(async () => {
      await node.keygate.publish(CHANNEL, { back: ++n });
      return received.length > 0;
    }, 10_000, 'publication after the outage');
    assert.deepEqual(Object.keys(received[0] as object), ['back']);
    assert.equal(finalDisconnect, null, 'never given up');
  });

  it('answers a feed handshake 503 with Retry-After while Redis is down, never 500', { skip: available ? false : 'redis-server is not installed' }, async () => {
    const { key } = await createKey(node, owner.token);
    await redis.kill();
    try {
      const response = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
        const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
        ws.once('unexpected-response', (_request, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
        });
        ws.once('open', () => reject(new Error('accepted while Redis is down')));
        ws.once('error', (error) => {
          if (!String(error.message).includes('Unexpected server response')) reject(error);
        });
      });
      assert.equal(response.status, 503);
      assert.ok(Number(response.retryAfter) > 0);
      assert.equal(JSON.parse(response.body).error.code, 'UNAVAILABLE');
    } finally {
      await redis.restart();
    }
  });
});
