import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApiKey } from '../../src/core/api-key.ts';
import { KeygateError } from '../../src/core/errors.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const wallet = () => '0x' + randomUUID().replaceAll('-', '').padEnd(40, '0').slice(0, 40);

/** Asserts that `write` is refused by the store with a typed CONFLICT (never a raw driver error). */
async function refused(write: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(write, (error: unknown) => {
    assert.ok(error instanceof KeygateError, `a typed error, not ${String(error)}`);
    assert.equal(error.code, 'CONFLICT');
    assert.match(error.message, message);
    return true;
  });
}

// The invariants live in the store: a write that breaks one is refused here, whichever code path
// (a service whose own check lost a race, a script, a future route) makes it.
for (const dialect of dialects()) {
  describe(`store uniqueness rules (${dialect})`, () => {
    let database: TestDatabase;
    let store: Store;
    let orgId: string;
    let userId: string;

    const key = (overrides: Partial<ApiKey> = {}): ApiKey => ({
      id: randomUUID(),
      organizationId: orgId,
      userId,
      name: 'a key',
      scheme: 'ed25519',
      lookup: randomUUID().replaceAll('-', ''),
      tail: 'abcdef',
      permissions: ['read'],
      ipAllowlist: [],
      allowedExchanges: ['*'],
      tier: 'basic',
      maxConnections: 2,
      requestsPerMinute: null,
      expiresAt: T0 + 14 * DAY,
      createdAt: T0,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      deletedAt: null,
      secretCiphertext: null,
      publicKey: null,
      walletAddress: null,
      accountIndex: null,
      origin: 'wallet',
      ...overrides,
    });
    const user = (name: string, wallets: string[] = [], organizationId = orgId) => ({
      id: randomUUID(),
      organizationId,
      name,
      role: 'member' as const,
      usageLevel: 'basic' as const,
      tier: 'basic' as const,
      wallets,
      createdAt: T0,
    });

    before(async () => {
      database = await createTestDatabase(dialect);
      store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      orgId = randomUUID();
      await store.organizations.insert({ id: orgId, name: 'Unique Org', revokePolicy: 'admins', createdAt: T0 });
      const owner = user('owner');
      userId = owner.id;
      await store.users.insert(owner);
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it('organization names are unique', async () => {
      await refused(store.organizations.insert({ id: randomUUID(), name: 'Unique Org', revokePolicy: 'admins', createdAt: T0 }), /organization of that name already exists/);
      assert.equal((await store.organizations.list()).filter((o) => o.name === 'Unique Org').length, 1);
    });

    it('user names are unique within an organization, not across organizations', async () => {
      await store.users.insert(user('ada'));
      await refused(store.users.insert(user('ada')), /user of that name already exists/);
      const other = randomUUID();
      await store.organizations.insert({ id: other, name: `Other ${other}`, revokePolicy: 'admins', createdAt: T0 });
      await store.users.insert(user('ada', [], other));
      assert.equal((await store.users.listByName('ada')).length, 2);
    });

    it('a wallet belongs to one user; a refused user is not half-created', async () => {
      const address = wallet();
      await store.users.insert(user('first owner', [address]));
      const second = user('second owner', [address]);
      await refused(store.users.insert(second), /wallet already belongs to a user/);
      assert.equal(await store.users.findById(second.id), null, 'the user and its wallets stand or fall together');
      await refused(store.users.addWallet(userId, address, T0), /wallet already belongs to a user/);
    });

    it('a lookup registers once per scheme, revoked and deleted keys included (an Ed25519 public key registers once)', async () => {
      const publicKey = randomUUID().replaceAll('-', '');
      await store.keys.insert(key({ lookup: publicKey, revokedAt: T0, deletedAt: T0 }));
      await refused(store.keys.insert(key({ lookup: publicKey })), /already registered/);
    });

    it('an account index is held by one key of a wallet until that key ends and the index is released', async () => {
      const address = wallet();
      const first = key({ walletAddress: address, accountIndex: 0 });
      await store.keys.insert(first);
      await refused(store.keys.insert(key({ walletAddress: address, accountIndex: 0 })), /account index is held/);
      // Another wallet's index 0, and keys without a wallet, are no conflict.
      await store.keys.insert(key({ walletAddress: wallet(), accountIndex: 0 }));
      await store.keys.insert(key());
      await store.keys.insert(key());

      // Ending a key does not free its index by itself (expiry is a matter of time no index can see);
      // releasing the ended keys' indexes under the wallet's lock does.
      await store.keys.update(first.id, { revokedAt: T0 + 1 });
      await store.keys.insert(key({ walletAddress: address, accountIndex: 1, expiresAt: T0 + DAY }));
      await store.keys.insert(key({ walletAddress: address, accountIndex: 2, deletedAt: T0 + 5 }));
      assert.deepEqual((await store.keys.heldAccountSlots(address)).sort(), [0, 1, 2]);
      await store.keys.releaseEndedAccountSlots(address, T0 + 10);
      assert.deepEqual(await store.keys.heldAccountSlots(address), [1], 'revoked (0) and deleted (2) released, the live one (1) kept');
      await store.keys.releaseEndedAccountSlots(address, T0 + DAY);
      assert.deepEqual(await store.keys.heldAccountSlots(address), [], 'expired by then');
      await store.keys.insert(key({ walletAddress: address, accountIndex: 0 }));
      await store.keys.insert(key({ walletAddress: address, accountIndex: 1 }));
      assert.equal((await store.keys.findById(first.id))?.accountIndex, 0, 'the ended key still reports the index it had');
    });

    it('a key is rolled at most once', async () => {
      const original = key({ scheme: 'opaque' });
      await store.keys.insert(original);
      const successor = key({ scheme: 'opaque' });
      await store.keys.insert(successor, { rolledFrom: original.id });
      await refused(store.keys.insert(key({ scheme: 'opaque' }), { rolledFrom: original.id }), /already rolled/);
      assert.equal((await store.keys.findSuccessor(original.id))?.id, successor.id);
      assert.equal(await store.keys.findSuccessor(successor.id), null);
    });

    it('a violation inside a transaction is the same CONFLICT, and nothing of the transaction stays', async () => {
      const kept = key();
      await store.keys.insert(kept);
      const attempted = key();
      await refused(
        store.transaction(async (tx) => {
          await tx.keys.insert(attempted);
          await tx.keys.insert(key({ lookup: kept.lookup }));
        }),
        /already registered/,
      );
      assert.equal(await store.keys.findById(attempted.id), null);
      // The store is still usable afterwards (PostgreSQL: the aborted transaction was rolled back).
      await store.transaction(async (tx) => tx.keys.insert(key()));
    });
  });
}
