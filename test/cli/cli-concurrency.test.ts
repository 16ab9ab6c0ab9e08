import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { runCli, type CliResult } from './run-cli.ts';

/** The runs that succeeded; every other one failed cleanly with one `keygate:` line matching `refusal`. */
function succeeded(results: readonly CliResult[], refusal: RegExp): CliResult[] {
  for (const result of results.filter((r) => r.code !== 0)) {
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^keygate: /);
    assert.match(result.stderr, refusal);
    assert.equal(result.stderr.includes('    at '), false, 'no stack trace');
  }
  return results.filter((r) => r.code === 0);
}

// Separate processes (operators' scripts, several CLIs beside a server) race for real: the store's
// locks and unique indexes must hold across processes, not only within one node.
for (const dialect of dialects()) {
  describe(`CLI processes racing each other (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCli(args, env, { killAfterMs: 60_000 });
    const atOnce = (count: number, args: (i: number) => string[]) => Promise.all(Array.from({ length: count }, (_, i) => cli(...args(i))));

    before(async () => {
      database = await createTestDatabase(dialect);
      env = { KEYGATE_DATA_DIR: database.dataDir, KEYGATE_MAX_OPAQUE_KEYS_PER_USER: '2', ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}) };
      for (const args of [['migrate'], ['org', 'create', 'Acme'], ['user', 'create', '--org', 'Acme', '--name', 'ada', '--role', 'admin']]) {
        const result = await cli(...args);
        assert.equal(result.code, 0, result.stderr);
      }
    });
    after(async () => database.drop());

    it('keys create from 5 processes at once holds the per-user cap of 2', async () => {
      const results = await atOnce(5, (i) => ['keys', 'create', '--user', 'ada', '--org', 'Acme', '--name', `k${i}`]);
      assert.equal(succeeded(results, /at most 2 active opaque API keys/).length, 2);
    });

    it('user create with the same wallet from 3 processes: one user, the others refused', async () => {
      const results = await atOnce(3, (i) => ['user', 'create', '--org', 'Acme', '--name', `holder${i}`, '--wallet', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']);
      assert.equal(succeeded(results, /wallet .*already belongs to a user/).length, 1);
    });

    it('org create with the same name from 3 processes: one organization, the others refused', async () => {
      const results = await atOnce(3, () => ['org', 'create', 'Same Name']);
      assert.equal(succeeded(results, /already exists/).length, 1);
    });
  });
}
