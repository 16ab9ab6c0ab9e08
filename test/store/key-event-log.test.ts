import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApiKey } from '../../src/core/api-key.ts';
import type { KeyEvent } from '../../src/core/key-event.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { withTimeout } from '../support/wait-for.ts';

const T0 = Date.UTC(2026, 0, 1);

for (const dialect of dialects()) {
  describe(`store transactions and the key event log (${dialect})`, () => {
    let database: TestDatabase;
    let store: Store;
    let orgId: string;
    let userId: string;

    const key = (overrides: Partial<ApiKey> = {}): ApiKey => ({
      id: randomUUID(),
      organizationId: orgId,
      userId,
      name: 'a key',
      scheme: 'opaque',
      lookup: randomUUID().replaceAll('-', ''),
      tail: 'abcdef',
      permissions: ['read'],
      ipAllowlist: [],
      allowedExchanges: ['*'],
      tier: 'basic',
      maxConnections: 2,
      requestsPerMinute: null,
      expiresAt: null,
      createdAt: T0,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      deletedAt: null,
      secretCiphertext: null,
      publicKey: null,
      walletAddress: null,
      accountIndex: null,
      origin: 'native',
      ...overrides,
    });
    const change = (k: ApiKey) => ({ type: 'revoked' as const, keyId: k.id, userId: k.userId, scheme: k.scheme, lookup: k.lookup, reason: 'key_revoked' });

    before(async () => {
      database = await createTestDatabase(dialect);
      store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      orgId = randomUUID();
      userId = randomUUID();
      await store.organizations.insert({ id: orgId, name: 'Org', revokePolicy: 'admins', createdAt: T0 });
      await store.users.insert({ id: userId, organizationId: orgId, name: 'alice', role: 'admin', usageLevel: 'premier', tier: 'premium', wallets: [], createdAt: T0 });
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it('commits a change and its event together, or neither', async () => {
      const kept = key();
      const head = await store.keyEvents.headSeq();
      const event = await store.transaction(async (tx) => {
        await tx.keys.insert(kept);
        return tx.keyEvents.append(change(kept), T0);
      });
      assert.equal(event.seq > head, true);
      assert.deepEqual(await store.keyEvents.after(head, 10), [{ ...change(kept), seq: event.seq, at: T0 }]);

      const dropped = key();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.keys.insert(dropped);
          await tx.keyEvents.append(change(dropped), T0);
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      assert.equal(await store.keys.findById(dropped.id), null);
      assert.equal(await store.keyEvents.headSeq(), event.seq, 'the rolled-back event is not in the log');
    });

    it('refuses to append an event outside a transaction (its order would not be guaranteed)', async () => {
      await assert.rejects(store.keyEvents.append(change(key()), T0), /inside a store transaction/);
    });

    it('gives concurrent appenders increasing sequence numbers in commit order, with no event lost', async () => {
      const head = await store.keyEvents.headSeq();
      const keys = Array.from({ length: 20 }, () => key());
      for (const k of keys) await store.keys.insert(k);
      const written = await Promise.all(keys.map((k) => store.transaction((tx) => tx.keyEvents.append(change(k), T0))));
      const read = await store.keyEvents.after(head, 100);
      assert.deepEqual(read.map((e) => e.seq), [...read.map((e) => e.seq)].sort((a, b) => a - b));
      assert.deepEqual(new Set(read.map((e) => e.seq)), new Set(written.map((e) => e.seq)));
      assert.equal(read.length, 20);
    });

    it('serialises count-then-insert under a named lock, so a cap holds under concurrency', async () => {
      const owner = randomUUID();
      await store.users.insert({ id: owner, organizationId: orgId, name: `capped-${owner}`, role: 'member', usageLevel: 'basic', tier: 'basic', wallets: [], createdAt: T0 });
      const attempt = () =>
        store.transaction(async (tx) => {
          await tx.lock(`user-keys:${owner}`);
          if ((await tx.keys.countLive(owner, T0, 'opaque')) >= 3) return false;
          await tx.keys.insert(key({ userId: owner }));
          return true;
        });
      const results = await Promise.all(Array.from({ length: 12 }, attempt));
      assert.equal(results.filter(Boolean).length, 3);
      assert.equal(await store.keys.countLive(owner, T0, 'opaque'), 3);
    });

    it('creates a user with wallets inside a transaction (no nested transaction)', async () => {
      const id = randomUUID();
      await store.transaction((tx) => tx.users.insert({ id, organizationId: orgId, name: `in-tx-${id}`, role: 'member', usageLevel: 'basic', tier: 'basic', wallets: ['0x' + id.replaceAll('-', '').slice(0, 40)], createdAt: T0 }));
      assert.equal((await store.users.findById(id))?.wallets.length, 1);
      assert.equal(await store.users.removeWallet(id, '0x' + id.replaceAll('-', '').slice(0, 40)), true);
      assert.deepEqual((await store.users.findById(id))?.wallets, []);
    });

    it('reads keys in a batch, prunes old events and reports the oldest kept', async () => {
      const a = key();
      const b = key();
      await store.keys.insert(a);
      await store.keys.insert(b);
      const found = await store.keys.findByIds([a.id, b.id, randomUUID()]);
      assert.deepEqual([...found.keys()].sort(), [a.id, b.id].sort());
      const old = await store.transaction((tx) => tx.keyEvents.append(change(a), 1));
      const recent = await store.transaction((tx) => tx.keyEvents.append({ type: 'user_changed', userId }, T0 + 5));
      assert.ok((await store.keyEvents.pruneBefore(T0 + 1)) >= 1);
      assert.equal(await store.keyEvents.oldestSeq(), recent.seq, `everything written before T0 + 1 went, including #${old.seq}`);
      assert.equal(await store.keyEvents.headSeq(), recent.seq);
      assert.deepEqual((await store.keyEvents.after(recent.seq - 1, 10)).at(-1), { type: 'user_changed', userId, seq: recent.seq, at: T0 + 5 });
    });

    it('signals events written by another connection (the CLI, another node)', async () => {
      const heard: Array<KeyEvent | null> = [];
      let wake!: () => void;
      let connected!: () => void;
      const isConnected = new Promise<void>((resolve) => (connected = resolve));
      const signal = await store.listenForKeyEvents({ onEvent: (event) => (heard.push(event), wake?.()), onConnected: () => connected(), onLost: () => undefined });
      try {
        await withTimeout(isConnected, 'the signal to connect');
        const other = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: false });
        try {
          const arrived = new Promise<void>((resolve) => (wake = resolve));
          const k = key();
          await other.keys.insert(k);
          const event = await other.transaction((tx) => tx.keyEvents.append(change(k), T0));
          await withTimeout(arrived, 'the signal of the other connection\'s event');
          // PostgreSQL's notification carries the event; SQLite's file check only says "something changed".
          if (dialect === 'postgres') assert.deepEqual(heard.at(-1), event);
          else assert.equal(heard.at(-1), null);
        } finally {
          await other.close();
        }
      } finally {
        await signal.close();
      }
    });
  });
}
