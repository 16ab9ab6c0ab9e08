import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { assertError, seedKey } from '../support/seed.ts';

interface Entry {
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly outcome: string;
  readonly actorUserId: string;
  readonly keyId: string | null;
}

for (const dialect of dialects()) {
  describe(`the audit log, newest first and a page at a time (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      // A budget of refused attempts large enough to write more than one page's worth of them
      // (test/http/refused-management-budget.test.ts checks the budget itself).
      node = await startNode({ dialect, config: { verify: { failuresPerMinutePerIp: 5_000 } } });
    });
    after(async () => node.stop());

    /** Every entry of `path`, following `next` from the newest page to the oldest. */
    async function readAll(path: string, limit: number): Promise<Entry[]> {
      const entries: Entry[] = [];
      let next: string | null = null;
      do {
        const query: string = `?limit=${limit}${next === null ? '' : `&before=${next}`}`;
        const page = await node.request('GET', path + query, { token: node.admin.token });
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.ok(page.body.entries.length <= limit);
        entries.push(...page.body.entries);
        next = page.body.next;
      } while (next !== null);
      return entries;
    }

    it('shows what a member did after a thousand refused attempts first, and pages back through every entry exactly once', async () => {
      // Refused attempts are audited; a member can make as many as they like.
      for (let batch = 0; batch < 21; batch++) {
        const refused = await Promise.all(Array.from({ length: 50 }, (_, i) => node.request('PATCH', `/v1/keys/nope-${batch}-${i}`, { token: node.member.token, body: { name: 'x' } })));
        for (const response of refused) assert.equal(response.status, 404);
      }
      const hidden = await seedKey(node, node.member.token);

      const first = await node.request('GET', '/v1/audit', { token: node.admin.token });
      assert.equal(first.status, 200);
      assert.equal(first.body.entries.length, 100, 'a page holds 100 entries unless asked otherwise');
      assert.deepEqual([first.body.entries[0].action, first.body.entries[0].keyId, first.body.entries[0].actorUserId], ['key.create', hidden.id, node.member.user.id]);
      assert.equal(typeof first.body.next, 'string');

      const all = await readAll('/v1/audit', 300);
      assert.ok(all.length >= 1051, `${all.length} entries`);
      assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'no entry on two pages');
      // The log's own order (entries appended at once may carry times a millisecond out of order).
      const stored = await node.keygate.store.audit.list({ organizationId: node.organizationId, limit: 10_000 });
      assert.deepEqual(all.map((e) => e.id), stored.map((e) => e.id), 'the pages together are the whole log, newest first');
      assert.deepEqual(all.slice(0, 100).map((e) => e.id), first.body.entries.map((e: Entry) => e.id), 'the first page is the newest 100');
      assert.equal(all.filter((e) => e.outcome !== 'ok' && e.actorUserId === node.member.user.id).length >= 1050, true);
    });

    it('pages one key\'s trail the same way', async () => {
      const key = await seedKey(node, node.member.token);
      for (const name of ['a', 'b', 'c', 'd']) assert.equal((await node.request('PATCH', `/v1/keys/${key.id}`, { token: node.admin.token, body: { name } })).status, 200);
      const trail = await readAll(`/v1/keys/${key.id}/audit`, 2);
      assert.deepEqual(trail.map((e) => e.action), ['key.update', 'key.update', 'key.update', 'key.update', 'key.create']);
    });

    it('refuses a page size or a cursor it cannot use, naming the parameter', async () => {
      for (const query of ['?limit=0', '?limit=1001', '?limit=ten']) assertError(await node.request('GET', `/v1/audit${query}`, { token: node.admin.token }), 400, 'BAD_REQUEST', 'limit');
      // A cursor names an entry of this organization's log: nothing else is one (another organization's
      // entry included), and it never tells where in the shared log the entry stands.
      const otherOrganization = await node.keygate.directory.createOrganization(`other-${Date.now()}`);
      await node.keygate.audit.record({ userId: null, label: 'cli', organizationId: otherOrganization.id, ip: null }, 'key.create', 'ok', null);
      const [elsewhere] = await node.keygate.store.audit.list({ organizationId: otherOrganization.id, limit: 1 });
      for (const cursor of ['abc', '0', '-5', '1e3', '9'.repeat(21), randomUUID(), elsewhere.id]) {
        assertError(await node.request('GET', `/v1/audit?before=${cursor}`, { token: node.admin.token }), 400, 'BAD_REQUEST', 'before');
      }
      const [oldest] = (await node.keygate.store.audit.list({ organizationId: node.organizationId, limit: 100_000 })).slice(-1);
      const none = await node.request('GET', `/v1/audit?before=${oldest.id}`, { token: node.admin.token });
      assert.deepEqual([none.status, none.body.entries, none.body.next], [200, [], null], 'nothing is older than the first entry');
    });
  });
}
