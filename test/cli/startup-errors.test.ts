import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { childEnv, freePort, KEYGATE_BIN, runCli, type CliResult } from './run-cli.ts';

const FORBID_TYPESCRIPT = fileURLToPath(new URL('./forbid-typescript.mjs', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/**
 * The goal is "within about 10 s" of being started; on a quiet machine it is about 6 s (a 5 s
 * connection budget plus start-up). A machine busy with other test files stretches module loading
 * alone by several seconds, so the bound is on the time beyond a successful run of the same CLI
 * started alongside: that difference is the time spent waiting for the backend.
 */
const WAIT_BEYOND_CONTROL_MS = 8_000;
/** A child still running after this is hung, not slow: it is killed and the test fails. */
const HUNG_AFTER_MS = 30_000;

/** Asserts the start-up failure contract: non-zero exit, exactly one `keygate:` line on stderr, no stack trace. */
function failsWithOneLine(result: CliResult, pattern: RegExp): string {
  assert.equal(result.killed, false, `still running after ${HUNG_AFTER_MS} ms:\n${result.stderr}`);
  assert.notEqual(result.code, 0, 'exit code');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0], /^keygate: \S/);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  return lines[0];
}

/** The config-file example under "A config file holds any subset" in the README. */
function readmeConfigExample(): string {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf('A config file holds any subset');
  assert.notEqual(from, -1, 'the README still has its config-file example');
  const block = /```json\n([\s\S]*?)```/.exec(readme.slice(from));
  assert.ok(block, 'a json block follows');
  return block[1];
}

describe('start-up errors through the compiled CLI (one line, non-zero exit)', () => {
  let dataDir: string;
  let env: Record<string, string>;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-startup-'));
    env = { KEYGATE_DATA_DIR: join(dataDir, 'data') };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  /** A successful `migrate` on SQLite, started alongside a failing run so both see the same load. */
  const controlRun = async () => {
    const control = await runCli(['migrate'], { KEYGATE_DATA_DIR: join(dataDir, 'control') }, { killAfterMs: HUNG_AFTER_MS });
    assert.equal(control.code, 0, control.stderr);
    return control;
  };
  const exitedSoonAfter = (result: CliResult, control: CliResult) => {
    const beyond = result.elapsedMs - control.elapsedMs;
    assert.ok(beyond < WAIT_BEYOND_CONTROL_MS, `exited ${Math.round(beyond)} ms after a successful run (${Math.round(result.elapsedMs)} ms in all)`);
  };

  it('runs compiled JavaScript with plain node: no TypeScript file and no tsx is ever loaded', async () => {
    const guarded = { nodeArgs: ['--import', FORBID_TYPESCRIPT], killAfterMs: HUNG_AFTER_MS };
    const help = await runCli(['--help'], env, guarded);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: keygate <command>/);
    // migrate loads the whole node: config, store, driver, services, HTTP app.
    const migrate = await runCli(['migrate'], env, guarded);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.deepEqual(JSON.parse(migrate.stdout), { migrated: true, store: 'sqlite' });
  });

  it('says how to build when dist/ is missing', async () => {
    const checkout = join(dataDir, 'unbuilt');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    cpSync(KEYGATE_BIN, join(checkout, 'bin', 'keygate.js'));
    const result = spawnSync(process.execPath, [join(checkout, 'bin', 'keygate.js'), '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'keygate: not built yet; run npm run build\n');
    assert.equal(result.stdout, '');
  });

  it('an unreachable Redis ends serve within seconds, naming Redis and its URL with the password hidden; migrate does not need Redis', async () => {
    const port = await freePort();
    const redisEnv = { ...env, REDIS_URL: `redis://:secret@127.0.0.1:${port}` };
    const [serve, migrate, control] = await Promise.all([
      runCli(['serve', '--port', '0'], redisEnv, { killAfterMs: HUNG_AFTER_MS }),
      runCli(['migrate'], redisEnv, { killAfterMs: HUNG_AFTER_MS }),
      controlRun(),
    ]);
    const line = failsWithOneLine(serve, /Redis/);
    assert.ok(line.includes(`redis://:***@127.0.0.1:${port}`), line);
    assert.match(line, /ECONNREFUSED/);
    assert.equal(line.includes('secret'), false, 'the password is never printed');
    exitedSoonAfter(serve, control);
    // Management commands work on the store alone (their key events reach the servers through it).
    assert.equal(migrate.code, 0, migrate.stderr);
  });

  it('an unreachable PostgreSQL ends serve and migrate within seconds, naming PostgreSQL and its URL with the password hidden', async () => {
    const port = await freePort();
    const pgEnv = { ...env, DATABASE_URL: `postgres://user:secret@127.0.0.1:${port}/x` };
    const [serve, org, control] = await Promise.all([
      runCli(['serve', '--port', '0'], pgEnv, { killAfterMs: HUNG_AFTER_MS }),
      runCli(['org', 'create', 'Nowhere'], pgEnv, { killAfterMs: HUNG_AFTER_MS }),
      controlRun(),
    ]);
    for (const result of [serve, org]) {
      const line = failsWithOneLine(result, /PostgreSQL/);
      assert.ok(line.includes(`postgres://user:***@127.0.0.1:${port}/x`), line);
      assert.equal(line.includes('secret'), false, 'the password is never printed');
      exitedSoonAfter(result, control);
    }
  });

  it("the README's own config-file example says PostgreSQL at its URL cannot be reached", async () => {
    const example = readmeConfigExample();
    const databaseUrl = JSON.parse(example).databaseUrl as string;
    const file = join(dataDir, 'readme-example.json');
    writeFileSync(file, example);
    const result = await runCli(['serve', '--config', file], env, { killAfterMs: HUNG_AFTER_MS });
    const line = failsWithOneLine(result, /cannot reach PostgreSQL/);
    assert.ok(line.includes(databaseUrl), line);
    assert.doesNotMatch(line, /migration/);
  });

  it("the README's config-file example works once its database is reachable: migrate, a command and serve", async () => {
    // Its databaseUrl names a host of the reader's own; everything else in it is used as written.
    const example = JSON.parse(readmeConfigExample()) as Record<string, unknown>;
    let database: TestDatabase | null = null;
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase('postgres');
      example.databaseUrl = database.databaseUrl;
    } else delete example.databaseUrl;
    const file = join(dataDir, 'readme-example-reachable.json');
    writeFileSync(file, JSON.stringify(example));
    const exampleEnv = { KEYGATE_DATA_DIR: join(dataDir, 'readme-example') };
    try {
      const migrate = await runCli(['migrate', '--config', file], exampleEnv, { killAfterMs: HUNG_AFTER_MS });
      assert.equal(migrate.code, 0, migrate.stderr);
      assert.equal(JSON.parse(migrate.stdout).migrated, true);
      const org = await runCli(['org', 'create', 'Example Trading', '--config', file], exampleEnv, { killAfterMs: HUNG_AFTER_MS });
      assert.equal(org.code, 0, org.stderr);
      // serve runs until stopped: wait for its banner, then stop the child this test started.
      const child = spawn(process.execPath, [KEYGATE_BIN, 'serve', '--port', '0', '--config', file], { env: childEnv(exampleEnv), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const banner = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within ${HUNG_AFTER_MS} ms:\n${output}`)), HUNG_AFTER_MS);
        const read = (chunk: Buffer) => {
          output += chunk;
          if (/Keygate is running on http/.test(output)) (clearTimeout(timer), resolve(output));
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`serve exited with ${code}:\n${output}`))));
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        assert.doesNotMatch(await banner, /keygate:|migration/);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    } finally {
      await database?.drop();
    }
  });

  it('a port already in use is named, with the host', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const result = await runCli(['serve', '--port', String(port)], env, { killAfterMs: HUNG_AFTER_MS });
      failsWithOneLine(result, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a bad master key names the setting or the file, and never prints the key', async () => {
    const notAKey = 'this-is-not-a-valid-master-key-but-is-long-enough';
    const [short, long] = await Promise.all([
      runCli(['migrate'], { ...env, KEYGATE_MASTER_KEY: 'hunter2' }),
      runCli(['migrate'], { ...env, KEYGATE_MASTER_KEY: notAKey }),
    ]);
    for (const result of [short, long]) {
      failsWithOneLine(result, /masterKey/);
      assert.equal(result.stderr.includes('hunter2') || result.stderr.includes(notAKey), false, 'the key is never printed');
    }
    const keyFileDir = join(dataDir, 'bad-key-file');
    mkdirSync(keyFileDir);
    writeFileSync(join(keyFileDir, 'master.key'), 'garbage\n');
    const fromFile = await runCli(['migrate'], { KEYGATE_DATA_DIR: keyFileDir });
    failsWithOneLine(fromFile, /master key in .*master\.key/);
  });

  it('an unreadable config file is named', async () => {
    const missing = join(dataDir, 'no-such-config.json');
    failsWithOneLine(await runCli(['serve', '--config', missing], env), new RegExp(`config file ${missing.replaceAll('.', '\\.')}.*ENOENT`));
    const broken = join(dataDir, 'broken.json');
    writeFileSync(broken, '{ "port": ');
    failsWithOneLine(await runCli(['migrate'], { ...env, KEYGATE_CONFIG: broken }), /broken\.json is not valid JSON/);
  });

  it('a bad KEYGATE_TRUST_PROXY (or console origin) is one line naming the setting', async () => {
    const [proxy, range, origin] = await Promise.all([
      runCli(['serve', '--port', '0'], { ...env, KEYGATE_TRUST_PROXY: 'my-proxy.internal' }, { killAfterMs: HUNG_AFTER_MS }),
      runCli(['migrate'], { ...env, KEYGATE_TRUST_PROXY: '10.0.0.0/40' }, { killAfterMs: HUNG_AFTER_MS }),
      runCli(['serve', '--port', '0'], { ...env, KEYGATE_CONSOLE_ORIGINS: 'https://keys.example.com/console' }, { killAfterMs: HUNG_AFTER_MS }),
    ]);
    failsWithOneLine(proxy, /^keygate: invalid setting trustProxy: "my-proxy\.internal" is not an IP address.*KEYGATE_TRUST_PROXY/);
    failsWithOneLine(range, /^keygate: invalid setting trustProxy: "10\.0\.0\.0\/40" has a bad prefix length/);
    failsWithOneLine(origin, /^keygate: invalid setting console\.origins\[0\]: .* must be an origin only/);
  });

  it('an unexpected error is one line with a hint; KEYGATE_LOG_LEVEL=debug adds the stack trace', async () => {
    const corrupt = join(dataDir, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'keygate.sqlite'), 'this is not a SQLite database, not even close'.repeat(200));
    const quiet = await runCli(['migrate'], { KEYGATE_DATA_DIR: corrupt });
    failsWithOneLine(quiet, /not a database.*KEYGATE_LOG_LEVEL=debug/);
    const debug = await runCli(['migrate'], { KEYGATE_DATA_DIR: corrupt, KEYGATE_LOG_LEVEL: 'debug' });
    assert.notEqual(debug.code, 0);
    assert.match(debug.stderr, /^keygate: .*not a database/);
    assert.match(debug.stderr, /^\s+at /m, 'the stack trace at debug level');
  });
});
