import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bytesToHex } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { isLoopbackAddress } from '../../src/core/loopback-address.ts';
import { publicKeyWallets } from '../../src/core/public-wallets.ts';
import { siweMessage } from '../support/console-sign-in.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { ed25519Pair, splitPersonalSign } from '../support/signers.ts';

// The demo's wallets are Hardhat's and Anvil's default accounts: their private keys are printed in
// every tutorial. From this machine they sign in as the demo admin (that is what the demo is for);
// from anywhere else, anyone could.
const MNEMONIC = 'test test test test test test test test test test test junk';
/** Account `i` of the development mnemonic, as a private-key account (what the signers here take). */
function developmentAccount(i: number): PrivateKeyAccount {
  return privateKeyToAccount(bytesToHex(mnemonicToAccount(MNEMONIC, { addressIndex: i }).getHdKey().privateKey!));
}
const DEMO_ADMIN = developmentAccount(0);
const ELSEWHERE = { 'x-forwarded-for': '203.0.113.7' };

describe('wallets whose private keys are public', () => {
  it('are the first ten accounts of the development mnemonic', () => {
    assert.deepEqual(publicKeyWallets(), Array.from({ length: 10 }, (_, i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }).address));
  });

  it('tells this machine from others in every spelling of an address', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(ip), true, ip);
    for (const ip of ['10.0.0.1', '203.0.113.7', '::2', '::ffff:10.0.0.1', 'fe80::1', 'localhost', '', null]) assert.equal(isLoopbackAddress(ip), false, String(ip));
  });
});

describe('a public-key wallet acts only from this machine; new wallets are budgeted per address', () => {
  let node: TestNode;
  before(async () => {
    // The test client is on loopback, a trusted proxy by default: X-Forwarded-For names another machine.
    node = await startNode({ config: { verify: { failuresPerMinutePerIp: 3 } } });
    await node.addUser({ wallets: [DEMO_ADMIN.address], role: 'admin' });
  });
  after(async () => node.stop());

  async function signIn(account: PrivateKeyAccount, headers: Record<string, string> = {}) {
    const message = await siweMessage(node, account.address);
    return node.request('POST', '/v1/console/siwe', { body: { message, signature: await account.signMessage({ message }) }, headers });
  }

  async function register(account: PrivateKeyAccount, headers: Record<string, string> = {}) {
    const { publicKeyHex } = ed25519Pair();
    const validUntil = Date.now() + 2 * 86_400_000;
    const message = JSON.stringify({ apiWalletName: 'w', apiWalletPublicKey: publicKeyHex, validUntil });
    return node.request('POST', '/v1/createApiKey', { body: { address: account.address, publicKey: publicKeyHex, apiWalletName: 'w', validUntil, signature: await splitPersonalSign(account, message) }, headers });
  }

  it('refuses the demo admin\'s wallet console sign-in from another machine, saying why, and accepts it from this one', async () => {
    const refused = await signIn(DEMO_ADMIN, ELSEWHERE);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.match(refused.body.error.message, /private key is public.*only from this machine/);
    assert.equal((await signIn(DEMO_ADMIN)).status, 200);
  });

  it('refuses a key registration signed by a development account from another machine, and audits it', async () => {
    const refused = await register(developmentAccount(5), ELSEWHERE);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.match(refused.body.error.message, /private key is public/);
    const audit = await node.keygate.store.audit.list({ limit: 5 });
    assert.ok(audit.some((e) => e.action === 'key.create' && e.outcome === 'denied' && e.ip === '203.0.113.7'));
    assert.equal((await register(developmentAccount(5))).status, 200, 'from this machine it may');
  });

  it('counts such refusals on the address\'s failure budget, so nobody can add audit rows without end', async () => {
    const from = { 'x-forwarded-for': '198.51.100.40' };
    const account = developmentAccount(3);
    const attempts = await Promise.all(Array.from({ length: 20 }, () => register(account, from)));
    const statuses = attempts.map((response) => response.status).sort();
    assert.deepEqual(statuses, [...Array(3).fill(403), ...Array(17).fill(429)], 'twenty at once: exactly the budget of 3 refused as 403');
    const rows = (await node.keygate.store.audit.list({ limit: 10_000 })).filter((e) => e.ip === '198.51.100.40');
    assert.equal(rows.length, 3, 'one audit row per refusal within the budget, none after it');
    assert.equal((await register(account, from)).status, 429, 'the budget is spent for the minute');
  });

  it('provisions at most the failure budget of new wallet accounts per address a minute', async () => {
    const from = { 'x-forwarded-for': '198.51.100.20' };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await register(privateKeyToAccount(generatePrivateKey()), from)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal((await register(privateKeyToAccount(generatePrivateKey()), { 'x-forwarded-for': '198.51.100.21' })).status, 200, 'another address has its own budget');
  });
});
