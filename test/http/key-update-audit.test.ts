import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { seedKey } from '../support/seed.ts';

// An adapter (the CLI) may hand the key service every updatable field, most of them undefined: the
// audit record names only the fields that were changed.
describe('key update audit', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());

  it('names only the fields an update changes, whatever the adapter passed as undefined', async () => {
    const key = await seedKey(node, node.admin.token);
    const principal = await node.keygate.tokens.principalFor(node.admin.user.id, 'test', null);
    await node.keygate.keys.update(principal, key.id, { name: undefined, permissions: undefined, tier: undefined, maxConnections: undefined, requestsPerMinute: 5 });
    await node.keygate.keys.update(principal, key.id, { name: undefined, enabled: false });
    const trail = await node.request('GET', `/v1/keys/${key.id}/audit`, { token: node.admin.token });
    const updates = trail.body.entries.filter((entry: { action: string }) => entry.action !== 'key.create');
    assert.deepEqual(
      updates.map((entry: { action: string; detail: { fields: string[] } }) => [entry.action, entry.detail.fields]),
      [
        ['key.suspend', ['enabled']],
        ['key.update', ['requestsPerMinute']],
      ],
      'newest first',
    );
  });
});
