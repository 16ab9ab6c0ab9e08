// Forward-auth throughput and latency against a bare Fastify route, measured side by side in one run.
//
// The servers run in a child process (this file with the argument `serve`): a bare Fastify app whose
// one route answers 200, and a Keygate node on SQLite with request logging off. The parent drives both
// with autocannon in alternating rounds, so load elsewhere on the machine hits every target alike, and
// reports the median of the rounds. It also asks the child how many store lookups each phase caused:
// a cached valid key and a known-invalid key must cause none. Last, it measures in-process
// verifications per second (no HTTP) in the parent.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { loadConfig } from '../src/config/load-config.ts';
import type { Principal } from '../src/core/principal.ts';
import { createKeygate, type Keygate } from '../src/runtime/keygate.ts';
import { median, printFigures, type BenchFigure } from './report.ts';

// Many short rounds, each running the three targets back to back in a rotating order: a neighbour's
// load burst then hits one round's targets alike, and the median of per-round ratios shrugs it off.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

/** A Keygate node with one organization, one admin and one live key. */
async function startKeygate(dataDir: string): Promise<{ keygate: Keygate; url: string; key: string; principal: Principal }> {
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent' } });
  const keygate = await createKeygate({ config });
  const url = await keygate.listen();
  const org = await keygate.directory.createOrganization('bench');
  const admin = await keygate.directory.createUser({ organizationId: org.id, name: 'bench', role: 'admin' });
  const principal = await keygate.tokens.principalFor(admin.id, 'bench', null);
  const created = await keygate.keys.create(principal, { name: 'bench', permissions: ['read'] });
  return { keygate, url, key: created.secret!, principal };
}

/** Child process: serves the bare route and Keygate, counts store lookups, answers the parent over IPC. */
async function serve(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const bare = Fastify({ logger: false });
  bare.get('/ok', async () => 'ok');
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const { keygate, url, key } = await startKeygate(dataDir);
  let lookups = 0;
  const repository = keygate.store.keys;
  const findByLookup = repository.findByLookup.bind(repository);
  repository.findByLookup = async (...args) => {
    lookups += 1;
    return findByLookup(...args);
  };
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'lookups') process.send!({ type: 'lookups', lookups });
    if (message.type === 'stop') {
      await bare.close();
      await keygate.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', bareUrl, keygateUrl: url, key });
}

/**
 * Talks to the server process. One permanent 'message' listener keeps the IPC channel referenced:
 * without it Node lets the parent's event loop end while autocannon still runs.
 */
function connect(child: ChildProcess): { next<T>(): Promise<T>; request<T>(type: string): Promise<T> } {
  const waiting: Array<(message: unknown) => void> = [];
  child.on('message', (message) => waiting.shift()?.(message));
  const next = <T>() => new Promise<T>((resolve) => waiting.push(resolve as (message: unknown) => void));
  return {
    next,
    request<T>(type: string) {
      const reply = next<T>();
      child.send({ type });
      return reply;
    },
  };
}

interface Run {
  readonly rps: number;
  readonly p99: number;
  readonly statuses: Record<string, number>;
}

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<Run> {
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  const statuses: Record<string, number> = {};
  for (const code of ['1xx', '2xx', '3xx', '4xx', '5xx'] as const) if (result[code] > 0) statuses[code] = result[code];
  return { rps: result.requests.average, p99: result.latency.p99, statuses };
}


async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const server = connect(child);
  const ready = await server.next<{ bareUrl: string; keygateUrl: string; key: string }>();
  const unknownKey = 'dsk_' + randomBytes(32).toString('hex');
  const targets = {
    bare: { url: `${ready.bareUrl}/ok`, headers: {} as Record<string, string>, expect: '2xx' },
    valid: { url: `${ready.keygateUrl}/v1/auth`, headers: { 'x-api-key': ready.key }, expect: '2xx' },
    invalid: { url: `${ready.keygateUrl}/v1/auth`, headers: { 'x-api-key': unknownKey }, expect: '4xx' },
  };

  // Warm up every target (JIT, caches: the valid key is loaded once, the unknown one remembered).
  for (const target of Object.values(targets)) await load(target.url, target.headers, 2);

  const lookups = async () => (await server.request<{ lookups: number }>('lookups')).lookups;
  const runs: Record<keyof typeof targets, Run[]> = { bare: [], valid: [], invalid: [] };
  const lookupsDuring: Record<keyof typeof targets, number> = { bare: 0, valid: 0, invalid: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const line: string[] = [];
    const order = Object.entries(targets) as Array<[keyof typeof targets, (typeof targets)['bare']]>;
    for (const [name, target] of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
      const before = await lookups();
      const run = await load(target.url, target.headers, SECONDS);
      lookupsDuring[name] += (await lookups()) - before;
      const unexpected = Object.keys(run.statuses).filter((s) => s !== target.expect);
      if (unexpected.length > 0) throw new Error(`${name} answered ${JSON.stringify(run.statuses)}, expected only ${target.expect}`);
      runs[name].push(run);
      line.push(`${name} ${run.rps.toFixed(0)} req/s p99 ${run.p99} ms`);
    }
    console.log(`  round ${round + 1}: ${line.join(' | ')}`);
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' });
  await exited;

  const rps = (name: keyof typeof runs) => median(runs[name].map((r) => r.rps));
  const p99 = (name: keyof typeof runs) => median(runs[name].map((r) => r.p99));
  const paired = (name: keyof typeof runs, of: (run: Run) => number, invert = false) =>
    median(runs[name].map((run, round) => (invert ? of(runs.bare[round]) / of(run) : of(run) / of(runs.bare[round]))));
  const figures: BenchFigure[] = [
    { name: 'valid key ÷ bare route, paired per round', value: paired('valid', (r) => r.rps), unit: '×', baseline: 1, goal: 0.8 },
    { name: 'invalid key ÷ bare route, paired per round', value: paired('invalid', (r) => r.rps), unit: '×', baseline: 1 },
    { name: 'p99 bare ÷ p99 valid key, paired per round', value: paired('valid', (r) => r.p99, true), unit: '×', baseline: 1 },
    { name: 'p99 bare ÷ p99 invalid key, paired per round', value: paired('invalid', (r) => r.p99, true), unit: '×', baseline: 1 },
    { name: 'bare Fastify route (baseline)', value: rps('bare'), unit: 'req/s' },
    { name: 'GET /v1/auth, valid key (cached)', value: rps('valid'), unit: 'req/s', baseline: rps('bare'), goal: 0.8 },
    { name: 'GET /v1/auth, invalid key (401)', value: rps('invalid'), unit: 'req/s', baseline: rps('bare') },
    { name: 'p99 bare Fastify route (baseline)', value: p99('bare'), unit: 'ms', lowerIsBetter: true },
    { name: 'p99 GET /v1/auth, valid key', value: p99('valid'), unit: 'ms', baseline: p99('bare'), lowerIsBetter: true },
    { name: 'p99 GET /v1/auth, invalid key', value: p99('invalid'), unit: 'ms', baseline: p99('bare'), lowerIsBetter: true },
  ];
  printFigures(`forward-auth over HTTP (${CONNECTIONS} connections, median of ${ROUNDS} alternating ${SECONDS}s rounds)`, figures);
  // A cached key is looked up again only when its cache entry lapses (valid: 60 s, unknown: 30 s),
  // never per request: allow one refresh per lifetime of the entry over the measured time.
  const measured = ROUNDS * SECONDS;
  const allowed = { valid: Math.ceil(measured / 60), invalid: Math.ceil(measured / 30) };
  const requests = (name: keyof typeof runs) => runs[name].reduce((sum, r) => sum + r.rps * SECONDS, 0);
  console.log(
    `  store lookups while measuring: valid ${lookupsDuring.valid} for ${requests('valid').toFixed(0)} requests, ` +
      `invalid ${lookupsDuring.invalid} for ${requests('invalid').toFixed(0)} requests (only cache refreshes: at most ${allowed.valid} and ${allowed.invalid})`,
  );
  if (lookupsDuring.valid > allowed.valid || lookupsDuring.invalid > allowed.invalid) {
    throw new Error(`store lookups per request: valid ${lookupsDuring.valid}, invalid ${lookupsDuring.invalid}; the caches are not serving`);
  }

  await inProcess();
}

/** Verifications per second without HTTP, for a cached valid key, a known-unknown key and a malformed one. */
async function inProcess(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const { keygate, key } = await startKeygate(dataDir);
  let lookups = 0;
  const repository = keygate.store.keys;
  const findByLookup = repository.findByLookup.bind(repository);
  repository.findByLookup = async (...args) => {
    lookups += 1;
    return findByLookup(...args);
  };
  const facts = (apiKey: string) => ({ method: 'GET', url: '/', headers: { 'x-api-key': apiKey }, ip: '127.0.0.1' });
  const cases = { valid: facts(key), unknown: facts('dsk_' + randomBytes(32).toString('hex')), malformed: facts('dsk_not-a-key') };
  const rates: Record<string, number> = {};
  const lookupsOf: Record<string, number> = {};
  for (const [name, request] of Object.entries(cases)) {
    const before = lookups;
    for (let i = 0; i < 20_000; i++) await keygate.verifier.verify(request);
    const started = process.hrtime.bigint();
    let count = 0;
    while (process.hrtime.bigint() - started < 2_000_000_000n) {
      for (let i = 0; i < 1000; i++) await keygate.verifier.verify(request);
      count += 1000;
    }
    rates[name] = count / (Number(process.hrtime.bigint() - started) / 1e9);
    lookupsOf[name] = lookups - before;
  }
  await keygate.close();
  rmSync(dataDir, { recursive: true, force: true });
  printFigures('in-process verifications (Verifier.verify, no HTTP)', [
    { name: 'valid key (cached)', value: rates.valid, unit: 'verifications/s' },
    { name: 'unknown key (negative cache)', value: rates.unknown, unit: 'verifications/s' },
    { name: 'malformed key (format check)', value: rates.malformed, unit: 'verifications/s' },
  ]);
  console.log(`  store lookups: valid ${lookupsOf.valid}, unknown ${lookupsOf.unknown}, malformed ${lookupsOf.malformed} (each key at most once; malformed never)`);
  if (lookupsOf.malformed !== 0 || lookupsOf.unknown > 1 || lookupsOf.valid > 1) throw new Error('a verification reached the store it should not have');
}

if (process.argv[2] === 'serve') await serve();
else await main();
