import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, verifyKey } from '../support/seed.ts';

// Every credential surface spends the same kind of per-address budget: server-credential failures
// (verify API, server API) are throttled and audited, and each Sign-In with Ethereum nonce (a stored
// row) counts against the address's sign-in budget.

describe('server credential and SIWE nonce throttles', () => {
  let node: TestNode;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock(Date.now());
    node = await startNode({ clock, config: { verify: { failuresPerMinutePerIp: 4 } } });
  });
  after(async () => node.stop());

  it('wrong server credentials are audited, and after the budget even the right one gets 429 until the minute is over', async () => {
    const wrong = 'kgs_' + 'f'.repeat(64);
    for (let i = 0; i < 2; i++) assertError(await node.request('POST', '/v1/keys/verify', { token: wrong, body: { key: 'dsk_x' } }), 401, 'UNAUTHENTICATED');
    assertError(await node.request('POST', '/api/publish', { headers: { authorization: `apikey ${wrong}` }, body: { channel: 'listings:binance', data: {} } }), 401, 'UNAUTHENTICATED');
    assertError(await node.request('POST', '/v1/keys/verify', { body: { key: 'dsk_x' } }), 401, 'UNAUTHENTICATED');
    assertError(await node.request('POST', '/v1/keys/verify', { token: wrong, body: { key: 'dsk_x' } }), 429, 'RATE_LIMITED');
    assertError(await verifyKey(node, { key: 'dsk_x' }), 429, 'RATE_LIMITED');

    const rows = await node.keygate.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.server').execute();
    assert.equal(rows.length, 4, 'each failure is audited');
    for (const row of rows) {
      assert.equal(row.outcome, 'denied');
      assert.equal(row.ip, '127.0.0.1');
    }
    assert.ok(rows.some((row) => JSON.parse(row.detail).route === '/api/publish'));
    assert.equal(JSON.stringify(rows).includes(wrong), false, 'the presented credential is not kept');

    clock.advance(61_000);
    assert.equal((await verifyKey(node, { key: 'dsk_x' })).status, 200);
  });

  it('issuing SIWE nonces spends the address\'s sign-in budget', async () => {
    clock.advance(61_000);
    for (let i = 0; i < 4; i++) assert.equal((await node.request('POST', '/v1/console/siwe/nonce')).status, 200);
    assertError(await node.request('POST', '/v1/console/siwe/nonce'), 429, 'RATE_LIMITED');
    // The same budget as management sign-ins.
    assertError(await node.request('GET', '/v1/keys', { token: 'kgm_' + '0'.repeat(64) }), 429, 'RATE_LIMITED');
    clock.advance(61_000);
    assert.equal((await node.request('POST', '/v1/console/siwe/nonce')).status, 200);
  });
});
