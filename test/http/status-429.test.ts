import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, forwardAuth, seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`429 Too Many Requests (${dialect})`, () => {
    let node: TestNode;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock(Date.now());
      node = await startNode({
        dialect,
        clock,
        config: { verify: { failuresPerMinutePerIp: 4 }, keys: { tiers: { enterprise: { maxConnections: 5, requestsPerMinute: 2 } } } },
      });
    });
    after(async () => node.stop());

    it('forward-auth throttles an address that keeps presenting unknown keys', async () => {
      const valid = await seedKey(node, node.admin.token);
      assert.equal((await forwardAuth(node, { 'x-api-key': valid.key, 'x-real-ip': '198.51.100.5' })).status, 200);
      for (let i = 0; i < 4; i++) {
        assertError(await forwardAuth(node, { 'x-api-key': 'dsk_' + randomBytes(32).toString('hex'), 'x-real-ip': '198.51.100.5' }), 401, 'NOT_FOUND');
      }
      assertError(await forwardAuth(node, { 'x-api-key': 'dsk_' + randomBytes(32).toString('hex'), 'x-real-ip': '198.51.100.5' }), 429, 'RATE_LIMITED');
      assert.equal((await forwardAuth(node, { 'x-api-key': valid.key, 'x-real-ip': '198.51.100.5' })).status, 200, 'a cached valid key still passes');
      assertError(await forwardAuth(node, { 'x-api-key': 'dsk_' + randomBytes(32).toString('hex'), 'x-real-ip': '198.51.100.6' }), 401, 'NOT_FOUND');
      clock.advance(61_000);
      assertError(await forwardAuth(node, { 'x-api-key': 'dsk_' + randomBytes(32).toString('hex'), 'x-real-ip': '198.51.100.5' }), 401, 'NOT_FOUND');
    });

    it('a key over its tier request rate answers 429', async () => {
      const key = await seedKey(node, node.admin.token, { tier: 'enterprise' });
      assert.equal((await forwardAuth(node, { 'x-api-key': key.key })).status, 200);
      assert.equal((await forwardAuth(node, { 'x-api-key': key.key })).status, 200);
      assertError(await forwardAuth(node, { 'x-api-key': key.key }), 429, 'RATE_LIMITED');
    });

    it('management authentication throttles an address after repeated bad tokens', async () => {
      for (let i = 0; i < 4; i++) {
        assertError(await node.request('GET', '/v1/keys', { token: 'kgm_' + randomBytes(32).toString('hex') }), 401, 'UNAUTHENTICATED');
      }
      assertError(await node.request('GET', '/v1/keys', { token: node.admin.token }), 429, 'RATE_LIMITED');
      const audit = await node.keygate.store.audit.list({});
      assert.ok(audit.filter((e) => e.action === 'auth.management' && e.outcome === 'denied').length >= 4, 'failed sign-ins are audited');
      clock.advance(61_000);
      assert.equal((await node.request('GET', '/v1/keys', { token: node.admin.token })).status, 200);
    });
  });
}
