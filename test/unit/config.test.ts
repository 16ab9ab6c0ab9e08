import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration', () => {
  it('has working defaults: SQLite under ./data, in-memory bus, dsk_ keys, 30 s negative cache', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.databaseUrl, null);
    assert.equal(config.redisUrl, null);
    assert.equal(config.dataDir, './data');
    assert.equal(config.keys.opaquePrefix, 'dsk_');
    assert.equal(config.verify.negativeCacheTtlMs, 30_000);
    assert.equal(config.keys.maxKeysPerUser.hmac, 3);
  });

  it('reads environment variables', () => {
    const config = loadConfig({
      env: {
        DATABASE_URL: 'postgres://u@db:5432/k',
        REDIS_URL: 'redis://cache:6379',
        KEYGATE_PORT: '9000',
        KEYGATE_DATA_DIR: '/var/lib/keygate',
        KEYGATE_KEY_PREFIX: 'acme_',
        KEYGATE_FAILURES_PER_MINUTE_PER_IP: '5',
        KEYGATE_MAX_OPAQUE_KEYS_PER_USER: '10',
        KEYGATE_MAX_UUID_KEYS_PER_USER: 'null',
        KEYGATE_TRUST_PROXY: 'false',
        KEYGATE_DEMO: 'yes',
      },
    });
    assert.equal(config.databaseUrl, 'postgres://u@db:5432/k');
    assert.equal(config.redisUrl, 'redis://cache:6379');
    assert.equal(config.port, 9000);
    assert.equal(config.dataDir, '/var/lib/keygate');
    assert.equal(config.keys.opaquePrefix, 'acme_');
    assert.equal(config.verify.failuresPerMinutePerIp, 5);
    assert.equal(config.keys.maxKeysPerUser.opaque, 10);
    assert.equal(config.keys.maxKeysPerUser.hmac, null);
    assert.equal(config.trustProxy, false);
    assert.equal(config.demo, true);
  });

  it('reads KEYGATE_METRICS_TOKEN, and refuses a short one without echoing it', () => {
    assert.equal(loadConfig({ env: {} }).metrics.token, null);
    assert.equal(loadConfig({ env: { KEYGATE_METRICS_TOKEN: 'a-scrape-token-of-24-chr' } }).metrics.token, 'a-scrape-token-of-24-chr');
    const message = failure(() => loadConfig({ env: { KEYGATE_METRICS_TOKEN: 'hunter2' } }));
    assert.equal(message, 'invalid setting metrics.token: must be at least 16 characters (got 7 characters)');
  });

  it('lets KEYGATE_PORT win over PORT', () => {
    assert.equal(loadConfig({ env: { PORT: '1000', KEYGATE_PORT: '2000' } }).port, 2000);
    assert.equal(loadConfig({ env: { PORT: '1000' } }).port, 1000);
  });

  it('reads a JSON config file, with the environment overriding it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-config-'));
    const file = join(dir, 'keygate.json');
    writeFileSync(file, JSON.stringify({ port: 7000, verify: { failuresPerMinutePerIp: 9 }, keys: { maxKeysPerUser: { opaque: 4 } } }));
    const fromFile = loadConfig({ env: { KEYGATE_CONFIG: file } });
    assert.equal(fromFile.port, 7000);
    assert.equal(fromFile.verify.failuresPerMinutePerIp, 9);
    assert.equal(fromFile.verify.negativeCacheTtlMs, 30_000, 'unset nested settings keep their defaults');
    assert.equal(fromFile.keys.maxKeysPerUser.opaque, 4);
    assert.equal(fromFile.keys.maxKeysPerUser.hmac, 3);
    assert.equal(loadConfig({ env: { KEYGATE_CONFIG: file, KEYGATE_PORT: '7001' } }).port, 7001);
  });

  it('names the environment variable when its value has the wrong type', () => {
    assert.match(failure(() => loadConfig({ env: { KEYGATE_PORT: 'eighty' } })), /KEYGATE_PORT must be a whole number/);
    assert.match(failure(() => loadConfig({ env: { KEYGATE_DEMO: 'maybe' } })), /KEYGATE_DEMO must be true or false/);
  });

  it('names the setting that fails validation', () => {
    assert.match(failure(() => loadConfig({ env: { KEYGATE_PORT: '70000' } })), /invalid setting port:/);
    assert.match(failure(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' } })), /invalid setting databaseUrl:/);
    assert.match(failure(() => loadConfig({ env: { REDIS_URL: 'http://x' } })), /invalid setting redisUrl:/);
    assert.match(failure(() => loadConfig({ env: { KEYGATE_KEY_PREFIX: 'bad-prefix!' } })), /invalid setting keys\.opaquePrefix:/);
    assert.match(failure(() => loadConfig({ env: { KEYGATE_LOG_LEVEL: 'loud' } })), /invalid setting logLevel:/);
    assert.match(failure(() => loadConfig({ env: { KEYGATE_FAILURES_PER_MINUTE_PER_IP: '0' } })), /invalid setting verify\.failuresPerMinutePerIp:/);
    assert.match(failure(() => loadConfig({ env: { KEYGATE_MAX_OPAQUE_KEYS_PER_USER: 'many' } })), /invalid setting keys\.maxKeysPerUser\.opaque:/);
    assert.match(failure(() => loadConfig({ env: {}, overrides: { keys: { tiers: { basic: { maxConnections: 0 } } } } })), /invalid setting keys\.tiers\.basic\.maxConnections:/);
  });

  it('lets a signed timestamp be 1 s ahead by default, and never further ahead than it may be old', () => {
    assert.equal(loadConfig({ env: {} }).verify.signatureFutureMs, 1_000);
    assert.equal(loadConfig({ env: { KEYGATE_SIGNATURE_FUTURE_MS: '5000' } }).verify.signatureFutureMs, 5_000);
    assert.equal(loadConfig({ env: { KEYGATE_SIGNATURE_FUTURE_MS: '0' } }).verify.signatureFutureMs, 0);
    assert.match(failure(() => loadConfig({ env: { KEYGATE_SIGNATURE_FUTURE_MS: '-1' } })), /invalid setting verify\.signatureFutureMs:/);
    assert.equal(
      failure(() => loadConfig({ env: { KEYGATE_SIGNATURE_WINDOW_MS: '10000', KEYGATE_SIGNATURE_FUTURE_MS: '20000' } })),
      'invalid setting verify.signatureFutureMs: a timestamp may be at most verify.signatureWindowMs (10000) ahead, got 20000',
    );
  });

  it('refuses unknown settings at any depth, naming them', () => {
    assert.match(failure(() => loadConfig({ env: {}, overrides: { prot: 80 } })), /invalid setting prot: Unexpected property/);
    assert.match(failure(() => loadConfig({ env: {}, overrides: { verify: { negativeCacheTTL: 5 } } })), /invalid setting verify\.negativeCacheTTL/);
  });

  it('names a config file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-config-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ port: 80 ');
    assert.match(failure(() => loadConfig({ env: { KEYGATE_CONFIG: file } })), /config file .*broken\.json is not valid JSON/);
    assert.match(failure(() => loadConfig({ env: {}, file: join(dir, 'missing.json') })), /cannot read config file .*missing\.json \(ENOENT: no such file or directory\)/);
  });
});
