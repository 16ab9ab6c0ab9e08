// Issue 12: rate-limit state returned to the caller. A key with a request limit (its own
// requestsPerMinute, set by an admin, else its tier's) gets X-RateLimit-* on forward-auth's 200,
// Retry-After on its 429, and the same numbers in the verify API's verdict; counts hold across nodes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startNode, type TestNode } from '../support/harness.ts';

const MINUTE = 60_000;
/** 15 s into a minute, so the window resets in exactly 45 s. */
const START = Math.floor(Date.now() / MINUTE) * MINUTE + 15_000;

describe('rate-limit state', () => {
  let node: TestNode;
  let clock: ManualClock;
  const forwardAuth = (key: string) => fetch(`${node.url}/v1/auth`, { headers: { 'X-API-Key': key } });
  const createKey = async (body: Record<string, unknown>, token = node.admin.token) => node.request('POST', '/v1/keys', { token, body: { name: 'limited', ...body } });

  before(async () => {
    clock = new ManualClock(START);
    node = await startNode({ clock, config: { keys: { tiers: { premium: { maxConnections: 10, requestsPerMinute: 5 } } } } });
  });
  after(async () => node.stop());

  it('counts down X-RateLimit-Remaining on 200s, then answers 429 with Retry-After until the window resets', async () => {
    const created = await createKey({ requestsPerMinute: 3 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.requestsPerMinute, 3);
    for (const remaining of [2, 1, 0]) {
      const answer = await forwardAuth(created.body.key);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('x-ratelimit-limit'), '3');
      assert.equal(answer.headers.get('x-ratelimit-remaining'), String(remaining));
      assert.equal(answer.headers.get('x-ratelimit-reset'), '45');
    }
    clock.advance(5_000);
    const refused = await forwardAuth(created.body.key);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('x-keygate-code'), 'RATE_LIMITED');
    assert.equal(refused.headers.get('retry-after'), '40');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    clock.advance(40_000);
    const next = await forwardAuth(created.body.key);
    assert.equal(next.status, 200, 'a new window');
    assert.equal(next.headers.get('x-ratelimit-remaining'), '2');
    assert.equal(next.headers.get('x-ratelimit-reset'), '60');
    clock.set(START);
  });

  it('spends none of the budget on a request refused for one of several permissions a proxy asks for', async () => {
    const created = await createKey({ requestsPerMinute: 2, permissions: ['read'] });
    const check = (extra: Record<string, string> = {}) => fetch(`${node.url}/v1/auth/nginx?permission=read`, { headers: { 'X-API-Key': created.body.key, 'X-Original-URI': '/api', ...extra } });
    for (let i = 0; i < 3; i++) {
      const refused = await check({ 'X-Keygate-Permission': 'trade' });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('x-keygate-code'), 'INSUFFICIENT_PERMISSIONS');
    }
    assert.equal((await check()).headers.get('x-ratelimit-remaining'), '1', 'the refused requests counted nothing');
    assert.equal((await check()).status, 200);
  });

  it('returns the same numbers in the verify API verdict', async () => {
    const created = await createKey({ requestsPerMinute: 2 });
    const verify = () => node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { key: created.body.key } });
    assert.deepEqual((await verify()).body.rateLimit, { limit: 2, remaining: 1, reset: 45 });
    assert.deepEqual((await verify()).body.rateLimit, { limit: 2, remaining: 0, reset: 45 });
    const refused = (await verify()).body;
    assert.equal(refused.code, 'RATE_LIMITED');
    assert.deepEqual(refused.rateLimit, { limit: 2, remaining: 0, reset: 45 });
  });

  it("applies the tier's limit when the key has none, and sends no rate-limit headers when neither has one", async () => {
    const premium = await createKey({ tier: 'premium' });
    assert.equal(premium.body.requestsPerMinute, null);
    const answer = await forwardAuth(premium.body.key);
    assert.equal(answer.headers.get('x-ratelimit-limit'), '5');
    const overridden = await createKey({ tier: 'premium', requestsPerMinute: 50 });
    assert.equal((await forwardAuth(overridden.body.key)).headers.get('x-ratelimit-limit'), '50', "the key's own limit wins");
    const unlimited = await createKey({ tier: 'basic' });
    const plain = await forwardAuth(unlimited.body.key);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('x-ratelimit-limit'), null);
    assert.equal(plain.headers.get('retry-after'), null);
  });

  it('lets admins change or clear the limit with PATCH, effective at once', async () => {
    const created = await createKey({ tier: 'basic' });
    const patch = (body: unknown, token = node.admin.token) => node.request('PATCH', `/v1/keys/${created.body.id}`, { token, body });
    const set = await patch({ requestsPerMinute: 1 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.requestsPerMinute, 1);
    assert.equal((await forwardAuth(created.body.key)).status, 200);
    assert.equal((await forwardAuth(created.body.key)).status, 429);
    const cleared = await patch({ requestsPerMinute: null });
    assert.equal(cleared.body.requestsPerMinute, null);
    assert.equal((await forwardAuth(created.body.key)).status, 200, 'back to the tier, which has no limit');
    assert.equal((await node.request('GET', `/v1/keys/${created.body.id}`, { token: node.admin.token })).body.requestsPerMinute, null);
  });

  it('refuses a request limit from members (403) and bad values with a 400 naming the field', async () => {
    const byMember = await createKey({ requestsPerMinute: 100 }, node.member.token);
    assert.equal(byMember.status, 403);
    assert.match(byMember.body.error.message, /only organization admins/);
    const own = await createKey({}, node.member.token);
    const memberPatch = await node.request('PATCH', `/v1/keys/${own.body.id}`, { token: node.member.token, body: { requestsPerMinute: 10 } });
    assert.equal(memberPatch.status, 403);
    for (const value of [0, -5, 1.5, 'ten', 20_000_000]) {
      const refused = await createKey({ requestsPerMinute: value });
      assert.equal(refused.status, 400, `${JSON.stringify(value)}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.field, 'requestsPerMinute', JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /^requestsPerMinute /);
    }
  });
});

describe('rate limits across two nodes on PostgreSQL and Redis', { skip: process.env.DATABASE_URL && process.env.REDIS_URL ? false : 'DATABASE_URL and REDIS_URL are not both set' }, () => {
  let first: TestNode;
  let second: TestNode;
  before(async () => {
    // One clock for both nodes, mid-window, so the 20 requests all fall in one window.
    const clock = new ManualClock(START);
    first = await startNode({ dialect: 'postgres', redis: true, clock });
    second = await startNode({ dialect: 'postgres', redis: true, joinOf: first, clock });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('lets exactly the limit through when 20 requests race across both nodes', async () => {
    const created = await first.request('POST', '/v1/keys', { token: first.admin.token, body: { name: 'shared', requestsPerMinute: 5 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 === 0 ? first : second).url}/v1/auth`, { headers: { 'X-API-Key': created.body.key } })),
    );
    const passed = answers.filter((answer) => answer.status === 200);
    assert.equal(passed.length, 5, `statuses: ${answers.map((answer) => answer.status).join(',')}`);
    assert.equal(answers.filter((answer) => answer.status === 429).length, 15);
    assert.deepEqual(passed.map((answer) => answer.headers.get('x-ratelimit-remaining')).sort(), ['0', '1', '2', '3', '4']);
    for (const refused of answers.filter((answer) => answer.status === 429)) assert.equal(refused.headers.get('retry-after'), '45');
  });
});
