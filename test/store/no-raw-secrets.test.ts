import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import { seedKey } from '../support/seed.ts';

for (const dialect of dialects()) {
  describe(`the store never holds a raw secret (${dialect})`, () => {
    let node: TestNode;
    const secrets: string[] = [];
    before(async () => {
      node = await startNode({ dialect });
      secrets.push(node.admin.token, node.member.token);
      for (let i = 0; i < 5; i++) secrets.push((await seedKey(node, node.admin.token, { name: `key ${i}` })).key);
      const rolled = await node.request('POST', `/v1/keys/${(await seedKey(node, node.admin.token)).id}/roll`, { token: node.admin.token, body: { graceSeconds: 60 } });
      secrets.push(rolled.body.key);
      const { token } = await node.keygate.tokens.create(node.admin.user, 'extra');
      secrets.push(token);
      await node.keygate.lastUsed.flush();
    });
    after(async () => node.stop());

    it('has the secrets it must not store', () => {
      assert.ok(secrets.every((s) => /^(dsk|kgm)_[0-9a-f]{64}$/.test(s)));
    });

    it(dialect === 'sqlite' ? 'no dsk_/kgm_ secret appears in the SQLite files' : 'no dsk_/kgm_ secret appears in the api_keys, management_tokens or audit_log tables', async () => {
      let haystack: string;
      if (dialect === 'sqlite') {
        const files = readdirSync(node.database.dataDir).filter((f) => f.startsWith('keygate.sqlite'));
        assert.ok(files.includes('keygate.sqlite'));
        haystack = files.map((f) => readFileSync(join(node.database.dataDir, f)).toString('latin1')).join('\n');
      } else {
        const client = new pg.Client({ connectionString: node.database.databaseUrl! });
        await client.connect();
        const tables = await Promise.all(['api_keys', 'management_tokens', 'audit_log'].map((t) => client.query(`SELECT * FROM ${t}`)));
        await client.end();
        assert.ok(tables[0].rows.length >= 7);
        haystack = JSON.stringify(tables.map((t) => t.rows));
      }
      for (const secret of secrets) {
        assert.equal(haystack.includes(secret), false, 'raw secret found in the store');
        // Not even the random body without its prefix.
        assert.equal(haystack.includes(secret.slice(4)), false, 'secret body found in the store');
      }
      assert.equal(/(dsk|kgm)_[0-9a-f]{64}/.test(haystack), false);
    });
  });
}
