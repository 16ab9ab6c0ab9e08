import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { whenFound, withTimeout } from '../support/wait-for.ts';
import { centrifugeUrl, createKey, WALLET } from './realtime-fixtures.ts';

const CHANNEL = `maintenance:wallet:${WALLET}`;

/** A raw protocol client: sends frames, collects every JSON line received. */
async function rawClient(node: TestNode) {
  const ws = new WebSocket(centrifugeUrl(node));
  const lines: any[] = [];
  const frames: string[] = [];
  ws.on('message', (data) => {
    frames.push(data.toString());
    for (const line of data.toString().split('\n')) lines.push(JSON.parse(line));
  });
  const closing = new Promise<{ code: number; reason: string }>((settle) => ws.once('close', (code, reason) => settle({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waitFor = (predicate: (line: any) => boolean, ms = 2000) =>
    withTimeout(whenFound(ws, 'message', () => lines.find(predicate)), `a line matching ${predicate}`, ms);
  const waitClosed = (ms = 2000) => withTimeout(closing, 'the server to close the connection', ms);
  return { ws, lines, frames, waitFor, waitClosed, send: (...commands: unknown[]) => ws.send(commands.map((c) => JSON.stringify(c)).join('\n')) };
}

describe('Centrifuge protocol v2 JSON on the wire', () => {
  let node: TestNode;
  let owner: TestUser;
  let key: string;
  before(async () => {
    node = await startNode();
    owner = await node.addUser({ wallets: [WALLET] });
    key = (await createKey(node, owner.token)).key;
  });
  after(async () => node.stop());

  it('answers batched commands in order, replies batched in one frame, results always present', async () => {
    const client = await rawClient(node);
    client.send({ id: 1, connect: { token: key } }, { id: 2, subscribe: { channel: CHANNEL } }, { id: 3, presence_stats: { channel: CHANNEL } });
    const stats = await client.waitFor((l) => l.id === 3);
    assert.equal(client.frames.length, 1, 'one frame for the three replies');
    assert.deepEqual(client.lines.map((l) => l.id), [1, 2, 3]);
    const connect = client.lines[0].connect;
    assert.equal(typeof connect.client, 'string');
    assert.equal(typeof connect.version, 'string');
    assert.equal(connect.ping, 25);
    assert.equal(connect.pong, true);
    const subscribe = client.lines[1].subscribe;
    assert.equal(subscribe.recoverable, true);
    assert.equal(typeof subscribe.epoch, 'string');
    assert.deepEqual(stats.presence_stats, { num_clients: 1, num_users: 1 });

    client.send({ id: 4, presence: { channel: CHANNEL } }, { id: 5, unsubscribe: { channel: CHANNEL } });
    const presence = await client.waitFor((l) => l.id === 4);
    assert.deepEqual(Object.values(presence.presence.presence), [{ client: connect.client, user: owner.user.id }]);
    assert.deepEqual((await client.waitFor((l) => l.id === 5)).unsubscribe, {});
    client.ws.close();
  });

  it('delivers pushes, serves history with epoch and offsets, and takes the pong', async () => {
    const client = await rawClient(node);
    client.send({ id: 1, connect: { token: key } }, { id: 2, subscribe: { channel: CHANNEL } });
    const subscribed = await client.waitFor((l) => l.id === 2);
    await node.keygate.publish(CHANNEL, { risk: 2 });
    const push = await client.waitFor((l) => l.push?.pub);
    assert.equal(push.push.channel, CHANNEL);
    assert.deepEqual(push.push.pub.data, { risk: 2 });
    assert.equal(push.push.pub.offset, subscribed.subscribe.offset + 1);
    client.send({ id: 3, history: { channel: CHANNEL, limit: -1, since: { offset: subscribed.subscribe.offset, epoch: subscribed.subscribe.epoch } } });
    const history = (await client.waitFor((l) => l.id === 3)).history;
    assert.equal(history.epoch, subscribed.subscribe.epoch);
    assert.deepEqual(history.publications, [{ data: { risk: 2 }, offset: subscribed.subscribe.offset + 1 }]);
    client.ws.send('{}');
    client.send({ id: 4, subscribe: { channel: CHANNEL } });
    assert.equal((await client.waitFor((l) => l.id === 4)).error.code, 105);
    client.ws.close();
  });

  it('refuses any command before connect', async () => {
    const client = await rawClient(node);
    client.send({ id: 1, subscribe: { channel: CHANNEL } });
    const closed = await client.waitClosed();
    assert.equal(closed.code, 3501);
  });

  it('answers an unknown method with 104', async () => {
    const client = await rawClient(node);
    client.send({ id: 1, connect: { token: key } }, { id: 2, rpc: { method: 'x' } });
    assert.equal((await client.waitFor((l) => l.id === 2)).error.code, 104);
    client.ws.close();
  });

  it('connects with a connection token that expires, refreshes it, and drops the session on a forged one', async () => {
    const mint = async () => (await node.request('POST', '/v1/realtime/token', { headers: { 'x-api-key': key } })).body.token as string;
    const client = await rawClient(node);
    client.send({ id: 1, connect: { token: await mint() } });
    const connect = (await client.waitFor((l) => l.id === 1)).connect;
    assert.equal(connect.expires, true);
    assert.ok(connect.ttl > 200 && connect.ttl <= 300);
    client.send({ id: 2, refresh: { token: await mint() } });
    const refresh = (await client.waitFor((l) => l.id === 2)).refresh;
    assert.equal(refresh.client, connect.client);
    assert.equal(refresh.expires, true);
    client.send({ id: 3, refresh: { token: 'kgc_forged.1.x' } });
    assert.equal((await client.waitFor((l) => l.id === 3)).error.code, 101);
    assert.equal((await client.waitClosed()).code, 3500);
    assert.equal((await node.request('POST', '/v1/realtime/token')).status, 401);
  });

  it('connects a cached key, by API key or connection token, without reading the store', async () => {
    // Counts every read of the key and user repositories (the verifier and the gateway hold these same
    // objects); the batched last-used write may run meanwhile and is no read.
    let reads = 0;
    const restore: Array<() => void> = [];
    for (const repository of [node.keygate.store.keys, node.keygate.store.users] as unknown as Array<Record<string, unknown>>) {
      for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
        const method = repository[name];
        if (name === 'constructor' || name === 'touchLastUsed' || typeof method !== 'function') continue;
        repository[name] = (...args: unknown[]) => {
          reads += 1;
          return (method as (...a: unknown[]) => unknown).apply(repository, args);
        };
        restore.push(() => delete repository[name]);
      }
    }
    try {
      const connectOnce = async (token: string) => {
        const client = await rawClient(node);
        client.send({ id: 1, connect: { token } }, { id: 2, subscribe: { channel: CHANNEL } });
        const subscribed = await client.waitFor((l) => l.id === 2);
        assert.ok(subscribed.subscribe, JSON.stringify(subscribed));
        client.ws.close();
      };
      const fresh = (await createKey(node, owner.token)).key;
      await connectOnce(fresh);
      assert.ok(reads > 0, 'the first connect loads the key and its owner\'s wallets');
      const before = reads;
      await connectOnce(fresh);
      assert.equal(reads, before, 'a cached key connects with zero store reads');
      const minted = (await node.request('POST', '/v1/realtime/token', { headers: { 'x-api-key': fresh } })).body.token as string;
      const afterMint = reads;
      await connectOnce(minted);
      assert.equal(reads, afterMint, 'a connection token of a cached key too');
    } finally {
      for (const undo of restore) undo();
    }
  });

  it('frames each publication once and every size arrives intact (7-bit, 16-bit and 64-bit lengths)', async () => {
    const clients = [await rawClient(node), await rawClient(node)];
    for (const client of clients) client.send({ id: 1, connect: { token: key } }, { id: 2, subscribe: { channel: CHANNEL } });
    for (const client of clients) await client.waitFor((l) => l.id === 2);
    const sizes = [10, 200, 70_000];
    for (const size of sizes) await node.keygate.publish(CHANNEL, { fill: 'z'.repeat(size) });
    for (const client of clients) {
      for (const size of sizes) assert.equal((await client.waitFor((l) => l.push?.pub?.data?.fill?.length === size)).push.channel, CHANNEL);
      client.ws.close();
    }
  });

  it('ends sessions through the server API disconnect with a terminal code', async () => {
    const client = await rawClient(node);
    client.send({ id: 1, connect: { token: key } });
    await client.waitFor((l) => l.id === 1);
    const response = await node.request('POST', '/api/disconnect', { headers: { authorization: `apikey ${node.keygate.serverToken}` }, body: { user: owner.user.id } });
    assert.equal(response.status, 200);
    const closed = await client.waitClosed();
    assert.equal(closed.code, 3503);
    assert.equal(closed.reason, 'force_disconnect');
  });
});

describe('server API (Centrifugo style)', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());
  const api = (path: string, body: unknown, token?: string) =>
    node.request('POST', path, { headers: token === undefined ? {} : { authorization: `apikey ${token}` }, body });

  it('requires the server credential', async () => {
    assert.equal((await api('/api/publish', { channel: 'listings:binance', data: {} })).status, 401);
    assert.equal((await api('/api/publish', { channel: 'listings:binance', data: {} }, 'wrong-token-0000000')).status, 401);
  });

  it('publishes, broadcasts and reads history with offsets and one epoch', async () => {
    const token = node.keygate.serverToken;
    const first = await api('/api/publish', { channel: 'listings:binance', data: { symbol: 'ABC' } }, token);
    assert.equal(first.status, 200);
    assert.equal(first.body.result.offset, 1);
    const broadcast = await api('/api/broadcast', { channels: ['listings:binance', 'listings:okx'], data: { symbol: 'XYZ' } }, token);
    assert.deepEqual(broadcast.body.result.responses.map((r: any) => r.result.offset), [2, 1]);
    const history = await api('/api/history', { channel: 'listings:binance', limit: -1 }, token);
    assert.equal(history.status, 200);
    assert.equal(history.body.result.epoch, first.body.result.epoch);
    assert.deepEqual(history.body.result.publications, [
      { offset: 1, data: { symbol: 'ABC' } },
      { offset: 2, data: { symbol: 'XYZ' } },
    ]);
    assert.equal((await api('/api/publish', { channel: 'nope:x', data: {} }, token)).status, 400);
  });

  it('reports presence of a wallet channel however the server writes the address', async () => {
    const owner = await node.addUser({ wallets: [WALLET] });
    const { key } = await createKey(node, owner.token);
    const client = await rawClient(node);
    client.send({ id: 1, connect: { token: key } }, { id: 2, subscribe: { channel: CHANNEL } });
    await client.waitFor((l) => l.id === 2);
    const token = node.keygate.serverToken;
    const lowercase = CHANNEL.toLowerCase();
    const presence = await api('/api/presence', { channel: lowercase }, token);
    assert.equal(Object.keys(presence.body.result.presence).length, 1);
    const stats = await api('/api/presence_stats', { channel: lowercase }, token);
    assert.deepEqual(stats.body.result, { num_clients: 1, num_users: 1 });
    client.ws.close();
  });
});
