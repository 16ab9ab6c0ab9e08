import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, verifyKey } from '../support/seed.ts';

// Every credential surface spends the same kind of per-address budget: server-credential failures
// (verify API, server API) are throttled and audited, and each Sign-In with Ethereum nonce (a stored
// row) counts against the address's nonce budget, kept apart from its sign-in budget.

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

  it('issuing SIWE nonces spends a nonce budget of its own, which never locks the address out of management sign-in', async () => {
    clock.advance(61_000);
    for (let i = 0; i < 4; i++) assert.equal((await node.request('POST', '/v1/console/siwe/nonce')).status, 200);
    assertError(await node.request('POST', '/v1/console/siwe/nonce'), 429, 'RATE_LIMITED');
    // Anonymous nonce requests from a shared address (a NAT, a /64) leave its management tokens working,
    // and a wrong token is still told it is wrong, within the sign-in budget.
    assert.equal((await node.request('GET', '/v1/keys', { token: node.admin.token })).status, 200);
    assertError(await node.request('GET', '/v1/keys', { token: 'kgm_' + '0'.repeat(64) }), 401, 'UNAUTHENTICATED');
    clock.advance(61_000);
    assert.equal((await node.request('POST', '/v1/console/siwe/nonce')).status, 200);
  });

  // One IPv6 client holds a whole /64 and can send from any address in it (behind a trusted proxy,
  // each request names another one): its failures are counted for the network, not per address.
  it('an IPv6 client rotating through its /64 spends one budget, on every credential surface', async () => {
    clock.advance(61_000);
    const from = (n: number) => ({ 'x-forwarded-for': `2001:db8:1:2::${n.toString(16)}` });
    const auth = (n: number) => node.request('GET', '/v1/auth/traefik', { headers: { ...from(n), 'x-api-key': 'dsk_' + n.toString(16).padStart(64, '0'), 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api' } });
    const statuses: number[] = [];
    for (let n = 1; n <= 6; n++) statuses.push((await auth(n)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429], 'forward-auth: the fifth guess from the same /64 is throttled');
    // Another /64 has its own budget.
    assert.equal((await node.request('GET', '/v1/auth/traefik', { headers: { 'x-forwarded-for': '2001:db8:1:3::1', 'x-api-key': 'dsk_' + 'e'.repeat(64), 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api' } })).status, 401);

    const wrong = 'kgs_' + 'f'.repeat(64);
    for (let n = 1; n <= 4; n++) {
      assertError(await node.request('POST', '/v1/keys/verify', { token: wrong, headers: from(100 + n), body: { key: 'dsk_x' } }), 401, 'UNAUTHENTICATED');
    }
    assertError(await node.request('POST', '/v1/keys/verify', { token: wrong, headers: from(200), body: { key: 'dsk_x' } }), 429, 'RATE_LIMITED');

    for (let n = 1; n <= 4; n++) assert.equal((await node.request('POST', '/v1/console/siwe/nonce', { headers: from(300 + n) })).status, 200);
    assertError(await node.request('POST', '/v1/console/siwe/nonce', { headers: from(400) }), 429, 'RATE_LIMITED');
    // An IPv4-mapped spelling of an address is that IPv4 client, not another one.
    clock.advance(61_000);
    for (let n = 1; n <= 4; n++) assert.equal((await node.request('POST', '/v1/console/siwe/nonce', { headers: { 'x-forwarded-for': n % 2 ? '192.0.2.7' : '::ffff:192.0.2.7' } })).status, 200);
    assertError(await node.request('POST', '/v1/console/siwe/nonce', { headers: { 'x-forwarded-for': '::ffff:c000:207' } }), 429, 'RATE_LIMITED');
  });
});

// Nonces are stored rows, so their budget is a bound, not a deterrent: twenty concurrent requests from
// one address get exactly the budget's worth, on the in-memory bus and on Redis (a check, then a
// separate count, let every one of them through when each step was a round trip).
for (const redis of [false, true]) {
  describe(`SIWE nonce budget under concurrent requests (${redis ? 'Redis' : 'in-memory bus'})`, { skip: redis && !process.env.REDIS_URL ? 'REDIS_URL is not set' : false }, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ redis, config: { verify: { failuresPerMinutePerIp: 4 } } });
    });
    after(async () => node.stop());

    it('issues exactly the budget of 4 nonces to 20 simultaneous requests', async () => {
      const statuses = await Promise.all(Array.from({ length: 20 }, () => node.request('POST', '/v1/console/siwe/nonce').then((response) => response.status)));
      assert.equal(statuses.filter((status) => status === 200).length, 4, JSON.stringify(statuses));
      assert.equal(statuses.filter((status) => status === 429).length, 16);
      const rows = await node.keygate.store.db.selectFrom('console_nonces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(rows.n), 4, 'only the issued nonces were stored');
    });
  });
}
