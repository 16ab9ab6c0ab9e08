import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/databases.ts';
import { runCli } from './run-cli.ts';

describe('keygate CLI (real child processes)', () => {
  let dataDir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);
  /** Asserts a clean failure: non-zero exit, one clear `keygate:` line on stderr, nothing on stdout. */
  const fails = async (pattern: RegExp, ...args: string[]) => {
    const result = await cli(...args);
    assert.notEqual(result.code, 0, `${args.join(' ')} should fail`);
    assert.match(result.stderr, /^keygate: /, args.join(' '));
    assert.match(result.stderr, pattern, args.join(' '));
    assert.equal(result.stderr.includes('    at '), false, 'no stack trace for bad input');
    return result;
  };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
    env = { KEYGATE_DATA_DIR: dataDir };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrate brings an empty data folder up to date', async () => {
    const result = await cli('migrate');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { migrated: true, store: 'sqlite' });
  });

  it('org create, user create, token create, keys create|list|revoke work end to end', async () => {
    const org = await cli('org', 'create', 'Acme Trading');
    assert.equal(org.code, 0, org.stderr);
    assert.equal(JSON.parse(org.stdout).organization.name, 'Acme Trading');

    const user = await cli('user', 'create', '--org', 'Acme Trading', '--name', 'ada', '--role', 'admin', '--usage-level', 'premier', '--tier', 'premium', '--wallet', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    assert.equal(user.code, 0, user.stderr);
    const created = JSON.parse(user.stdout).user;
    assert.equal(created.role, 'admin');
    assert.equal(created.usageLevel, 'premier');
    assert.equal(created.tier, 'premium');
    assert.deepEqual(created.wallets, ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266']);

    const token = await cli('token', 'create', '--user', 'ada', '--org', 'Acme Trading', '--ttl-days', '30');
    assert.equal(token.code, 0, token.stderr);
    assert.match(JSON.parse(token.stdout).token, /^kgm_[0-9a-f]{64}$/);

    const key = await cli('keys', 'create', '--user', 'ada', '--org', 'Acme Trading', '--name', 'cli key', '--permission', 'read', '--permission', 'trade', '--ip', '10.0.0.0/8', '--exchange', 'binance', '--expires-in-days', '7');
    assert.equal(key.code, 0, key.stderr);
    const made = JSON.parse(key.stdout);
    assert.match(made.key, /^dsk_[0-9a-f]{64}$/);
    assert.deepEqual(made.permissions, ['read', 'trade']);
    assert.deepEqual(made.ipAllowlist, ['10.0.0.0/8']);
    assert.equal(made.origin, 'cli');

    const bare = await cli('keys', 'create', '--user', 'ada', '--org', 'Acme Trading', '--name', 'no rights', '--permission', 'none');
    assert.equal(bare.code, 0, bare.stderr);
    assert.deepEqual(JSON.parse(bare.stdout).permissions, [], '--permission none grants none (the default is read)');

    const anywhere = await cli('keys', 'create', '--user', 'ada', '--org', 'Acme Trading', '--name', 'anywhere', '--ip', 'any');
    assert.equal(anywhere.code, 0, anywhere.stderr);
    assert.deepEqual(JSON.parse(anywhere.stdout).ipAllowlist, [], '--ip any on create, as on update: no address restriction');
    await fails(/--ip any lifts the address restriction; it cannot be combined/, 'keys', 'create', '--user', 'ada', '--org', 'Acme Trading', '--name', 'x', '--ip', 'any', '--ip', '10.0.0.0/8');

    const list = await cli('keys', 'list', '--org', 'Acme Trading', '--tail', made.tail);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).keys.map((k: { id: string }) => k.id), [made.id]);
    assert.equal(list.stdout.includes(made.key), false, 'listing never prints the secret');

    const revoked = await cli('keys', 'revoke', made.id, '--org', 'Acme Trading');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(JSON.parse(revoked.stdout).status, 'revoked');
    await fails(/already revoked/, 'keys', 'revoke', made.id);
  });

  it('keys update changes what its flags name, hands a request limit back to the tier, and explains bad input', async () => {
    const made = await cli('keys', 'create', '--user', 'ada', '--org', 'Acme Trading', '--name', 'limited', '--permission', 'read');
    assert.equal(made.code, 0, made.stderr);
    const { id } = JSON.parse(made.stdout);

    const updated = await cli('keys', 'update', id, '--requests-per-minute', '600', '--name', 'limited bot', '--permission', 'read', '--permission', 'info');
    assert.equal(updated.code, 0, updated.stderr);
    const view = JSON.parse(updated.stdout);
    assert.equal(view.requestsPerMinute, 600);
    assert.equal(view.name, 'limited bot');
    assert.deepEqual(view.permissions, ['read', 'info']);

    const back = await cli('keys', 'update', id, '--requests-per-minute', 'tier');
    assert.equal(back.code, 0, back.stderr);
    assert.equal(JSON.parse(back.stdout).requestsPerMinute, null, 'the tier\'s limit applies again');
    assert.equal(JSON.parse(back.stdout).name, 'limited bot', 'flags left out stay as they are');

    const fenced = await cli('keys', 'update', id, '--ip', '10.0.0.0/8');
    assert.deepEqual(JSON.parse(fenced.stdout).ipAllowlist, ['10.0.0.0/8']);
    const open = await cli('keys', 'update', id, '--ip', 'any');
    assert.equal(open.code, 0, open.stderr);
    assert.deepEqual(JSON.parse(open.stdout).ipAllowlist, [], '--ip any lifts the address restriction');

    const stripped = await cli('keys', 'update', id, '--permission', 'none');
    assert.equal(stripped.code, 0, stripped.stderr);
    assert.deepEqual(JSON.parse(stripped.stdout).permissions, [], '--permission none removes every permission');
    await fails(/--permission none gives the key no permissions; it cannot be combined/, 'keys', 'update', id, '--permission', 'none', '--permission', 'read');

    await fails(/nothing to change: give at least one of --name, --permission/, 'keys', 'update', id);
    await fails(/maxConnections must be a whole number from 1 to 100000/, 'keys', 'update', id, '--max-connections', '999999999999999999999');
    await fails(/one key id at a time/, 'keys', 'update', id, 'another-id', '--name', 'x');
    await fails(/--requests-per-minute must be a whole number, got "lots"/, 'keys', 'update', id, '--requests-per-minute', 'lots');
    await fails(/no API key with id 00000000-0000-4000-8000-000000000000/, 'keys', 'update', '00000000-0000-4000-8000-000000000000', '--name', 'x');
    await fails(/fly/, 'keys', 'update', id, '--permission', 'fly');
    await fails(/key id is required/, 'keys', 'update', '--name', 'x');
  });

  it('token create (90 days by default, --ttl-days, --no-expiry), token list and token revoke', async () => {
    const fixed = JSON.parse((await cli('token', 'create', '--user', 'ada', '--name', 'ci')).stdout);
    const days = (Date.parse(fixed.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90, `a token lasts tokens.defaultTtlDays (90) unless told otherwise, got ${days}`);
    const forever = JSON.parse((await cli('token', 'create', '--user', 'ada', '--name', 'forever', '--no-expiry')).stdout);
    assert.equal(forever.expiresAt, null);
    await fails(/--ttl-days or --no-expiry, not both/, 'token', 'create', '--user', 'ada', '--ttl-days', '3', '--no-expiry');
    // A lifetime past every date was stored anyway (the secret never printed) and then broke every
    // listing of the organization's tokens, the API's GET /v1/tokens included, with a bare 500.
    await fails(/--ttl-days must be at most 36500/, 'token', 'create', '--user', 'ada', '--ttl-days', '100000000');

    const listed = await cli('token', 'list', '--user', 'ada');
    assert.equal(listed.code, 0, listed.stderr);
    const tokens = JSON.parse(listed.stdout).tokens as Array<{ id: string; name: string; tail: string; status: string }>;
    assert.deepEqual(tokens.slice(0, 2).map((t) => t.name), ['forever', 'ci'], 'newest first');
    assert.equal(tokens.find((t) => t.id === fixed.id)?.tail, fixed.token.slice(-6));
    assert.equal(listed.stdout.includes(fixed.token), false, 'listing never prints a token');
    assert.equal(JSON.parse((await cli('token', 'list', '--org', 'Acme Trading')).stdout).tokens.length, tokens.length);

    const revoked = await cli('token', 'revoke', fixed.id);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(JSON.parse(revoked.stdout).token.status, 'revoked');
    await fails(/already revoked/, 'token', 'revoke', fixed.id);
    await fails(/no management token with that id/, 'token', 'revoke', 'no-such-token');
    await fails(/token id is required/, 'token', 'revoke');
  });

  /** Runs checks a few at a time: enough to overlap start-up, not so many that a shared machine chokes. */
  const inBatches = async (checks: Array<() => Promise<unknown>>) => {
    for (let i = 0; i < checks.length; i += 3) await Promise.all(checks.slice(i, i + 3).map((check) => check()));
  };

  it('every command explains bad input and exits non-zero', async () => {
    await inBatches([
      () => fails(/unknown command "frobnicate"/, 'frobnicate'),
      () => fails(/organization name is required/, 'org', 'create'),
      () => fails(/revokePolicy must be admins or owner_or_admin/, 'org', 'create', 'Bad Policy Org', '--revoke-policy', 'anyone'),
      () => fails(/--org is required/, 'user', 'create', '--name', 'x'),
      () => fails(/--user is required/, 'token', 'create'),
      () => fails(/no user ghost/, 'token', 'create', '--user', 'ghost'),
      () => fails(/--ttl-days must be a whole number/, 'token', 'create', '--user', 'ghost', '--ttl-days', 'soon'),
      () => fails(/Unknown option '--colour'/, 'token', 'create', '--user', 'ghost', '--colour', 'red'),
      () => fails(/--user is required/, 'keys', 'create', '--name', 'x'),
      () => fails(/give --user .* or --org/, 'keys', 'list'),
      () => fails(/key id is required/, 'keys', 'revoke'),
      () => fails(/no API key with id nope/, 'keys', 'revoke', 'nope'),
      () => fails(/--port must be a whole number/, 'serve', '--port', 'eighty'),
    ]);
  });

  it('explains bad values for roles, usage levels, tiers, wallets, permissions and ranges', async () => {
    assert.equal((await cli('org', 'create', 'Beta')).code, 0);
    assert.equal((await cli('user', 'create', '--org', 'Beta', '--name', 'bo')).code, 0);
    await inBatches([
      () => fails(/role must be one of admin, member/, 'user', 'create', '--org', 'Beta', '--name', 'x1', '--role', 'owner'),
      () => fails(/usage level must be one of basic, advanced, premier, market_maker/, 'user', 'create', '--org', 'Beta', '--name', 'x2', '--usage-level', 'vip'),
      () => fails(/tier must be one of basic, premium, enterprise/, 'user', 'create', '--org', 'Beta', '--name', 'x3', '--tier', 'gold'),
      () => fails(/wallets\[0\] must be a 20-byte hex address/, 'user', 'create', '--org', 'Beta', '--name', 'x4', '--wallet', '0x1234'),
      () => fails(/already exists/, 'user', 'create', '--org', 'Beta', '--name', 'bo'),
      () => fails(/"fly" is not a known permission/, 'keys', 'create', '--user', 'bo', '--org', 'Beta', '--name', 'k', '--permission', 'fly'),
      () => fails(/ipAllowlist\[0\] is not an IPv4\/IPv6 address or CIDR range/, 'keys', 'create', '--user', 'bo', '--org', 'Beta', '--name', 'k', '--ip', '10.0.0.0/40'),
      () => fails(/--expires-in-days must be a whole number/, 'keys', 'create', '--user', 'bo', '--org', 'Beta', '--name', 'k', '--expires-in-days=-3'),
    ]);
  });

  it('--user finds a name used in one organization without --org, and asks for --org when several use it', async () => {
    for (const org of ['Gamma', 'Delta', 'Epsilon']) assert.equal((await cli('org', 'create', org)).code, 0);
    for (const [org, name] of [['Gamma', 'gia'], ['Delta', 'sam'], ['Epsilon', 'sam']]) {
      const made = await cli('user', 'create', '--org', org, '--name', name, '--role', 'admin');
      assert.equal(made.code, 0, made.stderr);
    }
    const key = await cli('keys', 'create', '--user', 'gia', '--name', 'no org given');
    assert.equal(key.code, 0, key.stderr);
    const list = await cli('keys', 'list', '--user', 'gia');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).keys.map((k: { name: string }) => k.name), ['no org given']);
    assert.equal((await cli('token', 'create', '--user', 'gia')).code, 0);

    const ambiguous = await fails(/--org/, 'keys', 'list', '--user', 'sam');
    assert.match(ambiguous.stderr, /"Delta"/);
    assert.match(ambiguous.stderr, /"Epsilon"/);
    await fails(/--org/, 'token', 'create', '--user', 'sam');
    const chosen = await cli('keys', 'list', '--user', 'sam', '--org', 'Epsilon');
    assert.equal(chosen.code, 0, chosen.stderr);
  });

  it('names a bad setting from the environment or the config file', async () => {
    const badEnv = await runCli(['migrate'], { ...env, KEYGATE_FAILURES_PER_MINUTE_PER_IP: 'lots' });
    assert.notEqual(badEnv.code, 0);
    assert.match(badEnv.stderr, /KEYGATE_FAILURES_PER_MINUTE_PER_IP must be a whole number/);
    const file = join(dataDir, 'bad.json');
    writeFileSync(file, JSON.stringify({ verify: { negativeCacheTtlMs: -1 } }));
    const badFile = await cli('migrate', '--config', file);
    assert.notEqual(badFile.code, 0);
    assert.match(badFile.stderr, /invalid setting verify\.negativeCacheTtlMs/);
    const badUrl = await runCli(['migrate'], { ...env, DATABASE_URL: 'mysql://nope' });
    assert.match(badUrl.stderr, /invalid setting databaseUrl/);
  });

  it('migrate runs against PostgreSQL when DATABASE_URL is set', { skip: process.env.DATABASE_URL ? false : 'DATABASE_URL is not set' }, async () => {
    const database = await createTestDatabase('postgres');
    try {
      const result = await runCli(['migrate'], { KEYGATE_DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl! });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { migrated: true, store: 'postgres' });
      const org = await runCli(['org', 'create', 'On Postgres'], { KEYGATE_DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl! });
      assert.equal(org.code, 0, org.stderr);
    } finally {
      await database.drop();
    }
  });
});
