import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ManualClock } from '../../src/core/clock.ts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { waitFor, whenFound, withTimeout } from '../support/wait-for.ts';
import { createKey } from './realtime-fixtures.ts';

interface FeedClient {
  readonly ws: WebSocket;
  readonly messages: any[];
  closed(ms?: number): Promise<{ code: number; reason: string }>;
  next(predicate: (m: any) => boolean, ms?: number): Promise<any>;
}

function feedUrl(node: TestNode, path = '/', query = ''): string {
  return node.url.replace(/^http/, 'ws') + path + query;
}

/** Opens a feed connection; resolves with the client or the handshake's HTTP status. */
function openFeed(url: string, headers: Record<string, string> = {}): Promise<FeedClient | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    const closing = new Promise<{ code: number; reason: string }>((settle) => ws.once('close', (code, reason) => settle({ code, reason: reason.toString() })));
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed: (ms = 2000) => withTimeout(closing, 'the feed to close', ms),
        next: (predicate, ms = 2000) => withTimeout(whenFound(ws, 'message', () => messages.find(predicate)), `a feed message matching ${predicate}`, ms),
      }),
    );
  });
}

async function open(url: string, headers: Record<string, string> = {}): Promise<FeedClient> {
  const result = await openFeed(url, headers);
  if (typeof result === 'number') throw new Error(`handshake refused with ${result}`);
  return result;
}

for (const dialect of dialects()) {
  describe(`spec 002 feed over WebSocket (${dialect})`, () => {
    let node: TestNode;
    let user: TestUser;
    before(async () => {
      node = await startNode({ dialect });
      user = await node.addUser();
    });
    after(async () => node.stop());
    const adminKey = (body: Record<string, unknown>) => createKey(node, node.admin.token, { ownerId: user.user.id, ...body });

    it('refuses the handshake: 401 without a key, 403 for an invalid or revoked one', async () => {
      assert.equal(await openFeed(feedUrl(node)), 401);
      assert.equal(await openFeed(feedUrl(node), { 'X-API-Key': 'dsk_' + 'ab'.repeat(32) }), 403);
      assert.equal(await openFeed(feedUrl(node), { 'X-API-Key': 'not-a-key' }), 403);
      const revoked = await createKey(node, user.token);
      await node.request('POST', `/v1/keys/${revoked.id}/revoke`, { token: node.admin.token });
      assert.equal(await openFeed(feedUrl(node), { 'X-API-Key': revoked.key }), 403);
    });

    it('welcomes an accepted key with its tier, limits, exchanges and remaining lifetime', async () => {
      const { key } = await adminKey({ tier: 'premium', maxConnections: 3, allowedExchanges: ['binance', 'okx'], expiresInSeconds: 3600 });
      const client = await open(feedUrl(node), { 'X-API-Key': key });
      const welcome = await client.next((m) => m.type === 'welcome');
      assert.deepEqual(Object.keys(welcome).sort(), ['allowedCex', 'expiresInSecs', 'maxConnections', 'tier', 'type']);
      assert.equal(welcome.tier, 'premium');
      assert.equal(welcome.maxConnections, 3);
      assert.deepEqual(welcome.allowedCex, ['binance', 'okx']);
      assert.ok(welcome.expiresInSecs > 3590 && welcome.expiresInSecs <= 3600);
      const forever = await open(feedUrl(node, '/feed'), { 'X-API-Key': (await createKey(node, user.token)).key });
      assert.equal((await forever.next((m) => m.type === 'welcome')).expiresInSecs, null);
      client.ws.close();
      forever.ws.close();
    });

    it('reports in the welcome the exchanges the session receives: the key\'s, narrowed by ?cex=', async () => {
      const welcomeOf = async (key: string, query = '') => {
        const client = await open(feedUrl(node, '/', query), { 'X-API-Key': key });
        const welcome = await client.next((m) => m.type === 'welcome');
        client.ws.close();
        return welcome.allowedCex;
      };
      const some = await adminKey({ allowedExchanges: ['binance', 'okx'] });
      assert.deepEqual(await welcomeOf(some.key, '?cex=okx,kraken'), ['okx']);
      assert.deepEqual(await welcomeOf(some.key, '?cex=kraken'), []);
      const every = await adminKey({ allowedExchanges: ['*'] });
      assert.deepEqual(await welcomeOf(every.key), ['*']);
      assert.deepEqual(await welcomeOf(every.key, '?cex=OKX,binance'), ['okx', 'binance']);
    });

    it('accepts the key in the api_key query parameter too', async () => {
      const { key } = await createKey(node, user.token);
      const client = await open(feedUrl(node, '/', `?api_key=${key}`));
      await client.next((m) => m.type === 'welcome');
      client.ws.close();
    });

    it('sends announcements only for allowed exchanges within the cex filter, and answers a test message', async () => {
      const { key } = await createKey(node, user.token, { allowedExchanges: ['binance', 'okx', 'bybit'] });
      const filtered = await open(feedUrl(node, '/', '?cex=okx,bybit,kraken'), { 'X-API-Key': key });
      const all = await open(feedUrl(node), { 'X-API-Key': key });
      await filtered.next((m) => m.type === 'welcome');
      await all.next((m) => m.type === 'welcome');
      for (const exchange of ['binance', 'okx', 'kraken']) await node.keygate.publish(`listings:${exchange}`, { title: `${exchange} lists NEW`, ticker: 'NEW', publisher: exchange });
      await all.next((m) => m.type === 'announcement' && m.publisher === 'okx');
      await filtered.next((m) => m.type === 'announcement' && m.publisher === 'okx');
      const announced = (c: FeedClient) => c.messages.filter((m) => m.type === 'announcement').map((m) => m.publisher);
      assert.deepEqual(announced(filtered), ['okx']);
      assert.deepEqual(announced(all), ['binance', 'okx']);
      assert.equal(all.messages.find((m) => m.publisher === 'binance').title, 'binance lists NEW');

      filtered.ws.send(JSON.stringify({ type: 'test' }));
      const test = await filtered.next((m) => m.type === 'announcement' && m.test === true);
      assert.ok(['okx', 'bybit'].includes(test.publisher));
      assert.equal(typeof test.title, 'string');
      filtered.ws.close();
      all.ws.close();
    });

    it('refuses connections beyond the key\'s maximum with 429', async () => {
      const { key } = await adminKey({ maxConnections: 2 });
      const first = await open(feedUrl(node), { 'X-API-Key': key });
      const second = await open(feedUrl(node), { 'X-API-Key': key });
      assert.equal(await openFeed(feedUrl(node), { 'X-API-Key': key }), 429);
      first.ws.close();
      await first.closed();
      await waitFor(async () => {
        const again = await openFeed(feedUrl(node), { 'X-API-Key': key });
        if (typeof again === 'number') return false;
        again.ws.close();
        return true;
      }, 'the closed connection\'s slot to be released', 2000);
      second.ws.close();
    });

    it('closes with 1000 key_revoked when the key is revoked', async () => {
      const { key, id } = await createKey(node, user.token);
      const clients = [await open(feedUrl(node), { 'X-API-Key': key }), await open(feedUrl(node), { 'X-API-Key': key })];
      const started = Date.now();
      await node.request('POST', `/v1/keys/${id}/revoke`, { token: node.admin.token });
      for (const client of clients) assert.deepEqual(await client.closed(), { code: 1000, reason: 'key_revoked' });
      assert.ok(Date.now() - started < 1000);
    });

    it('closes with 1000 key_expired when the key expires', async () => {
      const { key } = await createKey(node, user.token, { expiresInSeconds: 1 });
      const client = await open(feedUrl(node), { 'X-API-Key': key });
      assert.deepEqual(await client.closed(3000), { code: 1000, reason: 'key_expired' });
    });

    it('closes with 1000 key_invalidated when the key no longer allows what the session receives', async () => {
      const { key, id } = await createKey(node, user.token, { allowedExchanges: ['binance', 'okx'] });
      const client = await open(feedUrl(node, '/', '?cex=okx'), { 'X-API-Key': key });
      await client.next((m) => m.type === 'welcome');
      await node.request('PATCH', `/v1/keys/${id}`, { token: user.token, body: { allowedExchanges: ['binance'] } });
      assert.deepEqual(await client.closed(), { code: 1000, reason: 'key_invalidated' });
    });

    it('closes with 1000 key_revoked when a roll\'s grace period ends', async () => {
      const { key, id } = await createKey(node, user.token);
      const client = await open(feedUrl(node), { 'X-API-Key': key });
      await client.next((m) => m.type === 'welcome');
      const rolled = await node.request('POST', `/v1/keys/${id}/roll`, { token: node.admin.token, body: { graceSeconds: 1 } });
      assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
      assert.deepEqual(await client.closed(3000), { code: 1000, reason: 'key_revoked' });
    });
  });
}

for (const dialect of dialects()) {
  // Expiry is decided on the node's clock; a ManualClock moves it without waiting for a second to pass.
  describe(`spec 002 feed handshake once a key has expired (${dialect}, injected clock)`, () => {
    let node: TestNode;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock(Date.now());
      node = await startNode({ dialect, clock });
    });
    after(async () => node.stop());

    it('refuses the handshake with 403 from the instant the key expires', async () => {
      const expiring = await createKey(node, node.member.token, { expiresInSeconds: 1 });
      clock.advance(999);
      const live = await open(feedUrl(node), { 'X-API-Key': expiring.key });
      await live.next((m) => m.type === 'welcome');
      live.ws.close();
      await live.closed();
      clock.advance(1);
      assert.equal(await openFeed(feedUrl(node), { 'X-API-Key': expiring.key }), 403);
    });
  });
}

describe('feed handshake client address behind proxies', () => {
  it('believes X-Forwarded-For only from a trusted proxy, as HTTP does', async () => {
    const allowlisted = { 'X-Forwarded-For': '203.0.113.7' };
    // The test connects from 127.0.0.1; with only 10.0.0.1 trusted, its X-Forwarded-For is a claim, not a fact.
    const guarded = await startNode({ config: { trustProxy: '10.0.0.1' } });
    const open = await startNode({ config: { trustProxy: true } });
    try {
      for (const [node, expected] of [[guarded, 403], [open, 'accepted']] as const) {
        const { key } = await createKey(node, node.admin.token, { ipAllowlist: ['203.0.113.7'] });
        const result = await openFeed(feedUrl(node), { 'X-API-Key': key, ...allowlisted });
        if (typeof result === 'number') assert.equal(result, expected);
        else {
          assert.equal(expected, 'accepted');
          result.ws.close();
        }
      }
    } finally {
      await guarded.stop();
      await open.stop();
    }
  });
});
