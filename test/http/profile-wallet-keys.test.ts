import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { ed25519Pair, signEd25519, splitPersonalSign, type SignedRequest } from '../support/signers.ts';
import { clearOfWindowEdge } from '../support/wait-for.ts';

const DAY = 24 * 3600 * 1000;

/** Builds a createApiKey body the way the document's viem example does. */
async function createBody(account: PrivateKeyAccount, publicKey: string, apiWalletName: string, validUntil: number) {
  const message = JSON.stringify({ apiWalletName, apiWalletPublicKey: publicKey, validUntil });
  return { address: account.address, publicKey, apiWalletName, validUntil, signature: await splitPersonalSign(account, message) };
}

async function revokeBody(account: PrivateKeyAccount, address: string, publicKey: string, apiWalletName: string) {
  return { address, publicKey, apiWalletName, signature: await splitPersonalSign(account, JSON.stringify({ apiWalletName, apiWalletPublicKey: publicKey })) };
}

for (const dialect of dialects()) {
  describe(`spec 003 wallet-registered Ed25519 keys (${dialect})`, () => {
    let node: TestNode;
    const verify = (signed: SignedRequest, permission?: string) =>
      node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: signed, permission } });

    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('registers a key signed by an unknown wallet, provisioning its user in the wallet organization', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const { publicKeyHex, privateKey } = ed25519Pair();
      const validUntil = Date.now() + 30 * DAY;
      const before = Date.now();
      const created = await node.request('POST', '/v1/createApiKey', { body: await createBody(account, publicKeyHex, 'Arcus', validUntil) });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.apiKey, publicKeyHex);
      assert.equal(created.body.address, account.address.toLowerCase());
      assert.equal(created.body.accountIndex, 0);
      assert.equal(created.body.validUntil, validUntil);
      assert.ok(created.body.createdAt >= before * 1000 && created.body.createdAt <= Date.now() * 1000, 'createdAt is epoch microseconds');

      const owner = await node.keygate.directory.userByWallet(account.address);
      assert.ok(owner);
      assert.equal(owner.role, 'member');
      assert.equal((await node.keygate.directory.organization(owner.organizationId)).name, 'Wallet Accounts');

      const signed = signEd25519(publicKeyHex, privateKey, 'POST', '/v1/placeOrder?dry=1', '{"q":1}');
      const ok = await verify(signed, 'write');
      assert.equal(ok.body.valid, true, JSON.stringify(ok.body));
      assert.equal(ok.body.key.scheme, 'ed25519');
      assert.equal(ok.body.key.walletAddress, account.address.toLowerCase());
      assert.equal(ok.body.key.owner, owner.id);
      assert.equal(ok.body.key.expiresAt, new Date(validUntil).toISOString());
    });

    it('registers for the user who already owns the wallet, defaults validUntil to 14 days and counts accountIndex per address', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const user = await node.addUser({ wallets: [account.address] });
      const indexes: number[] = [];
      const keys: string[] = [];
      for (let i = 0; i < 10; i++) {
        const { publicKeyHex } = ed25519Pair();
        const created = await node.request('POST', '/v1/createApiKey', { body: await createBody(account, publicKeyHex, `w${i}`, Date.now() + 14 * DAY) });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        indexes.push(created.body.accountIndex);
        keys.push(publicKeyHex);
      }
      assert.deepEqual(indexes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const eleventh = ed25519Pair().publicKeyHex;
      const refused = await node.request('POST', '/v1/createApiKey', { body: await createBody(account, eleventh, 'w10', Date.now() + 2 * DAY) });
      assert.equal(refused.status, 409);
      assert.match(refused.body.error.message, /10 live API keys/);

      const revoked = await node.request('POST', '/v1/revokeApiKey', { body: await revokeBody(account, account.address, keys[3], 'w3') });
      assert.equal(revoked.status, 200);
      const reused = await node.request('POST', '/v1/createApiKey', { body: await createBody(account, eleventh, 'w10', Date.now() + 2 * DAY) });
      assert.equal(reused.status, 200);
      assert.equal(reused.body.accountIndex, 3, 'the lowest free index is reused');

      const native = await node.request('GET', '/v1/keys?scheme=ed25519', { token: user.token });
      assert.equal(native.body.keys.length, 11);
      assert.ok(native.body.keys.every((k: { scheme: string; ownerId: string }) => k.scheme === 'ed25519' && k.ownerId === user.user.id));
    });

    it('applies the 14-day default when validUntil is left out of body and message; a public key registers only once', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const { publicKeyHex } = ed25519Pair();
      const signature = await splitPersonalSign(account, JSON.stringify({ apiWalletName: 'd', apiWalletPublicKey: publicKeyHex }));
      const body = { address: account.address, publicKey: publicKeyHex, apiWalletName: 'd', signature };
      const created = await node.request('POST', '/v1/createApiKey', { body });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.ok(Math.abs(created.body.validUntil - (Date.now() + 14 * DAY)) < 5000);

      const again = await node.request('POST', '/v1/createApiKey', { body });
      assert.equal(again.status, 409);
      const revoke = await revokeBody(account, account.address, publicKeyHex, 'd');
      assert.equal((await node.request('POST', '/v1/revokeApiKey', { body: revoke })).status, 200);
      // The revoke message equals a create message without validUntil: replaying it must not bring the key back.
      const replayed = await node.request('POST', '/v1/createApiKey', { body: revoke });
      assert.equal(replayed.status, 409);
      assert.match(replayed.body.error.message, /cannot be registered again/);
    });

    it('answers 401 when the signer is not the address, and audits the refusal', async () => {
      const owner = privateKeyToAccount(generatePrivateKey());
      const impostor = privateKeyToAccount(generatePrivateKey());
      const { publicKeyHex } = ed25519Pair();
      const validUntil = Date.now() + 2 * DAY;
      const body = { ...(await createBody(impostor, publicKeyHex, 'Arcus', validUntil)), address: owner.address };
      const refused = await node.request('POST', '/v1/createApiKey', { body });
      assert.equal(refused.status, 401);
      assert.match(refused.body.error.message, new RegExp(impostor.address.toLowerCase()));
      assert.equal(await node.keygate.directory.userByWallet(owner.address), null, 'nothing was provisioned');

      const tampered = { ...(await createBody(owner, publicKeyHex, 'Arcus', validUntil)), apiWalletName: 'Other' };
      assert.equal((await node.request('POST', '/v1/createApiKey', { body: tampered })).status, 401);

      const entries = await node.keygate.store.audit.list({});
      assert.ok(entries.some((e: { action: string; outcome: string; actor: string }) => e.action === 'key.create' && e.outcome === 'denied' && e.actor === `wallet ${owner.address.toLowerCase()}`));
    });

    it('accepts v as hex, 27/28 and 0/1, and rejects malformed input with 400', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      for (const form of ['hex', 'number', 'parity'] as const) {
        const { publicKeyHex } = ed25519Pair();
        const body = await createBody(account, publicKeyHex, `v-${form}`, Date.now() + 2 * DAY);
        const v = Number.parseInt(body.signature.v.slice(2), 16);
        const signature = { ...body.signature, v: form === 'hex' ? body.signature.v : form === 'number' ? v : v - 27 };
        const created = await node.request('POST', '/v1/createApiKey', { body: { ...body, signature } });
        assert.equal(created.status, 200, `${form}: ${JSON.stringify(created.body)}`);
      }
      const { publicKeyHex } = ed25519Pair();
      const good = await createBody(account, publicKeyHex, 'bad', Date.now() + 2 * DAY);
      const cases: Array<[string, unknown]> = [
        ['publicKey', { ...good, publicKey: 'zz' + publicKeyHex.slice(2) }],
        ['address', { ...good, address: '0x1234' }],
        ['signature.r', { ...good, signature: { ...good.signature, r: '0x1234' } }],
        ['signature.v', { ...good, signature: { ...good.signature, v: '0x05' } }],
        ['validUntil', { ...(await createBody(account, publicKeyHex, 'bad', Date.now() + 200 * DAY)) }],
        ['validUntil', { ...(await createBody(account, publicKeyHex, 'bad', Date.now() + 3600_000)) }],
        ['apiWalletName', { ...good, apiWalletName: 'x'.repeat(65) }],
      ];
      for (const [field, body] of cases) {
        const refused = await node.request('POST', '/v1/createApiKey', { body });
        assert.equal(refused.status, 400, `${field}: ${JSON.stringify(refused.body)}`);
        assert.match(refused.body.error.field ?? refused.body.error.message, new RegExp(field.replace('.', '\\.')));
      }
    });

    it('revokes only with the creating wallet: {apiKey, address, revokedAt µs, accountIndex}; the key then stops working', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const other = privateKeyToAccount(generatePrivateKey());
      const { publicKeyHex, privateKey } = ed25519Pair();
      await node.request('POST', '/v1/createApiKey', { body: await createBody(account, publicKeyHex, 'Arcus', Date.now() + 2 * DAY) });
      // Another wallet signing for its own address is still not the creator.
      const foreign = await node.request('POST', '/v1/revokeApiKey', { body: await revokeBody(other, other.address, publicKeyHex, 'Arcus') });
      assert.equal(foreign.status, 401);
      // Another wallet claiming the creator's address fails signer recovery.
      const forged = await node.request('POST', '/v1/revokeApiKey', { body: await revokeBody(other, account.address, publicKeyHex, 'Arcus') });
      assert.equal(forged.status, 401);
      assert.equal((await verify(signEd25519(publicKeyHex, privateKey, 'GET', '/v1/account'))).body.valid, true);

      const before = Date.now();
      const revoked = await node.request('POST', '/v1/revokeApiKey', { body: await revokeBody(account, account.address.toUpperCase().replace('0X', '0x'), publicKeyHex, 'Arcus') });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.deepEqual(Object.keys(revoked.body).sort(), ['accountIndex', 'address', 'apiKey', 'revokedAt']);
      assert.equal(revoked.body.apiKey, publicKeyHex);
      assert.equal(revoked.body.address, account.address.toLowerCase());
      assert.equal(revoked.body.accountIndex, 0);
      assert.ok(revoked.body.revokedAt >= before * 1000 && revoked.body.revokedAt <= Date.now() * 1000, 'revokedAt is epoch microseconds');
      const denied = await verify(signEd25519(publicKeyHex, privateKey, 'GET', '/v1/account'));
      assert.equal(denied.body.code, 'REVOKED');
      const unknown = await node.request('POST', '/v1/revokeApiKey', { body: await revokeBody(account, account.address, ed25519Pair().publicKeyHex, 'Arcus') });
      assert.equal(unknown.status, 404);
    });

    it('revokes a key whose name was sent with surrounding spaces, signed the same way', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const { publicKeyHex } = ed25519Pair();
      const created = await node.request('POST', '/v1/createApiKey', { body: await createBody(account, publicKeyHex, ' Arcus bot ', Date.now() + 2 * DAY) });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const revoked = await node.request('POST', '/v1/revokeApiKey', { body: await revokeBody(account, account.address, publicKeyHex, ' Arcus bot ') });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    });

    it('throttles an IP after repeated bad wallet signatures (429)', async () => {
      const strict = await startNode({ dialect, config: { verify: { failuresPerMinutePerIp: 3 } } });
      try {
        const owner = privateKeyToAccount(generatePrivateKey());
        const impostor = privateKeyToAccount(generatePrivateKey());
        await clearOfWindowEdge(10_000);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const body = { ...(await createBody(impostor, ed25519Pair().publicKeyHex, 'x', Date.now() + 2 * DAY)), address: owner.address };
          statuses.push((await strict.request('POST', '/v1/createApiKey', { body })).status);
        }
        assert.deepEqual(statuses, [401, 401, 401, 429]);
      } finally {
        await strict.stop();
      }
    });

    it('authenticates Ed25519-signed requests through forward-auth with the same identity headers', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const { publicKeyHex, privateKey } = ed25519Pair();
      await node.request('POST', '/v1/createApiKey', { body: await createBody(account, publicKeyHex, 'fa', Date.now() + 2 * DAY) });
      const signed = signEd25519(publicKeyHex, privateKey, 'GET', '/v1/orders?market=1');
      const ok = await fetch(`${node.url}/v1/auth?permission=read`, { headers: { ...signed.headers, 'x-original-uri': '/v1/orders?market=1' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-keygate-scheme'), 'ed25519');
      const owner = await node.keygate.directory.userByWallet(account.address);
      assert.equal(ok.headers.get('x-keygate-user-id'), owner!.id);
    });
  });
}
