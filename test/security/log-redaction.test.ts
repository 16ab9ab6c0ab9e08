import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger, redactUrl } from '../../src/runtime/logger.ts';
import { createKeygate, type Keygate } from '../../src/runtime/keygate.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

/** Collects every log line a logger writes. */
function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('log redaction', () => {
  it('masks credentials in query strings', () => {
    assert.equal(redactUrl('/feed?cex=binance&api_key=dsk_abc&x=1'), '/feed?cex=binance&api_key=[REDACTED]&x=1');
    assert.equal(redactUrl('/ws?token=kgm_abc'), '/ws?token=[REDACTED]');
    assert.equal(redactUrl('/ws?API_KEY=dsk_abc#frag'), '/ws?API_KEY=[REDACTED]#frag');
    assert.equal(redactUrl('/plain/path'), '/plain/path');
  });

  it('masks a credential parameter whose name is percent-encoded, as the verifier decodes it', () => {
    assert.equal(redactUrl('/v1/auth?api%5Fkey=dsk_abc'), '/v1/auth?api%5Fkey=[REDACTED]');
    assert.equal(redactUrl('/feed?cex=okx&API%5fKEY=dsk_abc&x=%20'), '/feed?cex=okx&API%5fKEY=[REDACTED]&x=%20');
    assert.equal(redactUrl('/ws?%74oken=kgm_abc#f'), '/ws?%74oken=[REDACTED]#f');
    assert.equal(redactUrl('/x?a=1;api_key=dsk_abc'), '/x?a=1;api_key=[REDACTED]');
    assert.equal(redactUrl('/x?%zz=1&keep=2'), '/x?%zz=1&keep=2', 'a name that does not decode is kept as it is');
  });

  it('masks secret-bearing fields of logged objects', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info({ key: 'dsk_secret1', token: 'kgm_secret2', request: { secret: 'dsk_secret3', apiKey: 'dsk_secret4', privateKey: 'pk' } }, 'object');
    logger.info({ req: { headers: { authorization: 'Bearer kgm_secret5', 'x-api-key': 'dsk_secret6', cookie: 's=1' } } }, 'headers');
    const text = lines.join('\n');
    for (const secret of ['dsk_secret1', 'kgm_secret2', 'dsk_secret3', 'dsk_secret4', 'kgm_secret5', 'dsk_secret6']) assert.equal(text.includes(secret), false, secret);
    assert.ok(text.includes('[REDACTED]'));
  });

  describe('a node logging every request at trace level', () => {
    let database: TestDatabase;
    let keygate: Keygate;
    let url: string;
    const { stream, lines } = capture();
    before(async () => {
      database = await createTestDatabase('sqlite');
      const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir: database.dataDir, logLevel: 'trace' } });
      keygate = await createKeygate({ config, logger: createLogger('trace', stream) });
      url = await keygate.listen();
    });
    after(async () => {
      await keygate.close();
      await database.drop();
    });

    it('never writes a key or token, however it was sent', async () => {
      const org = await keygate.directory.createOrganization('logs');
      const admin = await keygate.directory.createUser({ organizationId: org.id, name: 'admin', role: 'admin' });
      const { token } = await keygate.tokens.create(admin);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await (await fetch(`${url}/v1/keys`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'logged' }) })).json();
      const key: string = created.key;
      const secrets = [token, key, keygate.serverToken];

      await fetch(`${url}/v1/auth`, { headers: { 'x-api-key': key } });
      await fetch(`${url}/v1/auth`, { headers: { authorization: `Bearer ${key}` } });
      await fetch(`${url}/v1/auth?api_key=${key}`);
      // The key is accepted after URL decoding, so it must be masked after decoding too.
      const encoded = await fetch(`${url}/v1/auth?api%5Fkey=${key}`);
      assert.equal(encoded.status, 200, 'the verifier reads api%5Fkey as api_key');
      await fetch(`${url}/v1/auth/envoy/feed?API%5fKEY=${key}`);
      await fetch(`${url}/v1/auth`, { headers: { 'x-original-uri': `/feed?api_key=${key}` } });
      await fetch(`${url}/v1/auth?api_key=${key.slice(0, -1)}x`);
      await fetch(`${url}/v1/keys/verify`, { method: 'POST', headers: { authorization: `Bearer ${keygate.serverToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
      await fetch(`${url}/v1/keys/verify`, { method: 'POST', headers: { authorization: `Bearer ${keygate.serverToken}`, 'content-type': 'application/json' }, body: `{"key":"${key}"` });
      await fetch(`${url}/v1/keys?token=${token}`, { headers: auth });
      await fetch(`${url}/v1/nowhere?api_key=${key}`);
      await fetch(`${url}/v1/keys`, { headers: { authorization: `Bearer ${token}x` } });

      const text = lines.join('\n');
      assert.ok(lines.length > 10, 'request logging was on');
      assert.ok(text.includes('api_key=[REDACTED]'), 'query keys are logged masked');
      assert.ok(lines.some((l) => l.includes('api_key query parameter')), 'the discouraged api_key query is logged as such');
      for (const secret of secrets) {
        assert.equal(text.includes(secret), false, 'a secret reached the log');
        assert.equal(text.includes(secret.slice(4, 40)), false, 'part of a secret reached the log');
      }
    });
  });
});
