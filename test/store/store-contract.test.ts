import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApiKey } from '../../src/core/api-key.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';

const T0 = Date.UTC(2026, 0, 1);

for (const dialect of dialects()) {
  describe(`store contract (${dialect})`, () => {
    let database: TestDatabase;
    let store: Store;
    let orgId: string;
    let userId: string;

    const key = (overrides: Partial<ApiKey> = {}): ApiKey => apiKeyRecord({ organizationId: orgId, userId }, { createdAt: T0, ...overrides });

    before(async () => {
      database = await createTestDatabase(dialect);
      store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      orgId = randomUUID();
      userId = randomUUID();
      await store.organizations.insert({ id: orgId, name: 'Org', revokePolicy: 'admins', createdAt: T0 });
      await store.users.insert({ id: userId, organizationId: orgId, name: 'alice', role: 'admin', usageLevel: 'premier', tier: 'premium', wallets: ['0x' + 'ab'.repeat(20)], createdAt: T0 });
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it('migrations are versioned and running them again changes nothing', async () => {
      const again = await migrateToLatest(store.db, store.dialect);
      assert.deepEqual(again.results, []);
    });

    it('round-trips an API key with every field', async () => {
      const original = key({
        permissions: ['read', 'trade'],
        ipAllowlist: ['10.0.0.0/8', '::1'],
        allowedExchanges: ['binance', 'okx'],
        tier: 'enterprise',
        maxConnections: 42,
        requestsPerMinute: 600,
        expiresAt: T0 + 86_400_000,
        secretCiphertext: 'v1.a.b.c',
        publicKey: '-----BEGIN PUBLIC KEY-----',
        walletAddress: '0x' + 'cd'.repeat(20),
        accountIndex: 7,
        origin: 'wallet',
      });
      await store.keys.insert(original);
      assert.deepEqual(await store.keys.findById(original.id), original);
      assert.deepEqual(await store.keys.findByLookup('opaque', original.lookup), original);
      assert.equal(await store.keys.findByLookup('hmac', original.lookup), null, 'lookups are per scheme');
      assert.deepEqual((await store.keys.listByWallet(original.walletAddress!)).map((k) => k.id), [original.id]);
    });

    it('keeps a lookup unique per scheme: a repeat is a CONFLICT, the same lookup under another scheme is not', async () => {
      const lookup = randomUUID();
      const first = key({ lookup, createdAt: T0 });
      await store.keys.insert(first);
      await assert.rejects(store.keys.insert(key({ lookup, createdAt: T0 + 1 })), { name: 'KeygateError', code: 'CONFLICT' });
      await store.keys.insert(key({ lookup, scheme: 'hmac' }));
      assert.equal((await store.keys.findByLookup('opaque', lookup))?.id, first.id);
    });

    it('lists by organization, user, name (case-insensitive), tail and scheme, newest first, without deleted keys', async () => {
      const otherUser = randomUUID();
      await store.users.insert({ id: otherUser, organizationId: orgId, name: 'bob', role: 'member', usageLevel: 'basic', tier: 'basic', wallets: [], createdAt: T0 });
      const a = key({ name: 'Alpha Feed', tail: 'aaa111', createdAt: T0 + 10 });
      const b = key({ name: 'beta bot', tail: 'bbb222', userId: otherUser, createdAt: T0 + 20 });
      const c = key({ name: 'gamma', tail: 'ccc333', scheme: 'hmac', createdAt: T0 + 30 });
      const gone = key({ name: 'alpha deleted', tail: 'ddd444', deletedAt: T0 + 40, createdAt: T0 + 40 });
      for (const k of [a, b, c, gone]) await store.keys.insert(k);
      const ids = async (filter: Parameters<Store['keys']['list']>[0]) => (await store.keys.list(filter)).map((k) => k.id).filter((id) => [a.id, b.id, c.id, gone.id].includes(id));
      assert.deepEqual(await ids({ organizationId: orgId }), [c.id, b.id, a.id]);
      assert.deepEqual(await ids({ organizationId: orgId, userId: otherUser }), [b.id]);
      assert.deepEqual(await ids({ organizationId: orgId, name: 'ALPHA' }), [a.id]);
      assert.deepEqual(await ids({ organizationId: orgId, tail: 'b222' }), [b.id]);
      assert.deepEqual(await ids({ organizationId: orgId, scheme: 'hmac' }), [c.id]);
      assert.deepEqual(await ids({ organizationId: orgId, text: 'BETA' }), [b.id], 'text matches a name');
      assert.deepEqual(await ids({ organizationId: orgId, text: 'c333' }), [c.id], 'text matches a tail');
      assert.deepEqual(await ids({ organizationId: orgId, name: 'alpha', includeDeleted: true }), [gone.id, a.id]);
      assert.deepEqual(await ids({ organizationId: randomUUID() }), []);
      // LIKE wildcards in a filter are plain characters.
      assert.deepEqual(await ids({ organizationId: orgId, name: '%' }), []);
    });

    it('counts live keys per user and scheme, ignoring revoked, expired and deleted ones', async () => {
      const owner = randomUUID();
      await store.users.insert({ id: owner, organizationId: orgId, name: 'carol', role: 'member', usageLevel: 'basic', tier: 'basic', wallets: [], createdAt: T0 });
      const now = T0 + 1000;
      await store.keys.insert(key({ userId: owner }));
      await store.keys.insert(key({ userId: owner, revokedAt: now + 60_000 }));
      await store.keys.insert(key({ userId: owner, revokedAt: now }));
      await store.keys.insert(key({ userId: owner, expiresAt: now }));
      await store.keys.insert(key({ userId: owner, deletedAt: now - 1 }));
      await store.keys.insert(key({ userId: owner, scheme: 'hmac' }));
      assert.equal(await store.keys.countLive(owner, now, 'opaque'), 2, 'an active key and one revoked only in the future');
      assert.equal(await store.keys.countLive(owner, now, 'hmac'), 1);
    });

    it('applies patches and leaves other fields alone', async () => {
      const original = key();
      await store.keys.insert(original);
      const updated = await store.keys.update(original.id, { name: 'renamed', permissions: ['write'], revokedAt: T0 + 5, revokedBy: userId });
      assert.deepEqual(updated, { ...original, name: 'renamed', permissions: ['write'], revokedAt: T0 + 5, revokedBy: userId });
      assert.equal(await store.keys.update(randomUUID(), { name: 'x' }), null);
    });

    it('records last-used times in a batch and never moves them backwards', async () => {
      const a = key();
      const b = key();
      await store.keys.insert(a);
      await store.keys.insert(b);
      await store.keys.touchLastUsed(new Map([[a.id, T0 + 100], [b.id, T0 + 200]]));
      await store.keys.touchLastUsed(new Map([[a.id, T0 + 50]]));
      assert.equal((await store.keys.findById(a.id))?.lastUsedAt, T0 + 100);
      assert.equal((await store.keys.findById(b.id))?.lastUsedAt, T0 + 200);
    });

    it('keeps users with their wallets and finds them by wallet or name', async () => {
      const found = await store.users.findByWallet('0x' + 'ab'.repeat(20));
      assert.equal(found?.id, userId);
      assert.deepEqual(found?.wallets, ['0x' + 'ab'.repeat(20)]);
      assert.equal((await store.users.findByName(orgId, 'alice'))?.id, userId);
      await store.users.addWallet(userId, '0x' + 'ef'.repeat(20), T0 + 1);
      assert.deepEqual((await store.users.findById(userId))?.wallets, ['0x' + 'ab'.repeat(20), '0x' + 'ef'.repeat(20)]);
      await assert.rejects(store.users.addWallet(randomUUID(), '0x' + 'ab'.repeat(20), T0), 'a wallet belongs to one user');
    });

    it('stores management tokens by hash and revokes them', async () => {
      const id = randomUUID();
      await store.tokens.insert({ id, userId, name: 't', tokenHash: 'h'.repeat(64), tail: 'abcdef', createdAt: T0, expiresAt: null, lastUsedAt: null, revokedAt: null });
      assert.equal((await store.tokens.findByHash('h'.repeat(64)))?.id, id);
      await store.tokens.revoke(id, T0 + 1);
      assert.equal((await store.tokens.findByHash('h'.repeat(64)))?.revokedAt, T0 + 1);
      assert.equal(await store.tokens.findByHash('x'.repeat(64)), null);
    });

    it('appends audit entries in order, reads them newest first and filters them by organization and key', async () => {
      const keyId = randomUUID();
      for (const [i, action] of ['key.create', 'key.update', 'key.revoke'].entries()) {
        await store.audit.append({ id: randomUUID(), at: T0 + i, actorUserId: userId, actor: 'alice (token)', organizationId: orgId, action, keyId, ip: '127.0.0.1', outcome: 'ok', detail: { i } });
      }
      const entries = await store.audit.list({ organizationId: orgId, keyId });
      assert.deepEqual(entries.map((e) => e.action), ['key.revoke', 'key.update', 'key.create']);
      assert.deepEqual(entries[0].detail, { i: 2 });
      assert.equal(entries[2].ip, '127.0.0.1');
      assert.ok(entries[0].seq > entries[1].seq && entries[1].seq > entries[2].seq);
      const older = await store.audit.list({ organizationId: orgId, keyId, beforeSeq: entries[0].seq, limit: 1 });
      assert.deepEqual(older.map((e) => e.action), ['key.update']);
      assert.equal((await store.audit.list({ keyId: randomUUID() })).length, 0);
    });
  });
}
