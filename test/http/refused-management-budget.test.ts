import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError } from '../support/seed.ts';

// Every refused key management attempt is an audit row kept for good: a member must not be able to
// add them without end (a thousand of them once buried what the member did next).
describe('refused key management attempts are budgeted per user', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode({ config: { verify: { failuresPerMinutePerIp: 3 } } });
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
});
