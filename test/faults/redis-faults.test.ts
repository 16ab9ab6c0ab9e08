import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Centrifuge } from 'centrifuge';
import { startNode, type TestNode } from '../support/harness.ts';
import { metricValue } from '../support/metrics-scrape.ts';
import { hasRedisServer, nodeOnOwnRedis, TestRedisServer } from '../support/redis-server.ts';
import { signHmac } from '../support/signers.ts';
import { waitFor } from '../support/wait-for.ts';
import { createKey, nextEvent, officialClient, WALLET } from '../realtime/realtime-fixtures.ts';
import { allClosed, authStatus, mustOpenFeed, openFeed, percentile, type TrackedFeed } from './fault-fixtures.ts';

// Every test here runs its own redis-server on a free port and kills only that one; the nodes share
// a fresh PostgreSQL database. A revoked key must lose every session and be refused on every node.
const skip = !process.env.DATABASE_URL ? 'DATABASE_URL is not set' : !hasRedisServer ? 'redis-server is not installed' : false;

/**
 * For the calling suite: a redis-server of its own and three nodes on one PostgreSQL database and that
 * Redis, started before its tests and stopped after them (the nodes last-first, then that Redis).
 */
function clusterOnOwnRedis(): { readonly redis: TestRedisServer; readonly nodes: TestNode[] } {
  const cluster = { nodes: [] as TestNode[] } as { redis: TestRedisServer; nodes: TestNode[] };
  before(async () => {
    cluster.redis = await TestRedisServer.start();
    const first = await startNode({ dialect: 'postgres', config: { redisUrl: cluster.redis.url } });
    const rest = await Promise.all([1, 2].map(() => startNode({ dialect: 'postgres', joinOf: first, config: { redisUrl: cluster.redis.url } })));
    cluster.nodes = [first, ...rest];
  });
  after(async () => {
    for (const node of cluster.nodes.slice().reverse()) await node.stop();
    await cluster.redis?.kill();
  });
  return cluster;
}

/** `count` keys of the admin, each with a feed session on node i % 3 and cached by forward-auth on every node. */
async function keysWithSessions(nodes: TestNode[], count: number) {
  const keys: Array<{ id: string; key: string; feed: TrackedFeed }> = [];
  for (let i = 0; i < count; i++) {
    const { id, key } = await createKey(nodes[0], nodes[0].admin.token, { maxConnections: 5 });
    const feed = await mustOpenFeed(nodes[i % nodes.length], key);
    for (const node of nodes) assert.equal(await authStatus(node, key), 200);
    keys.push({ id, key, feed });
  }
  return keys;
}

describe('revocations while Redis pub/sub connections are killed again and again (3 nodes)', { skip }, () => {
  const cluster = clusterOnOwnRedis();

  it('loses no revocation: every session of every revoked key closes and every node refuses the key', async () => {
    const keys = await keysWithSessions(cluster.nodes, 30);
    let killing = true;
    let kills = 0;
    const killer = (async () => {
      while (killing) {
        const reply = await cluster.redis.command('CLIENT KILL TYPE pubsub');
        kills += Number(/:(\d+)/.exec(reply)?.[1] ?? 0);
        await sleep(40);
      }
    })();
    const latencies: number[] = [];
    const statuses: number[] = [];
    for (const [i, { id, feed }] of keys.entries()) {
      const node = cluster.nodes[(i + 1) % cluster.nodes.length]; // revoked on another node than the session's
      const started = Date.now();
      statuses.push((await node.request('POST', `/v1/keys/${id}/revoke`, { token: node.admin.token })).status);
      void feed.closed.then((ended) => latencies.push(ended.at - started));
      await sleep(15);
    }
    killing = false;
    await killer;
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.ok(kills > 0, 'pub/sub connections were killed');
    await allClosed(keys.map((k) => k.feed), 'every session of a revoked key to close', 3000);
    for (const { feed } of keys) assert.deepEqual([feed.ended?.code, feed.ended?.reason], [1000, 'key_revoked']);
    for (const node of cluster.nodes) for (const { key } of keys) assert.equal(await authStatus(node, key), 403);
    // Another session with a revoked key is refused on every node.
    for (const node of cluster.nodes) assert.equal(await openFeed(node, keys[0].key), 403);
    assert.ok(percentile(latencies, 99) <= 1000, `revoke-to-close p99 ${percentile(latencies, 99)} ms while pub/sub was being killed`);
  });
});

describe('revocations during a Redis outage and across its restart (3 nodes)', { skip }, () => {
  const cluster = clusterOnOwnRedis();

  it('management answers 2xx without Redis, revoked keys lose their sessions everywhere, and nothing answers 500', async () => {
    const keys = await keysWithSessions(cluster.nodes, 12);
    const statuses: number[] = [];
    const call = async (node: TestNode, method: string, path: string, body?: unknown) => {
      const response = await node.request(method, path, { token: node.admin.token, body });
      statuses.push(response.status);
      return response;
    };

    await cluster.redis.kill();
    await waitFor(() => cluster.nodes.every((node) => !node.keygate.broker.health.up), 'every node to notice Redis is gone');
    // Revoked during the outage, each on a different node.
    const duringOutage = keys.slice(0, 6);
    for (const [i, { id }] of duringOutage.entries()) assert.equal((await call(cluster.nodes[i % 3], 'POST', `/v1/keys/${id}/revoke`)).status, 200);
    // The rest of management works too.
    const created = await call(cluster.nodes[1], 'POST', '/v1/keys', { name: 'made without redis' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await call(cluster.nodes[2], 'PATCH', `/v1/keys/${created.body.id}`, { permissions: ['read', 'trade'] })).status, 200);
    assert.equal((await call(cluster.nodes[0], 'POST', `/v1/keys/${created.body.id}/roll`, { graceSeconds: 0 })).status, 201);
    assert.equal((await call(cluster.nodes[1], 'GET', '/v1/keys')).status, 200);
    assert.equal((await call(cluster.nodes[2], 'DELETE', `/v1/keys/${keys[6].id}`)).status, 204);
    // A well-formed unknown key is still a 401, a cached live key still a 200.
    assert.equal(await authStatus(cluster.nodes[0], 'dsk_' + '0'.repeat(64)), 401);
    assert.equal(await authStatus(cluster.nodes[1], keys[11].key), 200);
    // Sessions of keys revoked during the outage closed on every node already: the store's log reached them.
    await allClosed([...duringOutage, keys[6]].map((k) => k.feed), 'sessions of keys revoked during the outage to close', 3000);

    await cluster.redis.restart();
    const back = Date.now();
    // Revoked right as Redis returns.
    const acrossRestart = keys.slice(7, 10);
    for (const [i, { id }] of acrossRestart.entries()) statuses.push((await cluster.nodes[i % 3].request('POST', `/v1/keys/${id}/revoke`, { token: cluster.nodes[i % 3].admin.token })).status);
    await allClosed(acrossRestart.map((k) => k.feed), 'sessions of keys revoked across the restart to close', 3000);
    assert.ok(Date.now() - back <= 3000);
    await waitFor(() => cluster.nodes.every((node) => node.keygate.broker.health.up), 'every node to be back on Redis', 5000);

    for (const node of cluster.nodes) for (const { key } of [...duringOutage, ...acrossRestart, keys[6]]) assert.equal(await authStatus(node, key), 403);
    for (const { feed } of [keys[10], keys[11]]) assert.equal(feed.ended, null, 'sessions of keys nobody revoked stay open');
    assert.deepEqual(statuses.filter((s) => s >= 500), [], `no 5xx from management: ${statuses.join(',')}`);
  });
});

describe('connection limits and presence after Redis restarts empty', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  let redis: TestRedisServer;
  let first: TestNode;
  let second: TestNode;
  let client: Centrifuge | undefined;
  before(async () => {
    redis = await TestRedisServer.start();
    // A 6 s presence TTL: a 2 s heartbeat, so the wait for every node's slots after the restart is 3 s.
    first = await startNode({ config: { redisUrl: redis.url, realtime: { presenceTtlSeconds: 6 } } });
    second = await startNode({ joinOf: first, config: { redisUrl: redis.url, realtime: { presenceTtlSeconds: 6 } } });
  });
  after(async () => {
    client?.disconnect();
    await second?.stop();
    await first?.stop();
    await redis?.kill();
  });

  it('re-asserts every node\'s slots within seconds, so a key limited to 2 connections cannot get a 3rd', async () => {
    const owner = await first.addUser({ wallets: [WALLET] });
    const { key, id } = await createKey(first, first.admin.token, { maxConnections: 2 });
    const feeds = [await mustOpenFeed(first, key), await mustOpenFeed(second, key)];
    assert.equal(await openFeed(second, key), 429, 'the limit holds before the restart');
    const watcher = await createKey(first, owner.token);
    client = officialClient(first, { token: watcher.key });
    const subscription = client.newSubscription(`maintenance:wallet:${WALLET}`);
    subscription.subscribe();
    client.connect();
    await nextEvent(subscription, 'subscribed');
    const presence = () => first.request('POST', '/api/presence_stats', { headers: { authorization: `apikey ${first.keygate.serverToken}` }, body: { channel: `maintenance:wallet:${WALLET}` } });
    assert.deepEqual((await presence()).body.result, { num_clients: 1, num_users: 1 });

    // A key the nodes never write: its absence after the restart proves Redis came back empty, even
    // when a node has already reconnected and re-asserted its slots by the time the test looks.
    assert.equal(await redis.command('SET keygate-test-sentinel 1'), '+OK\r\n');
    await redis.kill();
    await redis.restart();
    assert.equal(await redis.command('EXISTS keygate-test-sentinel'), ':0\r\n', 'Redis came back empty');
    const back = Date.now();
    await waitFor(async () => (await first.keygate.broker.countSlots(`conn:${id}`).catch(() => 0)) === 2, 'both connection slots to be re-asserted', 10_000);
    assert.ok(Date.now() - back <= 10_000);
    // Refused for a heartbeat as temporarily unavailable (a node may not have re-asserted yet), then at the limit.
    const third = await openFeed(second, key);
    assert.ok(third === 429 || third === 503, 'no 3rd connection after the restart');
    await waitFor(async () => (await openFeed(second, key)) === 429, 'the limit to be counted again', 10_000);
    await waitFor(async () => (await presence()).body?.result?.num_clients === 1, 'presence to count the subscriber again', 10_000);
    for (const feed of feeds) assert.equal(feed.ended, null, 'live sessions were not affected');
    for (const feed of feeds) feed.ws.close();
  });
});

describe('with Redis down, a node never accepts a possible replay and still throttles', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  const own = nodeOnOwnRedis({ verify: { failuresPerMinutePerIp: 3 } });

  it('answers a signed request 503 (its replay claim cannot be checked), an unknown key 401, then 429 past the budget', async () => {
    const user = await own.node.addUser();
    const pair = await own.node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'k', isInfo: true, isTrade: true, IpWhiteList: [] } });
    assert.equal(pair.status, 200, JSON.stringify(pair.body));
    const signed = () => fetch(`${own.node.url}/v1/auth`, { headers: { ...signHmac(pair.body.publicKey, pair.body.privateKey, 'GET', '/v1/auth').headers } });
    assert.equal((await signed()).status, 200);
    await own.redis.kill();
    await waitFor(() => !own.node.keygate.broker.health.up, 'the node to notice Redis is gone');
    const refused = await signed();
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as any).error.code, 'UNAVAILABLE');
    // Failures are counted on this node alone meanwhile: the budget still holds.
    const unknown = 'dsk_' + '2'.repeat(64);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await authStatus(own.node, unknown.slice(0, -1) + String(i)));
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });
});

describe('GET /readyz names the bus while Redis is down', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  const own = nodeOnOwnRedis();

  it('answers 200 with both backends up, 503 naming the bus while it is down, 200 again after', async () => {
    const ready = await own.node.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true, store: 'ok', bus: 'ok' });
    await own.redis.kill();
    const down = await waitFor(async () => {
      const response = await own.node.request('GET', '/readyz');
      return response.status === 503 ? response : null;
    }, '/readyz to answer 503');
    assert.deepEqual(down.body, { ready: false, store: 'ok', bus: 'down' });
    // What a Prometheus scrape shows meanwhile: the bus down and its errors counted.
    await waitFor(async () => (await metricValue(own.node, 'keygate_backend_up{backend="bus"}')) === 0, 'keygate_backend_up{backend="bus"} to be 0');
    assert.ok((await metricValue(own.node, 'keygate_backend_errors_total{backend="bus"}')) > 0, 'bus errors are counted');
    assert.equal((await own.node.request('GET', '/healthz')).status, 200, 'liveness is not readiness');
    await own.redis.restart();
    await waitFor(async () => (await own.node.request('GET', '/readyz')).status === 200, '/readyz to answer 200 again', 5000);
    await waitFor(async () => (await metricValue(own.node, 'keygate_backend_up{backend="bus"}')) === 1, 'keygate_backend_up{backend="bus"} to be 1 again', 5000);
  });
});
