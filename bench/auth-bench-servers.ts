// Child process of bench/auth.bench.ts: one server under test per process, so each has a core's worth
// of event loop to itself and nothing else's garbage. Roles (first argument):
//   bare    — a Fastify app whose one route answers 200 "ok" (the baseline, and the API behind nginx)
//   bearer  — the same route behind @fastify/bearer-auth with a plain key set of one key
//   keygate — a Keygate node on SQLite, request logging off, one organization and one live key;
//             it counts store lookups and the TCP connections it accepts (nginx's reuse shows there),
//             and serves the bare route too, on a port of its own (Node's HTTP in a process of Keygate's size)
// and the cost ladder under Keygate's forward-auth, each step in its own process:
//   floor    — node:http answering every request with Keygate's exact 200 answer (status and headers,
//              given as JSON), checking nothing: what Node's HTTP parsing and socket write cost alone
//   verifier — node:http calling a Keygate node's Verifier on each request and answering with its
//              verdict headers: the floor plus the check, without Keygate's forward-auth front end
//   minimal  — node:http doing the least any gateway that keeps keys as SHA-256 must do: read the
//              bearer key, hash it, one Map lookup, then Keygate's exact 200 or 401 answer
// Each answers the parent over IPC: `ready` with its URL, `stats` (with the process's CPU time in µs), `stop`.
import './pinned-ticks.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hash } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bearerAuth from '@fastify/bearer-auth';
import Fastify, { type FastifyInstance } from 'fastify';
import { compiled } from './compiled-build.ts';
import type { ForwardAuthFastPath as FastPath } from '../src/http/forward-auth/forward-auth-fast-path.ts';
import type { Verdict } from '../src/core/verdict.ts';
import type { Keygate } from '../src/runtime/keygate.ts';

const { loadConfig } = await compiled<typeof import('../src/config/load-config.ts')>('config/load-config');
const { ForwardAuthFastPath } = await compiled<typeof import('../src/http/forward-auth/forward-auth-fast-path.ts')>('http/forward-auth/forward-auth-fast-path');
const { createKeygate } = await compiled<typeof import('../src/runtime/keygate.ts')>('runtime/keygate');

const send = (message: unknown) => process.send!(message);

/** CPU time this process has used (user + system, every thread), in µs. */
function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Serves until the parent says stop; `stats` answers with what `count` reports and the CPU time used. */
function answerParent(url: string, extra: Record<string, unknown>, count: () => Record<string, number>, close: () => Promise<void>): void {
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stats') send({ type: 'stats', cpuMicros: cpuMicros(), ...count() });
    if (message.type === 'stop') {
      await close();
      process.exit(0);
    }
  });
  send({ type: 'ready', url, ...extra });
}

/** The baseline: a Fastify app whose one route answers 200 "ok". */
function bareApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/*', async () => 'ok');
  return app;
}

async function serveBare(): Promise<void> {
  const app = bareApp();
  answerParent(await app.listen({ host: '127.0.0.1', port: 0 }), {}, () => ({}), () => app.close());
}

async function serveBearer(key: string): Promise<void> {
  const app = Fastify({ logger: false });
  await app.register(bearerAuth, { keys: new Set([key]) });
  app.get('/*', async () => 'ok');
  answerParent(await app.listen({ host: '127.0.0.1', port: 0 }), {}, () => ({}), () => app.close());
}

/** A Keygate node on SQLite with one live key (request logging off), and its scratch directory. */
async function benchNode(): Promise<{ keygate: Keygate; key: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir, databaseUrl: null, redisUrl: null, logLevel: 'silent' } });
  const keygate: Keygate = await createKeygate({ config });
  const org = await keygate.directory.createOrganization('bench');
  const admin = await keygate.directory.createUser({ organizationId: org.id, name: 'bench', role: 'admin' });
  const principal = await keygate.tokens.principalFor(admin.id, 'bench', null);
  const created = await keygate.keys.create(principal, { name: 'bench', permissions: ['read'] });
  return { keygate, key: created.secret!, dataDir };
}

async function listenPlain(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Headers given as JSON, as the header list Node writes fastest (see src/core/identity-headers.ts), with a zero length. */
function headerList(json: string): string[] {
  return [...Object.entries(JSON.parse(json) as Record<string, string>).flat(), 'content-length', '0'];
}

async function serveFloor(answer: string): Promise<void> {
  const headers = headerList(answer);
  const server = await listenPlain((_request, response) => {
    response.writeHead(200, headers);
    response.end();
  });
  answerParent(server.url, {}, () => ({}), server.close);
}

async function serveMinimalCheck(answer: string, key: string): Promise<void> {
  const known = new Map([[hash('sha256', key, 'hex'), headerList(answer)]]);
  const unknown = headerList(JSON.stringify({ 'x-keygate-code': 'NOT_FOUND', 'x-keygate-reason': 'unknown API key', 'www-authenticate': 'ApiKey realm="keygate"' }));
  const server = await listenPlain((request, response) => {
    const authorization = request.headers.authorization ?? '';
    const found = known.get(hash('sha256', authorization.startsWith('Bearer ') ? authorization.slice(7) : '', 'hex'));
    if (found) response.writeHead(200, found);
    else response.writeHead(401, unknown);
    response.end();
  });
  answerParent(server.url, {}, () => ({}), server.close);
}

async function serveVerifier(): Promise<void> {
  const { keygate, key, dataDir } = await benchNode();
  const server = await listenPlain((request, response) => {
    const facts = { method: request.method!, url: request.url!, headers: request.headers as Record<string, string | undefined>, ip: request.socket.remoteAddress };
    const answer = (verdict: Verdict) => {
      response.writeHead(verdict.valid ? 200 : 401, verdict.valid ? [...verdict.validHeaders, 'content-length', '0'] : ['x-keygate-code', verdict.code, 'content-length', '0']);
      response.end();
    };
    // As forward-auth asks: answered in the same tick when the verdict is ready.
    const verdict = keygate.verifier.verifyNow(facts);
    if (verdict instanceof Promise) void verdict.then(answer);
    else answer(verdict);
  });
  answerParent(server.url, { key }, () => ({}), async () => {
    await server.close();
    await keygate.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

async function serveKeygate(): Promise<void> {
  // Counts the checks the forward-auth fast path answered: the bench checks every one of its calls took it.
  let fastAnswers = 0;
  const handle = ForwardAuthFastPath.prototype.handle;
  ForwardAuthFastPath.prototype.handle = function (this: FastPath, request, response) {
    const taken = handle.call(this, request, response);
    if (taken) fastAnswers += 1;
    return taken;
  };
  const { keygate, key, dataDir } = await benchNode();
  const url = await keygate.listen();
  let lookups = 0;
  let connections = 0;
  const repository = keygate.store.keys;
  const findByLookup = repository.findByLookup.bind(repository);
  repository.findByLookup = async (...args) => {
    lookups += 1;
    return findByLookup(...args);
  };
  keygate.http.server.on('connection', (_socket: Socket) => (connections += 1));
  // The bare route again, served by this process: Node's HTTP path in a process of Keygate's size.
  const bare = bareApp();
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  answerParent(url, { key, bareUrl }, () => ({ lookups, connections, fastAnswers }), async () => {
    await bare.close();
    await keygate.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

const [role, key, second] = process.argv.slice(2);
if (role === 'bare') await serveBare();
else if (role === 'bearer') await serveBearer(key);
else if (role === 'keygate') await serveKeygate();
else if (role === 'floor') await serveFloor(key);
else if (role === 'verifier') await serveVerifier();
else if (role === 'minimal') await serveMinimalCheck(key, second);
else throw new Error(`unknown role ${role}`);
