import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../cli/run-cli.ts';
import { waitFor, withTimeout } from '../support/wait-for.ts';
import { createKey, nextEvent, officialClient, WALLET, walletOwnerSuite } from '../realtime/realtime-fixtures.ts';
import { authStatus, mustOpenFeed } from './fault-fixtures.ts';

// The default set-up: SQLite and the in-memory bus. The CLI is another process with its own memory
// bus, so only the durable key event log (read by the server through the file's change check) can
// tell the server about its revocation.
describe('a revoke or suspension made by the CLI on the default set-up (SQLite, memory bus)', () => {
  const suite = walletOwnerSuite();

  it('ends the feed and Centrifuge sessions and forward-auth refuses within 1 s', async () => {
    const { key, id } = await createKey(suite.node, suite.owner.token);
    const feed = await mustOpenFeed(suite.node, key);
    const client = officialClient(suite.node, { token: key });
    suite.clients.push(client);
    const subscription = client.newSubscription(`maintenance:wallet:${WALLET}`);
    subscription.subscribe();
    client.connect();
    await nextEvent(subscription, 'subscribed');
    assert.equal(await authStatus(suite.node, key), 200);

    let disconnectedAt = 0;
    const disconnected = new Promise<{ code: number; reason: string }>((resolve) =>
      client.once('disconnected', (ctx) => {
        disconnectedAt = Date.now();
        resolve(ctx);
      }),
    );
    // REDIS_URL points nowhere: management commands need only the store.
    const revoked = await runCli(['keys', 'revoke', id, '--org', suite.node.organizationId], { KEYGATE_DATA_DIR: suite.node.database.dataDir, REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(revoked.code, 0, revoked.stderr);
    const revokedAt = Date.parse(JSON.parse(revoked.stdout).revokedAt);

    const feedEnd = await withTimeout(feed.closed, 'the feed session to close', 3000);
    assert.deepEqual([feedEnd.code, feedEnd.reason], [1000, 'key_revoked']);
    assert.equal((await withTimeout(disconnected, 'the Centrifuge session to close', 3000)).code, 4501);
    assert.equal(await authStatus(suite.node, key), 403);
    assert.ok(feedEnd.at - revokedAt <= 1000, `feed closed ${feedEnd.at - revokedAt} ms after the CLI revoked the key`);
    assert.ok(disconnectedAt - revokedAt <= 1000, `Centrifuge session closed ${disconnectedAt - revokedAt} ms after the CLI revoked the key`);
  });

  it('keygate keys suspend ends the sessions on the running server (1000 key_disabled, 4504); keys resume lets the key in again', async () => {
    const { key, id } = await createKey(suite.node, suite.owner.token);
    const feed = await mustOpenFeed(suite.node, key);
    const client = officialClient(suite.node, { token: key });
    suite.clients.push(client);
    client.connect();
    await nextEvent(client, 'connected');
    // Listened for before the CLI starts; waited for (with its own bound) once it has run.
    const disconnected = new Promise<{ code: number; reason: string }>((resolve) => client.once('disconnected', resolve));
    const env = { KEYGATE_DATA_DIR: suite.node.database.dataDir, REDIS_URL: 'redis://127.0.0.1:1' };

    const suspended = await runCli(['keys', 'suspend', id], env);
    assert.equal(suspended.code, 0, suspended.stderr);
    assert.equal(JSON.parse(suspended.stdout).enabled, false);
    const feedEnd = await withTimeout(feed.closed, 'the feed session to close', 3000);
    assert.deepEqual([feedEnd.code, feedEnd.reason], [1000, 'key_disabled']);
    assert.equal((await withTimeout(disconnected, 'the Centrifuge session to close', 3000)).code, 4504);
    assert.equal(await authStatus(suite.node, key), 403);

    const resumed = await runCli(['keys', 'resume', id], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).enabled, true);
    await waitFor(async () => (await authStatus(suite.node, key)) === 200, 'the resumed key to verify on the server', 3000);
  });
});
