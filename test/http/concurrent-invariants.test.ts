import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { ed25519Pair, splitPersonalSign } from '../support/signers.ts';

const DAY = 86_400_000;
type Response = { status: number; body: any };

/** A spec 003 createApiKey body signed by the wallet, as the document's viem example builds it. */
async function walletKeyBody(account: PrivateKeyAccount, publicKey: string, apiWalletName: string) {
  const validUntil = Date.now() + 2 * DAY;
  const message = JSON.stringify({ apiWalletName, apiWalletPublicKey: publicKey, validUntil });
  return { address: account.address, publicKey, apiWalletName, validUntil, signature: await splitPersonalSign(account, message) };
}

/**
 * Holds back inserts into `table` from another PostgreSQL session (reads go on); `releaseWhenWaiting(n)`
 * lets them go once `n` writers wait (or after two seconds, well inside the pool's connect timeout).
 */
async function holdInserts(databaseUrl: string, table: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN SHARE MODE`);
  return {
    async releaseWhenWaiting(writers: number) {
      const deadline = Date.now() + 2_000;
      const waiting = async () =>
        Number((await client.query(`select count(*) as n from pg_locks where relation = '${table}'::regclass and not granted`)).rows[0].n);
      while (Date.now() < deadline && (await waiting()) < writers) await sleep(20);
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** How many responses had each status, e.g. `{ 200: 3, 409: 17 }`. */
function statuses(responses: readonly Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Every refusal is a typed 409 with one of the expected codes and a message; nothing else failed (no 500). */
function onlyConflicts(responses: readonly Response[], ok: number, codes: readonly string[]): Response[] {
  const refused = responses.filter((r) => r.status !== ok);
  for (const r of refused) {
    assert.equal(r.status, 409, `expected ${ok} or 409, got ${JSON.stringify(statuses(responses))}: ${JSON.stringify(r.body)}`);
    assert.ok(codes.includes(r.body.error.code), JSON.stringify(r.body));
    assert.ok(r.body.error.message.length > 0);
  }
  return responses.filter((r) => r.status === ok);
}

// Finding 6: caps and uniqueness rules hold when the requests race, on both stores, through the real
// HTTP API of a real node. Each burst is sent at once; the store (indexes, locks, transactions) decides.
for (const dialect of dialects()) {
  describe(`caps and uniqueness under concurrent requests (${dialect})`, () => {
    let node: TestNode;
    const uuidPair = (user: TestUser, name: string) =>
      node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name, isInfo: true, isTrade: false, IpWhiteList: [] } });
    const liveKeys = (user: TestUser, scheme: 'opaque' | 'hmac' | 'rsa' | 'ed25519') => node.keygate.store.keys.countLive(user.user.id, Date.now(), scheme);

    before(async () => {
      node = await startNode({ dialect, config: { keys: { maxKeysPerUser: { opaque: 2, rsa: 2 } } } });
    });
    after(async () => node.stop());

    // First, while no wallet organization exists: every request races to create it and its user.
    it('20 unknown wallets registering at once: one wallet organization, 20 users, no 500', async () => {
      const accounts = Array.from({ length: 20 }, () => privateKeyToAccount(generatePrivateKey()));
      const bodies = await Promise.all(accounts.map((account) => walletKeyBody(account, ed25519Pair().publicKeyHex, 'first')));
      // On PostgreSQL another session holds back writes to organizations (as another node's open
      // transaction would) until the requests have all looked for the wallet organization and are
      // waiting to create it: the race of the review, every time, not only when the timing is unlucky.
      const held = dialect === 'postgres' ? await holdInserts(node.database.databaseUrl!, 'organizations') : null;
      const pending = Promise.all(bodies.map((body) => node.request('POST', '/v1/createApiKey', { body })));
      await held?.releaseWhenWaiting(10);
      const responses = await pending;
      assert.deepEqual(statuses(responses), { 200: 20 });
      const organizations = (await node.keygate.store.organizations.list()).filter((o) => o.name === 'Wallet Accounts');
      assert.equal(organizations.length, 1);
      const members = await node.keygate.store.users.listByOrganization(organizations[0].id);
      assert.equal(members.length, 20);
      assert.deepEqual(members.flatMap((u) => u.wallets).sort(), accounts.map((a) => a.address.toLowerCase()).sort());
    });

    it('20 spec 001 key pairs created at once for one user: exactly 3, the rest 409', async () => {
      const user = await node.addUser();
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => uuidPair(user, `pair ${i}`)));
      assert.equal(onlyConflicts(responses, 200, ['KEY_LIMIT_REACHED']).length, 3, JSON.stringify(statuses(responses)));
      assert.equal(await liveKeys(user, 'hmac'), 3);
    });

    it('the native API and the RSA profile hold their configured caps the same way', async () => {
      const user = await node.addUser({ usageLevel: 'premier' });
      const native = await Promise.all(Array.from({ length: 12 }, (_, i) => node.request('POST', '/v1/keys', { token: user.token, body: { name: `n${i}` } })));
      assert.equal(onlyConflicts(native, 201, ['KEY_LIMIT_REACHED']).length, 2, JSON.stringify(statuses(native)));
      const rsa = await Promise.all(Array.from({ length: 6 }, (_, i) => node.request('POST', '/api_keys/generate', { token: user.token, body: { name: `r${i}` } })));
      const refusedRsa = rsa.filter((r) => r.status !== 201);
      assert.equal(rsa.length - refusedRsa.length, 2, JSON.stringify(statuses(rsa)));
      assert.ok(refusedRsa.every((r) => r.status === 409), JSON.stringify(statuses(rsa)));
      assert.equal(await liveKeys(user, 'opaque'), 2);
      assert.equal(await liveKeys(user, 'rsa'), 2);
    });

    it('20 registrations at once for one new wallet: 10 live keys on distinct account indexes, one user, the rest 409', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => walletKeyBody(account, ed25519Pair().publicKeyHex, `w${i}`)));
      const responses = await Promise.all(bodies.map((body) => node.request('POST', '/v1/createApiKey', { body })));
      const created = onlyConflicts(responses, 200, ['KEY_LIMIT_REACHED', 'CONFLICT']);
      assert.equal(created.length, 10, JSON.stringify(statuses(responses)));
      assert.deepEqual(created.map((r) => r.body.accountIndex).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const owner = await node.keygate.directory.userByWallet(account.address);
      assert.ok(owner, 'the racing requests provisioned one user for the wallet');
      assert.equal(await node.keygate.store.keys.countLive(owner.id, Date.now(), 'ed25519'), 10);

      // A revoked key frees its index, which the next registration takes.
      const revokedKey = created.find((r) => r.body.accountIndex === 6)!.body.apiKey;
      const name = bodies.find((b) => b.publicKey === revokedKey)!.apiWalletName;
      const signature = await splitPersonalSign(account, JSON.stringify({ apiWalletName: name, apiWalletPublicKey: revokedKey }));
      const revoked = await node.request('POST', '/v1/revokeApiKey', { body: { address: account.address, publicKey: revokedKey, apiWalletName: name, signature } });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      const again = await Promise.all([0, 1, 2].map(async (i) => node.request('POST', '/v1/createApiKey', { body: await walletKeyBody(account, ed25519Pair().publicKeyHex, `again${i}`) })));
      const reused = onlyConflicts(again, 200, ['KEY_LIMIT_REACHED']);
      assert.deepEqual(reused.map((r) => r.body.accountIndex), [6]);
    });

    it('one Ed25519 public key registered at once by 10 wallets: exactly one succeeds', async () => {
      const { publicKeyHex } = ed25519Pair();
      const bodies = await Promise.all(Array.from({ length: 10 }, () => walletKeyBody(privateKeyToAccount(generatePrivateKey()), publicKeyHex, 'shared')));
      const responses = await Promise.all(bodies.map((body) => node.request('POST', '/v1/createApiKey', { body })));
      assert.equal(onlyConflicts(responses, 200, ['CONFLICT']).length, 1, JSON.stringify(statuses(responses)));
      const registered = await node.keygate.store.keys.findByLookup('ed25519', publicKeyHex);
      assert.equal(registered?.walletAddress, responses.find((r) => r.status === 200)!.body.address);
    });

    it('users created at once with the same wallet: one user, the rest 409', async () => {
      const address = privateKeyToAccount(generatePrivateKey()).address;
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => node.keygate.directory.createUser({ organizationId: node.organizationId, name: `holder ${i}`, wallets: [address] })),
      );
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
      for (const attempt of attempts.filter((a) => a.status === 'rejected')) {
        assert.equal((attempt as PromiseRejectedResult).reason.code, 'CONFLICT', String((attempt as PromiseRejectedResult).reason));
      }
      const users = await node.keygate.store.users.listByOrganization(node.organizationId);
      assert.equal(users.filter((u) => u.wallets.includes(address.toLowerCase())).length, 1);
      assert.equal(users.filter((u) => u.name.startsWith('holder ')).length, 1, 'the refused users were not created without their wallet');
    });

    it('organizations and users of the same name created at once: one each, the rest 409', async () => {
      const orgs = await Promise.allSettled(Array.from({ length: 8 }, () => node.keygate.directory.createOrganization('Same Name Trading')));
      assert.equal(orgs.filter((o) => o.status === 'fulfilled').length, 1);
      assert.ok(orgs.every((o) => o.status === 'fulfilled' || o.reason.code === 'CONFLICT'));
      const users = await Promise.allSettled(Array.from({ length: 8 }, () => node.keygate.directory.createUser({ organizationId: node.organizationId, name: 'same-name' })));
      assert.equal(users.filter((u) => u.status === 'fulfilled').length, 1);
      assert.ok(users.every((u) => u.status === 'fulfilled' || u.reason.code === 'CONFLICT'));
    });

    // Finding 12: a roll during a grace period made another live key each time (8 against a cap of 3).
    it('a key rolls once: a second roll during its grace period is 409 naming the successor', async () => {
      const user = await node.addUser();
      const pair = await uuidPair(user, 'rolled');
      const id = (await node.keygate.store.keys.findByLookup('hmac', pair.body.publicKey))!.id;
      const first = await node.request('POST', `/v1/keys/${id}/roll`, { token: node.admin.token, body: { graceSeconds: 3600 } });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      for (let i = 0; i < 3; i++) {
        const again = await node.request('POST', `/v1/keys/${id}/roll`, { token: node.admin.token, body: { graceSeconds: 3600 } });
        assert.equal(again.status, 409, JSON.stringify(again.body));
        assert.equal(again.body.error.code, 'CONFLICT');
        assert.match(again.body.error.message, new RegExp(`already rolled: ${first.body.id} replaces it`));
      }
      assert.equal(await liveKeys(user, 'hmac'), 2, 'the old key (in its grace period) and its one successor');
    });

    it('rolls count toward the cap: with a grace period both keys count, with none the roll always fits', async () => {
      const user = await node.addUser();
      const pairs = [];
      for (let i = 0; i < 3; i++) pairs.push(await uuidPair(user, `full ${i}`));
      const ids = await Promise.all(pairs.map(async (p) => (await node.keygate.store.keys.findByLookup('hmac', p.body.publicKey))!.id));
      const withGrace = await node.request('POST', `/v1/keys/${ids[0]}/roll`, { token: node.admin.token, body: { graceSeconds: 60 } });
      assert.equal(withGrace.status, 409, JSON.stringify(withGrace.body));
      assert.equal(withGrace.body.error.code, 'KEY_LIMIT_REACHED');
      assert.match(withGrace.body.error.message, /at most 3 .*graceSeconds 0/);
      const atOnce = await node.request('POST', `/v1/keys/${ids[0]}/roll`, { token: node.admin.token, body: { graceSeconds: 0 } });
      assert.equal(atOnce.status, 201, JSON.stringify(atOnce.body));
      assert.equal(await liveKeys(user, 'hmac'), 3);
    });

    it('concurrent rolls and creates for one user never pass the cap, and a key rolls only once', async () => {
      const user = await node.addUser();
      const pair = await uuidPair(user, 'base');
      const id = (await node.keygate.store.keys.findByLookup('hmac', pair.body.publicKey))!.id;
      const rolls = Promise.all(Array.from({ length: 10 }, () => node.request('POST', `/v1/keys/${id}/roll`, { token: node.admin.token, body: { graceSeconds: 3600 } })));
      const creates = Promise.all(Array.from({ length: 5 }, (_, i) => uuidPair(user, `racing ${i}`)));
      const [rolled, created] = await Promise.all([rolls, creates]);
      const rolledOk = onlyConflicts(rolled, 201, ['CONFLICT', 'KEY_LIMIT_REACHED']);
      const createdOk = onlyConflicts(created, 200, ['KEY_LIMIT_REACHED']);
      assert.ok(rolledOk.length <= 1, `one roll per key, got ${JSON.stringify(statuses(rolled))}`);
      assert.equal(1 + rolledOk.length + createdOk.length, 3, `the cap is filled exactly: rolls ${JSON.stringify(statuses(rolled))}, creates ${JSON.stringify(statuses(created))}`);
      assert.equal(await liveKeys(user, 'hmac'), 3);

      // Rolling every live key at once, with grace periods: still never more than 3.
      const live = (await node.keygate.store.keys.list({ organizationId: node.organizationId, userId: user.user.id })).filter((k) => k.revokedAt === null);
      const more = await Promise.all(live.map((k) => node.request('POST', `/v1/keys/${k.id}/roll`, { token: node.admin.token, body: { graceSeconds: 3600 } })));
      onlyConflicts(more, 201, ['CONFLICT', 'KEY_LIMIT_REACHED']);
      assert.equal(await liveKeys(user, 'hmac'), 3);
    });
  });
}
