import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KEY_EVENTS_TOPIC } from '../../src/bus/topics.ts';
import type { KeyEvent } from '../../src/core/key-event.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { Principal } from '../../src/core/principal.ts';
import type { RequestFacts } from '../../src/core/request-facts.ts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { withTimeout } from '../support/wait-for.ts';

const facts = (key: string, ip = '192.0.2.10'): RequestFacts => ({ method: 'GET', url: '/', headers: { 'x-api-key': key }, ip });
const unknownKey = () => 'dsk_' + randomBytes(32).toString('hex');

/**
 * Listens on `node`'s broker for the `type` event of a key; call it before the change that announces
 * the event and await the function it returns after. A broker hands a message to a topic's subscribers
 * in the order they subscribed, and the node subscribed its own handler (verifier first) when it
 * started, so once this listener has the event the node's verifier has dropped its cached copy.
 */
async function keyEventHeard(node: TestNode, keyId: string, type: KeyEvent['type']): Promise<() => Promise<void>> {
  let heard!: () => void;
  const arrived = new Promise<void>((resolve) => (heard = resolve));
  const stop = await node.keygate.broker.subscribe(KEY_EVENTS_TOPIC, (message) => {
    const event = message as KeyEvent;
    if (event.type !== 'user_changed' && event.keyId === keyId && event.type === type) heard();
  });
  return () => withTimeout(arrived, `the ${type} event of key ${keyId}`).finally(stop);
}

for (const dialect of dialects()) {
  describe(`verifier (${dialect})`, () => {
    let node: TestNode;
    let clock: ManualClock;
    let admin: Principal;
    let lookups = 0;
    /** While set, a store lookup reads the store at once but hands its answer back only when this opens. */
    let gate: Promise<void> | null = null;

    before(async () => {
      clock = new ManualClock();
      node = await startNode({
        dialect,
        clock,
        config: {
          verify: { failuresPerMinutePerIp: 5, lastUsedFlushMs: 3_600_000 },
          keys: { tiers: { enterprise: { maxConnections: 5, requestsPerMinute: 3 } } },
        },
      });
      admin = await node.keygate.tokens.principalFor(node.admin.user.id, 'test', '127.0.0.1');
      // Counts store lookups without changing them: the verifier holds this same repository object.
      const repository = node.keygate.store.keys;
      const findByLookup = repository.findByLookup.bind(repository);
      repository.findByLookup = async (...args) => {
        lookups += 1;
        const found = await findByLookup(...args);
        if (gate) await gate;
        return found;
      };
    });
    after(async () => node.stop());

    const create = (input: Partial<Parameters<TestNode['keygate']['keys']['create']>[1]> = {}) =>
      node.keygate.keys.create(admin, { name: `k-${randomBytes(3).toString('hex')}`, permissions: ['read'], ...input });

    it('accepts a live key and reports who it belongs to', async () => {
      const { key, secret } = await create();
      const verdict = await node.keygate.verifier.verify(facts(secret!), { permission: 'read' });
      assert.equal(verdict.code, 'VALID');
      assert.equal(verdict.valid, true);
      assert.equal(verdict.key?.id, key.id);
    });

    it('refuses malformed keys before any store lookup, and tells a missing key from a malformed one', async () => {
      const before = lookups;
      const request = (headers: Record<string, string>, url = '/'): RequestFacts => ({ method: 'GET', url, headers, ip: '192.0.2.10' });
      // A credential that is present but not a dsk_ key is MALFORMED wherever it was sent; only a
      // request that carries no credential at all is MISSING.
      const cases: Array<[string, RequestFacts, 'MALFORMED' | 'MISSING']> = [
        ['too short', facts('dsk_123'), 'MALFORMED'],
        ['not hex', facts('dsk_' + 'G'.repeat(64)), 'MALFORMED'],
        ['uppercase hex', facts('dsk_' + 'A'.repeat(64)), 'MALFORMED'],
        ['another prefix', facts('sk_live_abc'), 'MALFORMED'],
        ['too long', facts('dsk_' + 'a'.repeat(65)), 'MALFORMED'],
        ['empty X-API-Key header', facts(''), 'MALFORMED'],
        ['blank X-API-Key header', facts('   '), 'MALFORMED'],
        ['malformed bearer key', request({ authorization: 'Bearer dsk_123' }), 'MALFORMED'],
        ['empty api_key parameter', request({}, '/?api_key='), 'MALFORMED'],
        ['no credential', request({}), 'MISSING'],
        ['another Authorization scheme', request({ authorization: 'Basic dXNlcjpwYXNz' }), 'MISSING'],
      ];
      for (const [label, input, expected] of cases) {
        const verdict = await node.keygate.verifier.verify(input);
        assert.equal(verdict.code, expected, label);
        assert.equal(verdict.valid, false, label);
      }
      assert.equal(lookups, before, 'no store lookup for any of them');
    });

    it('remembers unknown keys for 30 seconds so repeats never reach the store', async () => {
      const key = unknownKey();
      const start = lookups;
      assert.equal((await node.keygate.verifier.verify(facts(key, '198.51.100.1'))).code, 'NOT_FOUND');
      assert.equal(lookups, start + 1);
      for (let i = 0; i < 10; i++) assert.equal((await node.keygate.verifier.verify(facts(key, '198.51.100.1'))).code, 'NOT_FOUND');
      clock.advance(29_000);
      assert.equal((await node.keygate.verifier.verify(facts(key, '198.51.100.1'))).code, 'NOT_FOUND');
      assert.equal(lookups, start + 1, 'still answered from the negative cache');
      clock.advance(1_500);
      assert.equal((await node.keygate.verifier.verify(facts(key, '198.51.100.1'))).code, 'NOT_FOUND');
      assert.equal(lookups, start + 2, 'looked up again once 30 s passed');
    });

    it('serves known keys from the cache', async () => {
      const { secret } = await create();
      await node.keygate.verifier.verify(facts(secret!));
      const start = lookups;
      for (let i = 0; i < 20; i++) assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'VALID');
      assert.equal(lookups, start);
    });

    it('answers in the same tick whenever no I/O is needed, and through a promise when the store or a limit counter is asked', async () => {
      const { verifier } = node.keygate;
      const { secret } = await create();
      const unknown = unknownKey();
      const first = verifier.verifyNow(facts(secret!));
      assert.ok(first instanceof Promise, 'an uncached key is read from the store');
      assert.equal((await first).code, 'VALID');
      const firstUnknown = verifier.verifyNow(facts(unknown, '198.51.100.77'));
      assert.ok(firstUnknown instanceof Promise, 'an unknown key is looked up in the store once');
      assert.equal((await firstUnknown).code, 'NOT_FOUND');
      const now: Array<[string, RequestFacts, string]> = [
        ['cached key', facts(secret!), 'VALID'],
        ['cached key lacking a permission', facts(secret!), 'INSUFFICIENT_PERMISSIONS'],
        ['negatively cached key', facts(unknown, '198.51.100.77'), 'NOT_FOUND'],
        ['malformed key', facts('dsk_123'), 'MALFORMED'],
      ];
      for (const [label, input, code] of now) {
        const verdict = verifier.verifyNow(input, { permission: code === 'INSUFFICIENT_PERMISSIONS' ? 'trade' : 'read' });
        assert.ok(!(verdict instanceof Promise), `${label}: answered in the same tick`);
        assert.equal(verdict.code, code, label);
      }
      const limited = await create({ tier: 'enterprise' });
      await verifier.verify(facts(limited.secret!));
      const counted = verifier.verifyNow(facts(limited.secret!));
      assert.ok(counted instanceof Promise, 'a key with a request limit waits for its counter');
      assert.equal((await counted).code, 'VALID');
    });

    describe('checks in a fixed order: revoked, expired, IP, permission, limits', () => {
      it('a key that is revoked, expired, IP-blocked and lacks the permission reports REVOKED', async () => {
        const { key, secret } = await create({ expiresAt: clock.now() + 1_000, ipAllowlist: ['10.0.0.1'] });
        const revoked = await keyEventHeard(node, key.id, 'revoked');
        await node.keygate.keys.revoke(admin, key.id);
        await revoked();
        clock.advance(2_000);
        assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'trade' })).code, 'REVOKED');
      });

      it('expired beats IP and permission', async () => {
        const { secret } = await create({ expiresAt: clock.now() + 1_000, ipAllowlist: ['10.0.0.1'] });
        clock.advance(1_000);
        assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'trade' })).code, 'EXPIRED');
      });

      it('IP beats permission', async () => {
        const { secret } = await create({ ipAllowlist: ['10.0.0.0/8'] });
        assert.equal((await node.keygate.verifier.verify(facts(secret!, '192.0.2.1'), { permission: 'trade' })).code, 'IP_NOT_ALLOWED');
        assert.equal((await node.keygate.verifier.verify(facts(secret!, '10.9.8.7'), { permission: 'trade' })).code, 'INSUFFICIENT_PERMISSIONS');
        assert.equal((await node.keygate.verifier.verify(facts(secret!, '10.9.8.7'), { permission: 'read' })).code, 'VALID');
      });

      it('permission beats limits, and limits come last', async () => {
        const { secret } = await create({ tier: 'enterprise' });
        for (let i = 0; i < 3; i++) assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'read' })).code, 'VALID');
        assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'read' })).code, 'RATE_LIMITED');
        assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'trade' })).code, 'INSUFFICIENT_PERMISSIONS');
        clock.advance(60_000);
        assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'read' })).code, 'VALID');
      });
    });

    it('checks expiry on every call, cache hits included', async () => {
      const { secret } = await create({ expiresAt: clock.now() + 10_000 });
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'VALID');
      const start = lookups;
      clock.advance(9_999);
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'VALID');
      clock.advance(1);
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'EXPIRED');
      assert.equal(lookups, start, 'decided from the cached key');
    });

    it('drops a cached key when it is revoked or updated', async () => {
      const { key, secret } = await create({ permissions: ['read'] });
      assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'trade' })).code, 'INSUFFICIENT_PERMISSIONS');
      const updated = await keyEventHeard(node, key.id, 'updated');
      await node.keygate.keys.update(admin, key.id, { permissions: ['read', 'trade'] });
      await updated();
      assert.equal((await node.keygate.verifier.verify(facts(secret!), { permission: 'trade' })).code, 'VALID');
      const revoked = await keyEventHeard(node, key.id, 'revoked');
      await node.keygate.keys.revoke(admin, key.id);
      await revoked();
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'REVOKED');
    });

    it('keeps a rolled key working through its grace period, then refuses it', async () => {
      const { key, secret } = await create();
      // Cached before the roll, so the roll's event must replace the cached copy with one that ends.
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'VALID');
      const updated = await keyEventHeard(node, key.id, 'updated');
      const rolled = await node.keygate.keys.roll(admin, key.id, 60);
      await updated();
      const during = await node.keygate.verifier.verify(facts(secret!));
      assert.equal(during.code, 'VALID');
      assert.equal(during.key?.revokedAt, clock.now() + 60_000, 'the cached copy was replaced by one that ends with the grace period');
      assert.equal((await node.keygate.verifier.verify(facts(rolled.secret!))).code, 'VALID');
      clock.advance(60_000);
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'REVOKED');
      assert.equal((await node.keygate.verifier.verify(facts(rolled.secret!))).code, 'VALID');
      // Rolling the successor again must not carry the first roll's revocation over.
      const again = await node.keygate.keys.roll(admin, rolled.key.id, 30);
      assert.equal(again.key.revokedAt, null);
    });

    it('throttles an address after repeated failures, without touching the store', async () => {
      const ip = '203.0.113.77';
      for (let i = 0; i < 5; i++) assert.equal((await node.keygate.verifier.verify(facts(unknownKey(), ip))).code, 'NOT_FOUND');
      const start = lookups;
      assert.equal((await node.keygate.verifier.verify(facts(unknownKey(), ip))).code, 'RATE_LIMITED');
      assert.equal(lookups, start, 'a throttled address gets no store lookups');
      assert.equal((await node.keygate.verifier.verify(facts(unknownKey(), '203.0.113.78'))).code, 'NOT_FOUND', 'other addresses are unaffected');
      clock.advance(60_000);
      assert.equal((await node.keygate.verifier.verify(facts(unknownKey(), ip))).code, 'NOT_FOUND', 'the throttle lifts after its window');
    });

    it('never caches a key read before a revoke that was applied while the read was in flight', async () => {
      const { key, secret } = await create();
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      // The store is read before the revoke commits, and its answer comes back after the node applied the event.
      const inFlight = node.keygate.verifier.verify(facts(secret!));
      await withTimeout(
        (async () => {
          while (lookups === 0 || !(await node.keygate.store.keys.findById(key.id))) await new Promise((resolve) => setTimeout(resolve, 5));
        })(),
        'the store read to start',
      );
      const revoked = await keyEventHeard(node, key.id, 'revoked');
      await node.keygate.keys.revoke(admin, key.id);
      await revoked();
      open();
      gate = null;
      assert.equal((await inFlight).code, 'VALID', 'the request that began before the revoke is answered as it was read');
      assert.equal((await node.keygate.verifier.verify(facts(secret!))).code, 'REVOKED', 'the read that raced the revoke was not cached');
    });

    it('reads the store once for twenty concurrent requests with the same uncached key', async () => {
      const { secret } = await create();
      const start = lookups;
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => node.keygate.verifier.verify(facts(secret!))));
      assert.deepEqual(new Set(verdicts.map((verdict) => verdict.code)), new Set(['VALID']));
      assert.equal(lookups - start, 1, 'one store read, shared');
      const unknown = unknownKey();
      const before = lookups;
      await Promise.all(Array.from({ length: 20 }, () => node.keygate.verifier.verify(facts(unknown, '198.51.100.9'))));
      assert.equal(lookups - before, 1, 'an unknown key too');
    });

    it('records last use in memory and writes it in a batch, not per request', async () => {
      const { key, secret } = await create();
      for (let i = 0; i < 25; i++) await node.keygate.verifier.verify(facts(secret!));
      const before = await node.keygate.store.keys.findById(key.id);
      assert.equal(before?.lastUsedAt, null, 'no store write on the request path');
      await node.keygate.lastUsed.flush();
      const after = await node.keygate.store.keys.findById(key.id);
      assert.equal(after?.lastUsedAt, clock.now());
    });
  });
}

if (process.env.REDIS_URL) {
  for (const dialect of dialects()) {
    describe(`verifier across nodes over Redis (${dialect})`, () => {
      let first: TestNode;
      let second: TestNode;
      before(async () => {
        first = await startNode({ dialect, redis: true });
        second = await startNode({ dialect, redis: true, joinOf: first });
      });
      after(async () => {
        await second.stop();
        await first.stop();
      });

      it('a revoke on one node ends the cached key on the other', async () => {
        const admin = await first.keygate.tokens.principalFor(first.admin.user.id, 'test', null);
        const { key, secret } = await first.keygate.keys.create(admin, { name: 'shared', permissions: ['read'] });
        assert.equal((await second.keygate.verifier.verify(facts(secret!))).code, 'VALID');
        const revoked = await keyEventHeard(second, key.id, 'revoked');
        await first.keygate.keys.revoke(admin, key.id);
        await revoked();
        assert.equal((await second.keygate.verifier.verify(facts(secret!))).code, 'REVOKED');
      });
    });
  }
}
