import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, KEYGATE_BIN } from '../cli/run-cli.ts';

/** A running `keygate serve --demo` (what `npm start` runs) on a fresh data folder, with what its banner printed. */
export interface DemoServer {
  readonly url: string;
  readonly adminToken: string;
  readonly demoKey: string;
  /** The server credential it generated into its data folder (server API: /api/publish …). */
  readonly serverToken: string;
  stop(): Promise<void>;
}

/** Starts the compiled CLI as `npm start` does (SQLite, memory bus, demo seed and live demo data) and waits for its banner. */
export function startDemoServer(): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-demo-'));
  const child = spawn(process.execPath, [KEYGATE_BIN, 'serve', '--demo', '--port', '0'], {
    env: childEnv({ KEYGATE_DATA_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => stopChild(child).finally(() => rmSync(dataDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(() => fail(new Error(`no banner within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Keygate is running on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url || !/server token\s+in /.test(output)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const adminToken = /admin token\s+(kgm_\S+)/.exec(output)?.[1];
      const demoKey = /demo API key\s+(dsk_\S+)/.exec(output)?.[1];
      if (!adminToken || !demoKey) return fail(new Error(`the banner has no admin token or demo key:\n${output}`));
      const serverToken = readFileSync(join(dataDir, 'server-token'), 'utf8').trim();
      resolve({ url, adminToken, demoKey, serverToken, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`keygate exited with ${code} before it was ready:\n${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
