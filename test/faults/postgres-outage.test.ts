import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startNode, type TestNode } from '../support/harness.ts';
import { capturedLogger } from '../support/captured-log.ts';
import { metricValue } from '../support/metrics-scrape.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait-for.ts';
import { createKey } from '../realtime/realtime-fixtures.ts';
import { authStatus } from './fault-fixtures.ts';

// Node A reaches PostgreSQL through a TCP proxy the test cuts and restores; node B reaches it directly.
// Both share Redis (under their own key prefix).
const skip = !process.env.DATABASE_URL || !process.env.REDIS_URL ? 'DATABASE_URL and REDIS_URL are needed' : false;

describe('a PostgreSQL outage (through a TCP proxy that is cut and restored)', { skip }, () => {
  let proxy: TcpProxy;
  let direct: TestNode;
  let proxied: TestNode;
  const log = capturedLogger();
  before(async () => {
    direct = await startNode({ dialect: 'postgres', redis: true });
    const url = new URL(direct.database.databaseUrl!);
    proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    proxied = await startNode({ joinOf: direct, redis: true, logger: log.logger, config: { databaseUrl: url.toString(), verify: { lastUsedFlushMs: 100 } } });
  });
  after(async () => {
    await proxy?.restore();
    await proxied?.stop();
    await direct?.stop();
    await proxy?.stop();
  });

  it('keeps verifying cached keys, answers management with a clear 503, refuses a key revoked meanwhile, and catches up', async () => {
    const cached = await createKey(direct, direct.admin.token);
    const revokedMeanwhile = await createKey(direct, direct.admin.token);
    for (const { key } of [cached, revokedMeanwhile]) assert.equal(await authStatus(proxied, key), 200);

    const storeErrorsBefore = await metricValue(proxied, 'keygate_backend_errors_total{backend="store"}');
    await proxy.cut();
    const cutAt = Date.now();
    assert.equal(await authStatus(proxied, cached.key), 200, 'a cached key still verifies');
    const listing = await proxied.request('GET', '/v1/keys', { token: proxied.admin.token });
    assert.equal(listing.status, 503, JSON.stringify(listing.body));
    assert.equal(listing.body.error.code, 'UNAVAILABLE');
    assert.match(listing.body.error.message, /store is unavailable/);
    const revoke = await proxied.request('POST', `/v1/keys/${cached.id}/revoke`, { token: proxied.admin.token });
    assert.equal(revoke.status, 503);
    assert.equal(await authStatus(proxied, 'dsk_' + '1'.repeat(64)), 503, 'an unknown key cannot be looked up: 503, not a guess');
    const readiness = await proxied.request('GET', '/readyz');
    assert.deepEqual([readiness.status, readiness.body], [503, { ready: false, store: 'down', bus: 'ok' }]);
    // What a Prometheus scrape of this node shows meanwhile: the store down and its errors counted.
    assert.equal(await metricValue(proxied, 'keygate_backend_up{backend="store"}'), 0);
    assert.ok((await metricValue(proxied, 'keygate_backend_errors_total{backend="store"}')) > storeErrorsBefore, 'store errors are counted');

    // Revoked on the other node: the event reaches this one over Redis, so its cached copy goes and
    // the key is no longer accepted (it cannot be re-read, so 503 — never the stale 200).
    assert.equal((await direct.request('POST', `/v1/keys/${revokedMeanwhile.id}/revoke`, { token: direct.admin.token })).status, 200);
    assert.equal(await waitFor(async () => ((await authStatus(proxied, revokedMeanwhile.key)) === 503 ? 503 : null), 'the revoked key to stop verifying'), 503);
    assert.equal(await authStatus(proxied, cached.key), 200);

    await proxy.restore();
    const head = direct.keygate.keyEvents.position().appliedSeq;
    await waitFor(() => proxied.keygate.keyEvents.position().appliedSeq >= head, 'the proxied node to catch up on the key event log', 5000);
    assert.equal(await authStatus(proxied, revokedMeanwhile.key), 403);
    assert.equal((await proxied.request('GET', '/v1/keys', { token: proxied.admin.token })).status, 200);
    assert.equal((await proxied.request('GET', '/readyz')).status, 200);
    assert.equal(await metricValue(proxied, 'keygate_backend_up{backend="store"}'), 1);
    // Last-used times recorded during the outage were kept and written once the store was back.
    await waitFor(async () => ((await direct.keygate.store.keys.findById(cached.id))?.lastUsedAt ?? 0) >= cutAt, 'the last-used time from the outage to be written', 5000);

    const states = log.lines.filter((line) => line.backend === 'store').map((line) => line.msg);
    assert.deepEqual(states, ['PostgreSQL is unavailable; working without it until it answers again', 'PostgreSQL is back'], 'one line when it went, one when it came back');
    assert.equal(log.lines.filter((line) => line.level >= 50).length, 0, `no error lines: ${JSON.stringify(log.lines.filter((line) => line.level >= 50))}`);
  });

  it('a connection cut in the middle of a query fails that query only; the process does not crash and the pool recovers', async () => {
    // A pooled client is checked out for the whole query: the cut reaches it while it holds no
    // pool listener, which is when pg emits an 'error' event nobody would otherwise hear.
    const slow = sql`select pg_sleep(5)`.execute(proxied.keygate.store.db);
    const outcome = slow.then(() => 'finished', (error: Error) => error.message);
    await waitFor(async () => {
      const running = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(5)%'`.execute(direct.keygate.store.db);
      return running.rows[0].n > 0;
    }, 'the slow query to be running');
    await proxy.cut();
    assert.match(await outcome, /terminated|ECONNRESET|closed/i);
    await proxy.restore();
    await waitFor(async () => (await proxied.request('GET', '/readyz')).status === 200, 'the proxied node to be ready again', 5000);
    assert.equal((await proxied.request('GET', '/v1/keys', { token: proxied.admin.token })).status, 200);
  });
});
