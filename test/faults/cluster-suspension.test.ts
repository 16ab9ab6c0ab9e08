import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Centrifuge } from 'centrifuge';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { waitFor, withTimeout } from '../support/wait-for.ts';
import { createKey, nextEvent, officialClient, WALLET } from '../realtime/realtime-fixtures.ts';
import { authStatus, mustOpenFeed } from './fault-fixtures.ts';

const skip = !process.env.DATABASE_URL || !process.env.REDIS_URL ? 'DATABASE_URL and REDIS_URL are needed' : false;

// Two nodes on one PostgreSQL database and one Redis (their own key prefix): a suspension made
// through one node reaches the other through the durable key event log.
describe('suspending a key on a PostgreSQL + Redis cluster', { skip }, () => {
  let first: TestNode;
  let second: TestNode;
  let owner: TestUser;
  const clients: Centrifuge[] = [];
  before(async () => {
    first = await startNode({ dialect: 'postgres', redis: true });
    second = await startNode({ joinOf: first, redis: true });
    owner = await first.addUser({ wallets: [WALLET] });
  });
  after(async () => {
    for (const client of clients) client.disconnect();
    await second?.stop();
    await first?.stop();
  });

  it('refuses the key and ends its sessions on every node, and resumes it on every node', async () => {
    const { key, id } = await createKey(first, first.admin.token, { ownerId: owner.user.id, maxConnections: 5 });
    const feeds = [await mustOpenFeed(first, key), await mustOpenFeed(second, key)];
    const client = officialClient(second, { token: key });
    clients.push(client);
    client.connect();
    await nextEvent(client, 'connected');
    const disconnected = nextEvent<{ code: number; reason: string }>(client, 'disconnected');
    // The other node has the key cached: the event must reach it, not a cache expiry.
    assert.deepEqual([await authStatus(first, key), await authStatus(second, key)], [200, 200]);

    const suspended = await first.request('PATCH', `/v1/keys/${id}`, { token: first.admin.token, body: { enabled: false } });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    for (const feed of feeds) {
      const end = await withTimeout(feed.closed, 'a feed session to close', 3000);
      assert.deepEqual([end.code, end.reason], [1000, 'key_disabled']);
    }
    assert.equal((await disconnected).code, 4504);
    assert.deepEqual([await authStatus(first, key), await authStatus(second, key)], [403, 403]);

    const resumed = await second.request('PATCH', `/v1/keys/${id}`, { token: second.admin.token, body: { enabled: true } });
    assert.equal(resumed.status, 200);
    await waitFor(async () => (await authStatus(first, key)) === 200, 'the key to verify again on the node that did not resume it', 3000);
    assert.equal(await authStatus(second, key), 200);
  });
});
