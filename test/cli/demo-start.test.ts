import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { childEnv, KEYGATE_BIN, runCli } from './run-cli.ts';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string;
}

/** Starts `keygate serve --demo --port 0` and waits for its banner to finish. */
function startDemo(dataDir: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    // Default log level, as `npm start` runs it: the banner must be findable among log lines.
    const child = spawn(process.execPath, [KEYGATE_BIN, 'serve', '--demo', '--port', '0'], {
      env: childEnv({ KEYGATE_DATA_DIR: dataDir, KEYGATE_LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Keygate is running on (http:\/\/\S+)/.exec(output)?.[1];
      if (url && /server token\s+in /.test(output)) {
        clearTimeout(timer);
        resolve({ child, url, output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`keygate exited with ${code} before it was ready:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('npm start (keygate serve --demo) on an empty data folder', () => {
  let dataDir: string;
  let running: Started | null = null;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-demo-'));
  });
  after(async () => {
    if (running) await stop(running.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the demo organization and prints a working admin token, a demo key and the URLs to try', async () => {
    running = await startDemo(dataDir);
    const { url, output } = running;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(url, /:0$/, 'port 0 prints the real port');
    assert.match(output, new RegExp(`API docs\\s+${url}/docs`));
    assert.match(output, new RegExp(`forward-auth\\s+${url}/v1/auth`));
    // Start-up says where wallet sign-in is accepted (derived from the listening address here) and whom it trusts for client addresses.
    assert.match(output, new RegExp(`console sign-in ${url}, http://localhost:\\d+, http://\\[::1\\]:\\d+  \\(from the listening address; set console\\.origins`));
    assert.match(output, /trusted proxies loopback/);
    const token = /admin token\s+(kgm_[0-9a-f]{64})/.exec(output)?.[1];
    const demoKey = /demo API key\s+(dsk_[0-9a-f]{64})/.exec(output)?.[1];
    assert.ok(token, `an admin token is printed:\n${output}`);
    assert.ok(demoKey, 'a demo key is printed');

    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    const body = await me.json();
    assert.equal(body.user.name, 'demo-admin');
    assert.equal(body.user.role, 'admin');
    assert.equal(body.organization.name, 'Demo Trading');

    const auth = await fetch(`${url}/v1/auth`, { headers: { 'x-api-key': demoKey } });
    assert.equal(auth.status, 200);

    // The store holds key hashes and encrypted secrets: owner-only, whatever the umask (-wal and
    // -shm exist while the server has the database open).
    for (const file of ['keygate.sqlite', 'keygate.sqlite-wal', 'keygate.sqlite-shm']) {
      assert.equal((statSync(join(dataDir, file)).mode & 0o777).toString(8), '600', file);
    }
    await stop(running.child);
    running = null;
  });

  it('on the next start reuses the demo data and says how to get a new token', async () => {
    running = await startDemo(dataDir);
    const { url, output } = running;
    assert.match(output, /Demo data already exists/);
    assert.doesNotMatch(output, /kgm_[0-9a-f]{64}/, 'no token is printed again');
    const command = /npm run keygate -- (token create .*)/.exec(output)?.[1];
    assert.ok(command, 'prints the command that makes a new token');
    assert.equal(command, 'token create --user demo-admin --org "Demo Trading"');

    // Run exactly that command (the quoted organization name is one argument).
    const created = await runCli(['token', 'create', '--user', 'demo-admin', '--org', 'Demo Trading'], { KEYGATE_DATA_DIR: dataDir });
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout).token;
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).user.name, 'demo-admin');
  });
});
