import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError } from '../support/seed.ts';

// Every refused key management attempt is an audit row kept for good: a member must not be able to
// add them without end (a thousand of them once buried what the member did next).
describe('refused key management attempts are budgeted per user', () => {
  let node: TestNode;
  before(async () => {
    // On Redis when there is one: its counts are round trips, so requests arriving together all pass a
    // check before any of them is counted, unless the count itself decides.
    node = await startNode({ redis: process.env.REDIS_URL !== undefined, config: { verify: { failuresPerMinutePerIp: 3 } } });
  });
  after(async () => node.stop());

  it('answers 429 once a user has been refused the failure budget in a minute, audits no more, and leaves other users alone', async () => {
    const member = await node.addUser();
    const refusedBefore = (await node.keygate.store.audit.list({ organizationId: node.organizationId, limit: 10_000 })).length;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await node.request('PATCH', `/v1/keys/nope-${i}`, { token: member.token, body: { name: 'x' } })).status);
    assert.deepEqual(statuses, [404, 404, 404, 429, 429, 429]);
    assertError(await node.request('POST', '/v1/keys', { token: member.token, body: { name: 'fine' } }), 429, 'RATE_LIMITED');
    const audited = (await node.keygate.store.audit.list({ organizationId: node.organizationId, limit: 10_000 })).length - refusedBefore;
    assert.equal(audited, 3, 'only the budget\'s worth of refusals is written');
    const other = await node.addUser();
    assert.equal((await node.request('POST', '/v1/keys', { token: other.token, body: { name: 'mine' } })).status, 201, 'another member is not affected');
    assert.equal((await node.request('PATCH', '/v1/keys/nope', { token: node.admin.token, body: { name: 'x' } })).status, 404, 'nor is the admin');
  });

  it('writes no more than the budget of rows when twenty refused requests arrive at once', async () => {
    const member = await node.addUser();
    const before = (await node.keygate.store.audit.list({ organizationId: node.organizationId, limit: 10_000 })).length;
    // Into the service at once, as twenty requests that passed authentication together reach it.
    const principal = await node.keygate.tokens.principalFor(member.user.id, 'test', '127.0.0.1');
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => node.keygate.keys.update(principal, `none-${i}`, { name: 'x' })));
    const codes = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as { code: string }).code : 'OK')).sort();
    assert.deepEqual(codes, [...Array(3).fill('NOT_FOUND'), ...Array(17).fill('RATE_LIMITED')]);
    const after = (await node.keygate.store.audit.list({ organizationId: node.organizationId, limit: 10_000 })).length;
    assert.equal(after - before, 3);
  });
});
