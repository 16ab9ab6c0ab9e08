import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { EndReason } from '../../src/core/codes.ts';
import { historyLimit } from '../../src/realtime/centrifuge-commands.ts';
import type { LiveSession } from '../../src/realtime/live-session.ts';
import { MAX_BUFFERED_BYTES } from '../../src/realtime/websocket-session.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { centrifugeUrl, createKey, eventually, nextEvent, officialClient, rawCentrifuge, WALLET } from './realtime-fixtures.ts';

const CHANNEL = `maintenance:wallet:${WALLET}`;

/**
 * Watches a server-side session: the most bytes it ever had queued right after a send, and why it
 * ended. Reads the session's own socket counters (a test looks inside; the server does not expose them).
 */
function watchSession(session: LiveSession) {
  const seen = { maxBuffered: 0, sends: 0, ended: null as EndReason | null };
  const internals = session as unknown as { send(data: unknown): boolean; sendFrame(frame: unknown): boolean; bufferedBytes: number; end(reason: EndReason, message?: string): void };
  for (const method of ['send', 'sendFrame'] as const) {
    const original = internals[method].bind(session);
    internals[method] = (data: never) => {
      const sent = original(data);
      seen.sends += 1;
      seen.maxBuffered = Math.max(seen.maxBuffered, internals.bufferedBytes);
      return sent;
    };
  }
  const end = internals.end.bind(session);
  internals.end = (reason, message) => {
    seen.ended ??= reason;
    end(reason, message);
  };
  return seen;
}

describe('bounded memory: every send is bounded, a reader that stops is cut off', () => {
  let node: TestNode;
  let owner: TestUser;
  before(async () => {
    node = await startNode();
    owner = await node.addUser({ wallets: [WALLET] });
    // A full history of large publications: each history reply is about 200 KB.
    const data = { blob: 'x'.repeat(2000) };
    for (let n = 0; n < 100; n++) await node.keygate.publish(CHANNEL, { n, ...data });
  });
  after(async () => node.stop());

  it('a Centrifuge client that does not read, sending frames of history commands, cannot make the server queue more than the limit', async () => {
    const { key, id } = await createKey(node, owner.token);
    const client = await rawCentrifuge(node);
    client.send({ id: 1, connect: { token: key } });
    await client.waitFor((line) => line.id === 1);
    const [session] = node.keygate.realtime.context.hub.sessionsOf(id);
    const seen = watchSession(session);
    client.ws.pause(); // stops reading: the server's replies pile up
    let nextId = 2;
    for (let frame = 0; frame < 12; frame++) {
      client.send(...Array.from({ length: 15 }, () => ({ id: nextId++, history: { channel: CHANNEL, limit: -1 } })));
    }
    await eventually(() => session.closed, 10_000, 'the session ending');
    assert.equal(seen.ended, 'slow_consumer');
    assert.ok(seen.maxBuffered <= MAX_BUFFERED_BYTES, `queued ${seen.maxBuffered} bytes`);
    client.ws.terminate();
  });

  it('a feed client that floods {"type":"test"} without reading is cut off at the limit', async () => {
    const { key, id } = await createKey(node, owner.token);
    const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await eventually(() => node.keygate.realtime.context.hub.sessionsOf(id).length === 1, 2000, 'the session');
    const [session] = node.keygate.realtime.context.hub.sessionsOf(id);
    const seen = watchSession(session);
    ws.pause();
    const test = JSON.stringify({ type: 'test' });
    for (let i = 0; i < 80_000 && !session.closed; i++) {
      ws.send(test);
      if (i % 5000 === 4999) await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(() => session.closed, 10_000, 'the session ending');
    assert.equal(seen.ended, 'slow_consumer');
    assert.ok(seen.maxBuffered <= MAX_BUFFERED_BYTES, `queued ${seen.maxBuffered} bytes`);
    ws.terminate();
  });

  it('refuses a frame with more commands than the cap (3501), and caps history limits', async () => {
    const { key } = await createKey(node, owner.token);
    const client = await rawCentrifuge(node);
    client.send({ id: 1, connect: { token: key } });
    await client.waitFor((line) => line.id === 1);
    const cap = node.keygate.realtime.context.settings.maxCommandsPerFrame;
    client.send(...Array.from({ length: cap + 1 }, (_, i) => ({ id: i + 2, ping: {} })));
    const closed = await client.waitClosed();
    assert.equal(closed.code, 3501);
    assert.match(closed.reason, /commands per frame/);

    assert.equal(historyLimit(-1, 100), 100);
    assert.equal(historyLimit(5000, 1000), 1000);
    assert.equal(historyLimit(7, 1000), 7);
    assert.equal(historyLimit(0, 1000), 0);
    assert.equal(historyLimit('many', 1000), 0);
    assert.equal(node.keygate.realtime.context.settings.historyLimit, 100, 'never more than the history keeps');
  });
});

describe('bounded sockets: connect timeout, unauthenticated sockets, subscriptions per connection', () => {
  let node: TestNode;
  let owner: TestUser;
  before(async () => {
    node = await startNode({
      config: { realtime: { connectTimeoutSeconds: 1, pingIntervalSeconds: 60, maxPendingConnectionsPerAddress: 3, maxPendingConnections: 4, maxSubscriptionsPerConnection: 2 } },
    });
    owner = await node.addUser({ wallets: [WALLET] });
  });
  after(async () => node.stop());

  /**
   * Opens a WebSocket to the Centrifuge endpoint from `localAddress` (and, when given, the client
   * address a proxy on loopback reports in X-Forwarded-For); resolves with it, or the refusal's status and Retry-After.
   */
  const open = (localAddress = '127.0.0.1', forwardedFor?: string) =>
    new Promise<WebSocket | { status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const ws = new WebSocket(centrifugeUrl(node), { localAddress, headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {} });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_request, response) => {
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
        ws.terminate();
      });
      ws.once('error', (error) => {
        if (!String(error.message).includes('Unexpected server response')) reject(error);
      });
    });
  const closedWith = (ws: WebSocket) => new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));

  it('closes a socket that never connects after the connect timeout, on its own timer (not the ping tick)', async () => {
    const ws = await open();
    assert.ok(ws instanceof WebSocket);
    const started = Date.now();
    const [code, reason] = await closedWith(ws);
    const elapsed = Date.now() - started;
    assert.equal(code, 3501);
    assert.equal(reason, 'connect timeout');
    assert.ok(elapsed >= 900 && elapsed < 2500, `closed after ${elapsed} ms (ping interval 60 s)`);
  });

  it('caps unauthenticated sockets per address (429) and per node (503), and frees a place on connect', async () => {
    const held = [await open(), await open(), await open()] as WebSocket[];
    assert.ok(held.every((ws) => ws instanceof WebSocket));
    assert.equal(node.keygate.realtime.pendingConnections('127.0.0.1'), 3);
    assert.deepEqual(await open(), { status: 429, retryAfter: '5' });

    const other = await open('127.0.0.2');
    assert.ok(other instanceof WebSocket, 'another address still gets in');
    assert.deepEqual(await open('127.0.0.3'), { status: 503, retryAfter: '5' }, 'the node holds its total');

    // A socket that authenticates gives its place back.
    const { key } = await createKey(node, owner.token);
    held[0].send(JSON.stringify({ id: 1, connect: { token: key } }));
    await eventually(() => node.keygate.realtime.pendingConnections('127.0.0.1') === 2, 2000, 'place released');
    const again = await open();
    assert.ok(again instanceof WebSocket);
    for (const ws of [...held, other, again]) ws.terminate();
    await eventually(() => node.keygate.realtime.pendingConnections() === 0, 2000, 'every place released');
  });

  it('counts an IPv6 client per /64: addresses of its own network share one cap', async () => {
    // A proxy on loopback (trusted by default) reports the clients; each IPv6 subscriber holds a /64.
    const held = [await open('127.0.0.1', '2001:db8:1:2::a'), await open('127.0.0.1', '2001:db8:1:2::b'), await open('127.0.0.1', '2001:db8:1:2:ffff::c')];
    assert.ok(held.every((ws) => ws instanceof WebSocket));
    assert.deepEqual(await open('127.0.0.1', '2001:db8:1:2:1234:5678:9abc:def0'), { status: 429, retryAfter: '5' }, 'a fourth address of the same /64');
    const neighbour = await open('127.0.0.1', '2001:db8:1:3::a');
    assert.ok(neighbour instanceof WebSocket, 'the next /64 is another client');
    for (const ws of [...held, neighbour] as WebSocket[]) ws.terminate();
    await eventually(() => node.keygate.realtime.pendingConnections() === 0, 2000, 'every place released');
  });

  it('caps subscriptions per connection with 106', async () => {
    const { key } = await createKey(node, owner.token, { allowedExchanges: ['*'] });
    const c = officialClient(node, { token: key });
    c.connect();
    await nextEvent(c, 'connected');
    for (const exchange of ['binance', 'okx']) {
      const sub = c.newSubscription(`listings:${exchange}`);
      sub.subscribe();
      await nextEvent(sub, 'subscribed');
    }
    const third = c.newSubscription('listings:bybit');
    third.subscribe();
    const refused = await nextEvent(third, 'unsubscribed');
    assert.equal(refused.code, 106);
    assert.match(refused.reason, /2 subscriptions/);
    c.disconnect();
  });
});
