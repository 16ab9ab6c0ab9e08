// Child process of bench/auth.bench.ts: one server under test per process, so each has a core's worth
// of event loop to itself and nothing else's garbage. Roles (first argument):
//   bare    — a Fastify app whose one route answers 200 "ok" (the baseline, and the API behind nginx)
//   bearer  — the same route behind @fastify/bearer-auth with a plain key set of one key
//   keygate — a Keygate node on SQLite, request logging off, one organization and one live key;
//             it counts store lookups and the TCP connections it accepts (nginx's reuse shows there)
// Each answers the parent over IPC: `ready` with its URL, `stats`, `stop`.
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bearerAuth from '@fastify/bearer-auth';
import Fastify from 'fastify';
import { loadConfig } from '../src/config/load-config.ts';
import { createKeygate, type Keygate } from '../src/runtime/keygate.ts';

const send = (message: unknown) => process.send!(message);

/** Serves until the parent says stop; `stats` answers with what `count` reports. */
function answerParent(url: string, extra: Record<string, unknown>, count: () => Record<string, number>, close: () => Promise<void>): void {
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stats') send({ type: 'stats', ...count() });
    if (message.type === 'stop') {
      await close();
      process.exit(0);
    }
  });
  send({ type: 'ready', url, ...extra });
}

async function serveBare(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/*', async () => 'ok');
  answerParent(await app.listen({ host: '127.0.0.1', port: 0 }), {}, () => ({}), () => app.close());
}

async function serveBearer(key: string): Promise<void> {
  const app = Fastify({ logger: false });
  await app.register(bearerAuth, { keys: new Set([key]) });
  app.get('/*', async () => 'ok');
  answerParent(await app.listen({ host: '127.0.0.1', port: 0 }), {}, () => ({}), () => app.close());
}

async function serveKeygate(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir, databaseUrl: null, redisUrl: null, logLevel: 'silent' } });
  const keygate: Keygate = await createKeygate({ config });
  const url = await keygate.listen();
  const org = await keygate.directory.createOrganization('bench');
  const admin = await keygate.directory.createUser({ organizationId: org.id, name: 'bench', role: 'admin' });
  const principal = await keygate.tokens.principalFor(admin.id, 'bench', null);
  const created = await keygate.keys.create(principal, { name: 'bench', permissions: ['read'] });
  let lookups = 0;
  let connections = 0;
  const repository = keygate.store.keys;
  const findByLookup = repository.findByLookup.bind(repository);
  repository.findByLookup = async (...args) => {
    lookups += 1;
    return findByLookup(...args);
  };
  keygate.http.server.on('connection', (_socket: Socket) => (connections += 1));
  answerParent(url, { key: created.secret }, () => ({ lookups, connections }), async () => {
    await keygate.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

const [role, key] = process.argv.slice(2);
if (role === 'bare') await serveBare();
else if (role === 'bearer') await serveBearer(key);
else if (role === 'keygate') await serveKeygate();
else throw new Error(`unknown role ${role}`);
