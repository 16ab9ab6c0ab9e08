import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { seedKey } from '../support/seed.ts';

// The audit log is append-only: whatever lands in it stays. A refused request is recorded with the
// field and the reason, never the value that was refused — a key pasted into the wrong field must
// not be kept there forever. Read back from the table itself, every column.

for (const dialect of dialects()) {
  describe(`the audit log never keeps refused input (${dialect})`, () => {
    let node: TestNode;
    before(async () => {
      node = await startNode({ dialect });
    });
    after(async () => node.stop());

    it('a live key pasted into every refusable field and path leaves no trace of itself in audit_log', async () => {
      const pasted = (await seedKey(node, node.member.token)).key;
      const target = await seedKey(node, node.member.token);
      const admin = node.admin.token;
      const premier = await node.addUser({ usageLevel: 'premier' });
      const refused = [
        await node.request('POST', '/v1/keys', { token: admin, body: { name: 'a', ipAllowlist: ['10.0.0.1', pasted] } }),
        await node.request('POST', '/v1/keys', { token: admin, body: { name: 'b', permissions: [pasted] } }),
        await node.request('POST', '/v1/keys', { token: admin, body: { name: 'c', allowedExchanges: [pasted] } }),
        await node.request('POST', '/v1/keys', { token: admin, body: { name: 'd', ownerId: pasted } }),
        await node.request('PATCH', `/v1/keys/${target.id}`, { token: admin, body: { ipAllowlist: [pasted] } }),
        await node.request('PATCH', `/v1/keys/${target.id}`, { token: admin, body: { permissions: [pasted] } }),
        await node.request('POST', `/v1/keys/${pasted}/revoke`, { token: admin }),
        await node.request('POST', `/v1/keys/${pasted}/roll`, { token: admin }),
        await node.request('DELETE', `/v1/keys/${pasted}`, { token: admin }),
        await node.request('POST', '/frontoffice/api/key', { token: admin, body: { name: 'e', isInfo: true, isTrade: false, IpWhiteList: [pasted] } }),
        await node.request('POST', '/api_keys/generate', { token: premier.token, body: { name: 'f', scopes: [pasted] } }),
        await node.request('DELETE', `/v1/tokens/${pasted}`, { token: admin }),
        await node.request('GET', '/v1/keys', { token: pasted }),
        await node.request('POST', '/v1/keys/verify', { token: pasted, body: { key: pasted } }),
      ];
      for (const response of refused) assert.ok(response.status >= 400 && response.status < 500, JSON.stringify(response.body));
      // The caller is told what was wrong, and may see the value it sent; the log only keeps field and reason.
      assert.equal(refused[0].body.error.field, 'ipAllowlist');

      const rows = await node.keygate.store.db.selectFrom('audit_log').selectAll().execute();
      const denied = rows.filter((row) => row.outcome !== 'ok');
      assert.ok(denied.length >= 12, `refusals are audited (${denied.length})`);
      const text = JSON.stringify(rows);
      assert.equal(text.includes(pasted), false, 'the pasted key is in audit_log');
      assert.equal(text.includes(pasted.slice(4, 36)), false, 'part of the pasted key is in audit_log');
      const ipRefusal = denied.find((row) => JSON.parse(row.detail).field === 'ipAllowlist');
      assert.ok(ipRefusal, 'the refusal names the field');
      assert.match(JSON.parse(ipRefusal!.detail).reason, /ipAllowlist\[1\] is not an IPv4\/IPv6 address or CIDR range$/);
    });
  });
}
