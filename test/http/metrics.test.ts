import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { withTimeout, waitFor } from '../support/wait-for.ts';
import { createKey, nextEvent, officialClient, WALLET, walletOwnerSuite } from '../realtime/realtime-fixtures.ts';
import { authStatus, mustOpenFeed } from '../faults/fault-fixtures.ts';
import { sampleValue, scrapeMetrics } from '../support/metrics-scrape.ts';

const scrape = scrapeMetrics;
const value = sampleValue;

describe('GET /metrics (Prometheus text format)', () => {
  const suite = walletOwnerSuite();

  it('every series is keygate_…, the default process metrics included', async () => {
    const samples = await scrape(suite.node);
    assert.ok(samples.size > 20);
    for (const series of samples.keys()) assert.match(series, /^keygate_/, series);
    assert.ok(samples.has('keygate_process_cpu_user_seconds_total'), 'default process metrics');
    assert.ok(samples.has('keygate_nodejs_eventloop_lag_seconds'), 'default Node.js metrics');
    assert.equal(value(samples, 'keygate_backend_up{backend="store"}'), 1);
    assert.equal(value(samples, 'keygate_backend_up{backend="bus"}'), 1);
  });

  it('verifications, cache lookups, live sessions, publications, deliveries, a revoke and the key event log move the series', async () => {
    const before = await scrape(suite.node);
    const { key, id } = await createKey(suite.node, suite.node.admin.token, { ownerId: suite.owner.user.id, maxConnections: 5 });
    assert.equal(await authStatus(suite.node, key), 200);
    assert.equal(await authStatus(suite.node, key), 200);
    assert.equal(await authStatus(suite.node, 'dsk_' + '0'.repeat(64)), 401);

    const feed = await mustOpenFeed(suite.node, key);
    const client = officialClient(suite.node, { token: key });
    suite.clients.push(client);
    const subscription = client.newSubscription(`maintenance:wallet:${WALLET}`);
    subscription.subscribe();
    client.connect();
    await nextEvent(subscription, 'subscribed');
    const live = await scrape(suite.node);
    assert.equal(value(live, 'keygate_live_sessions{protocol="feed"}') - value(before, 'keygate_live_sessions{protocol="feed"}'), 1);
    assert.equal(value(live, 'keygate_live_sessions{protocol="centrifuge"}') - value(before, 'keygate_live_sessions{protocol="centrifuge"}'), 1);

    const publication = nextEvent(subscription, 'publication');
    await suite.node.keygate.publish(`maintenance:wallet:${WALLET}`, { riskFactor: '0.1' });
    await publication;

    const disconnected = nextEvent(client, 'disconnected');
    assert.equal((await suite.node.request('POST', `/v1/keys/${id}/revoke`, { token: suite.node.admin.token })).status, 200);
    await withTimeout(feed.closed, 'the feed to close');
    await disconnected;

    const after = await scrape(suite.node);
    const moved = (series: string) => value(after, series) - value(before, series);
    assert.ok(moved('keygate_verifications_total{scheme="opaque",code="VALID"}') >= 4, 'two forward-auth checks and two connects');
    assert.equal(moved('keygate_verifications_total{scheme="unknown",code="NOT_FOUND"}'), 1);
    assert.ok(moved('keygate_verification_duration_seconds_count{scheme="opaque"}') >= 4);
    assert.ok(moved('keygate_key_cache_lookups_total{result="hit"}') >= 1);
    assert.ok(moved('keygate_key_cache_lookups_total{result="miss"}') >= 2, 'the new key and the unknown key were read from the store');
    assert.equal(moved('keygate_sessions_ended_total{protocol="feed",reason="key_revoked"}'), 1);
    assert.equal(moved('keygate_sessions_ended_total{protocol="centrifuge",reason="key_revoked"}'), 1);
    assert.equal(moved('keygate_revoke_to_close_seconds_count{reason="key_revoked"}'), 2);
    assert.ok(value(after, 'keygate_revoke_to_close_seconds_bucket{le="1",reason="key_revoked"}') >= 2, 'both closed within a second');
    assert.equal(moved('keygate_publications_total'), 1);
    assert.ok(moved('keygate_deliveries_total') >= 1);
    assert.ok(moved('keygate_key_events_applied_seq') >= 2, 'the create and the revoke were applied');
    assert.equal(value(after, 'keygate_key_events_behind'), 0);
    assert.equal(value(after, 'keygate_live_sessions{protocol="feed"}'), value(before, 'keygate_live_sessions{protocol="feed"}'));
  });

  it('a client that goes away counts as peer_closed', async () => {
    const before = await scrape(suite.node);
    const { key } = await createKey(suite.node, suite.owner.token);
    const feed = await mustOpenFeed(suite.node, key);
    feed.ws.close();
    await waitFor(async () => value(await scrape(suite.node), 'keygate_sessions_ended_total{protocol="feed",reason="peer_closed"}') > value(before, 'keygate_sessions_ended_total{protocol="feed",reason="peer_closed"}'), 'the peer close to be counted');
  });
});

describe('GET /metrics with metrics.token', () => {
  const token = 'scrape-token-0123456789';
  let node: TestNode;
  before(async () => {
    node = await startNode({ config: { metrics: { token } } });
  });
  after(async () => node.stop());

  it('answers 401 without the Bearer token or with a wrong one, and the metrics with it', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, token]) {
      const response = await fetch(`${node.url}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(response.status, 401, String(authorization));
      assert.equal((await response.json()).error.code, 'UNAUTHENTICATED');
    }
    const samples = await scrape(node, { authorization: `Bearer ${token}` });
    assert.ok(samples.has('keygate_process_cpu_user_seconds_total'));
  });
});
