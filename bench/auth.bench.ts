// Forward-auth side by side with real peers, in one run, every server and the load generator in its
// own process:
//   bare Fastify route (the baseline) · Fastify + @fastify/bearer-auth (a plain key set) · HAProxy,
//   sha2(256) of the key looked up in a map, one thread · Keygate GET /v1/auth · nginx → the bare
//   route (keep-alive) · nginx + the README's auth_request snippet → Keygate (keep-alive both).
// Every target gets the same request (`Authorization: Bearer <key>`), valid and unknown key. Rounds
// run every target back to back in a rotating order; figures are medians, ratios medians of the
// per-round ratios, so a neighbour's load burst in one round hits that round's targets alike.
// It also counts Keygate's store lookups (a cached valid key and a known-unknown key cause none) and
// the connections nginx opened to Keygate (keep-alive: a handful, not one per check). Last, it
// measures in-process verifications per second (no HTTP) in this process.
//   BENCH_ROUNDS (default 5), BENCH_SECONDS (default 2), BENCH_CONNECTIONS (default 32),
//   BENCH_LOAD=autocannon to use autocannon's CLI instead of wrk.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haproxyBinary, nginxBinary, startHaproxy, startNginx, type ProxyProcess } from './auth-bench-proxies.ts';
import { load, loadGenerator, type LoadRun } from './http-load.ts';
import { compiled } from './compiled-build.ts';
import { goalVerdict, median, pairedRatio, printFigures } from './report.ts';

const { loadConfig } = await compiled<typeof import('../src/config/load-config.ts')>('config/load-config');
const { createKeygate } = await compiled<typeof import('../src/runtime/keygate.ts')>('runtime/keygate');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARM_UP_SECONDS = 3;
const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** A server child (bench/auth-bench-servers.ts) and its IPC. */
interface ServerChild {
  readonly url: string;
  readonly ready: Record<string, unknown>;
  stats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function startServer(role: string, ...args: string[]): Promise<ServerChild> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./auth-bench-servers.ts', import.meta.url)), [role, ...args], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KEYGATE_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<(message: any) => void> = [];
  child.on('message', (message) => waiting.shift()?.(message));
  const next = () => new Promise<any>((resolve) => waiting.push(resolve));
  const ready = await next();
  return {
    url: ready.url,
    ready,
    stats() {
      const reply = next();
      child.send({ type: 'stats' });
      return reply;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

interface Target {
  readonly name: string;
  /** The name in the per-round lines. */
  readonly short: string;
  readonly url: string;
  readonly key: 'valid' | 'unknown';
  /** The server processes whose CPU time per answered request is measured, by label. */
  readonly costs?: ReadonlyArray<readonly [string, () => Promise<number | null>]>;
  /** The valid key of this target's own node, when it is not the main Keygate's. */
  readonly ownKey?: string;
}

async function main(): Promise<void> {
  const generator = loadGenerator();
  console.log(`auth bench: ${generator} (one thread, its own process), ${CONNECTIONS} connections, ${ROUNDS} rotating rounds of ${SECONDS} s per target`);
  const keygate = await startServer('keygate');
  const validKey = keygate.ready.key as string;
  const unknownKey = 'dsk_' + randomBytes(32).toString('hex');
  const bare = await startServer('bare');
  const bearer = await startServer('bearer', validKey);
  // The cost ladder under Keygate's answer: Node's HTTP alone answering exactly what Keygate answers
  // to a valid key, then the same with Keygate's Verifier deciding the answer.
  const keygateAnswer = await fetch(`${keygate.url}/v1/auth`, { headers: { authorization: `Bearer ${validKey}` } });
  const answerHeaders = Object.fromEntries([...(keygateAnswer.headers as unknown as Iterable<[string, string]>)].filter(([name]) => name.startsWith('x-keygate-')));
  const floor = await startServer('floor', JSON.stringify(answerHeaders));
  const verifierOnly = await startServer('verifier');
  const minimal = await startServer('minimal', JSON.stringify(answerHeaders), validKey);
  const proxies: Array<{ stop(): Promise<void> }> = [];
  const cpuOf = (server: ServerChild) => async () => (await server.stats()).cpuMicros as number;
  const scratch = mkdtempSync(join(tmpdir(), 'keygate-bench-peers-'));

  const targets: Target[] = [
    { name: 'bare Fastify route', short: 'bare', url: `${bare.url}/ok`, key: 'valid', costs: [['server', cpuOf(bare)]] },
    { name: FLOOR, short: 'floor', url: `${floor.url}/v1/auth`, key: 'valid', costs: [['server', cpuOf(floor)]] },
    { name: MINIMAL_VALID, short: 'minimal', url: `${minimal.url}/v1/auth`, key: 'valid', costs: [['server', cpuOf(minimal)]] },
    { name: MINIMAL_UNKNOWN, short: 'minimal✗', url: `${minimal.url}/v1/auth`, key: 'unknown', costs: [['server', cpuOf(minimal)]] },
    { name: WITH_VERIFIER, short: 'verifier', url: `${verifierOnly.url}/v1/auth`, key: 'valid', costs: [['server', cpuOf(verifierOnly)]], ownKey: verifierOnly.ready.key as string },
    { name: '@fastify/bearer-auth, valid', short: 'bearer', url: `${bearer.url}/ok`, key: 'valid' },
    { name: '@fastify/bearer-auth, unknown', short: 'bearer✗', url: `${bearer.url}/ok`, key: 'unknown' },
    { name: BARE_IN_KEYGATE, short: 'bare@kg', url: `${keygate.ready.bareUrl as string}/ok`, key: 'valid', costs: [['server', cpuOf(keygate)]] },
    { name: 'Keygate /v1/auth, valid', short: 'keygate', url: `${keygate.url}/v1/auth`, key: 'valid', costs: [['server', cpuOf(keygate)]] },
    { name: 'Keygate /v1/auth, unknown', short: 'keygate✗', url: `${keygate.url}/v1/auth`, key: 'unknown', costs: [['server', cpuOf(keygate)]] },
  ];
  const haproxy = haproxyBinary();
  if ('path' in haproxy) {
    const started: ProxyProcess = await startHaproxy(haproxy.path, scratch, validKey);
    proxies.push(started);
    targets.push({ name: 'HAProxy sha2+map, valid', short: 'haproxy', url: `${started.url}/ok`, key: 'valid' }, { name: 'HAProxy sha2+map, unknown', short: 'haproxy✗', url: `${started.url}/ok`, key: 'unknown' });
  } else console.log(`  HAProxy skipped: ${haproxy.skipped}`);
  const nginxPath = nginxBinary();
  if (nginxPath) {
    const nginx = await startNginx(nginxPath, scratch, README, new URL(keygate.url).host, new URL(bare.url).host);
    proxies.push(nginx);
    const nginxCpu = async () => nginx.cpuMicros();
    const behindNginx = [['nginx', nginxCpu], ['Keygate', cpuOf(keygate)], ['API', cpuOf(bare)]] as const;
    targets.push(
      { name: 'nginx → bare route', short: 'nginx', url: `${nginx.alone}/api/ok`, key: 'valid', costs: [behindNginx[0], behindNginx[2]] },
      { name: 'nginx + auth_request → Keygate, valid', short: 'nginx+kg', url: `${nginx.auth}/api/ok`, key: 'valid', costs: behindNginx },
      { name: 'nginx + auth_request → Keygate, unknown', short: 'nginx+kg✗', url: `${nginx.auth}/api/ok`, key: 'unknown', costs: behindNginx },
    );
  } else console.log('  nginx skipped: not installed (apt-get install -y nginx)');

  const headers = (target: Target) => ({ authorization: `Bearer ${target.key === 'valid' ? (target.ownKey ?? validKey) : unknownKey}` });
  // What an unknown key is answered, once: a 429 here would mean the bench measured the failure throttle.
  const probes: string[] = [];
  for (const target of targets.filter((t) => t.key === 'unknown')) probes.push(`${target.name} ${(await fetch(target.url, { headers: headers(target) })).status}`);
  console.log(`  an unknown key is answered: ${probes.join(', ')}`);

  // Warm-up: JIT, Keygate's caches (the valid key loaded once, the unknown one remembered), pools.
  // Three seconds: a fresh Node process answers node:http requests up to half again slower until
  // its young generation has grown and its HTTP code is optimized (seen with the floor server).
  for (const target of targets) await load({ url: target.url, headers: headers(target), connections: CONNECTIONS, seconds: WARM_UP_SECONDS });

  const runs = new Map<string, LoadRun[]>(targets.map((t) => [t.name, []]));
  /** CPU µs per answered request, per round, of each measured server process: target → label → rounds. */
  const cpuPerRequest = new Map<string, Map<string, number[]>>(targets.map((t) => [t.name, new Map((t.costs ?? []).map(([label]) => [label, []]))]));
  const before = await keygate.stats();
  let nginxChecks = 0;
  let nginxConnections = 0;
  const problems: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
    const line: string[] = [];
    for (const target of order) {
      const { connections: opened, fastAnswers: fastBefore } = await keygate.stats();
      const cpuBefore = await Promise.all((target.costs ?? []).map(([, read]) => read()));
      const run = await load({ url: target.url, headers: headers(target), connections: CONNECTIONS, seconds: SECONDS });
      const cpuAfter = await Promise.all((target.costs ?? []).map(([, read]) => read()));
      (target.costs ?? []).forEach(([label], i) => {
        if (cpuBefore[i] !== null && cpuAfter[i] !== null) cpuPerRequest.get(target.name)!.get(label)!.push((cpuAfter[i]! - cpuBefore[i]!) / run.requests);
      });
      if (target.name.startsWith('nginx + auth_request')) {
        nginxConnections += (await keygate.stats()).connections - opened;
        nginxChecks += run.requests;
      }
      // Every check Keygate answered in this run came through its fast path (none fell back to Fastify).
      if (target.costs?.some(([label]) => label === 'Keygate') || target.url.startsWith(keygate.url)) {
        const fast = (await keygate.stats()).fastAnswers - fastBefore;
        if (fast < run.requests) problems.push(`${target.name}: ${run.requests - fast} of ${run.requests} checks did not take the forward-auth fast path`);
      }
      const expected = target.key === 'valid' ? 0 : run.requests;
      if (run.non2xx !== expected) problems.push(`${target.name}: ${run.non2xx} of ${run.requests} answers were not 2xx (expected ${expected})`);
      if (run.errors > 0) problems.push(`${target.name}: ${run.errors} socket errors or timeouts`);
      runs.get(target.name)!.push(run);
      line.push(`${target.short} ${run.rps.toFixed(0)}`);
    }
    console.log(`  round ${round + 1} req/s: ${line.join(' | ')}`);
  }
  const after = await keygate.stats();
  await Promise.all([...proxies.map((p) => p.stop()), bare.stop(), bearer.stop(), floor.stop(), verifierOnly.stop(), minimal.stop(), keygate.stop()]);
  rmSync(scratch, { recursive: true, force: true });
  for (const problem of problems) console.log(`  ! ${problem}`);

  const rps = (name: string) => runs.get(name)?.map((r) => r.rps) ?? [];
  const has = (name: string) => runs.has(name);
  const bareRps = rps('bare Fastify route');
  console.log(`\nforward-auth and its peers (${generator}, ${CONNECTIONS} connections; req/s and p99 medians of ${ROUNDS} rounds; ratios medians of per-round ratios)`);
  console.log(`  ${'setup'.padEnd(42)} ${'req/s'.padStart(8)} ${'p99 ms'.padStart(7)}   ÷ its baseline   Keygate ÷ it`);
  const row = (name: string, baseline: string, keygateCounterpart?: string) => {
    if (!has(name)) return;
    const own = rps(name);
    const vsBaseline = name === baseline ? '(baseline)' : `${pairedRatio(own, rps(baseline)).toFixed(2)}×`;
    const keygateVs = keygateCounterpart && keygateCounterpart !== name ? `${pairedRatio(rps(keygateCounterpart), own).toFixed(2)}×` : '';
    const p99 = median(runs.get(name)!.map((r) => r.p99Ms));
    console.log(`  ${name.padEnd(42)} ${median(own).toFixed(0).padStart(8)} ${p99.toFixed(2).padStart(7)}   ${vsBaseline.padEnd(14)}   ${keygateVs}`);
  };
  const base = 'bare Fastify route';
  const kValid = 'Keygate /v1/auth, valid';
  const kUnknown = 'Keygate /v1/auth, unknown';
  row(base, base, kValid);
  row('@fastify/bearer-auth, valid', base, kValid);
  row('@fastify/bearer-auth, unknown', base, kUnknown);
  row('HAProxy sha2+map, valid', base, kValid);
  row('HAProxy sha2+map, unknown', base, kUnknown);
  row(kValid, base);
  row(kUnknown, base);
  row('nginx → bare route', 'nginx → bare route');
  row('nginx + auth_request → Keygate, valid', 'nginx → bare route');
  row('nginx + auth_request → Keygate, unknown', 'nginx → bare route');

  const goals: Array<[string, string, string, number]> = [
    ['forward-auth valid cached key ÷ bare Fastify', kValid, base, 0.8],
    ['forward-auth unknown key ÷ bare Fastify', kUnknown, base, 0.9],
    ['nginx + auth_request → Keygate ÷ nginx alone', 'nginx + auth_request → Keygate, valid', 'nginx → bare route', 0.6],
  ];
  console.log('\ngoals (medians of per-round ratios)');
  for (const [label, a, b, goal] of goals) {
    if (!has(a) || !has(b)) console.log(`  ${label.padEnd(46)} not measured (a peer was skipped)  (${goal} goal: not measured)`);
    else {
      const ratio = pairedRatio(rps(a), rps(b));
      console.log(`  ${label.padEnd(46)} ${ratio.toFixed(2)}×  (${goalVerdict(ratio, goal)})`);
    }
  }
  console.log('\nwhere a peer is ahead of Keygate (same request, same run)');
  for (const [peer, mine] of [
    ['@fastify/bearer-auth, valid', kValid],
    ['@fastify/bearer-auth, unknown', kUnknown],
    ['HAProxy sha2+map, valid', kValid],
    ['HAProxy sha2+map, unknown', kUnknown],
  ]) {
    if (!has(peer)) continue;
    const ratio = pairedRatio(rps(mine), rps(peer));
    console.log(`  ${peer.padEnd(32)} ${ratio < 1 ? `ahead: Keygate does ${ratio.toFixed(2)}× its rate` : `behind: Keygate does ${ratio.toFixed(2)}× its rate`}`);
  }
  if (nginxChecks > 0) {
    const runsBehindNginx = 2 * ROUNDS;
    console.log(
      `  nginx opened ${nginxConnections} new connections to Keygate during ${nginxChecks} measured checks in ${runsBehindNginx} runs ` +
        `(keep-alive: about one per client connection when a run starts, after idle ones lapsed between runs; not one per check)`,
    );
  }
  console.log(
    '\nhow to read: every figure shares 2 cores with the load generator (and, behind nginx, with nginx and the API),\n' +
      '  so a ratio says how much of the machine a setup leaves to the others, not a per-request latency. HAProxy is\n' +
      "  C on one thread with no JavaScript, so its ratio to a Node route above 1 is expected; bearer-auth compares one\n" +
      '  string and checks nothing else (no store, no cache, no permissions or allowlist). On a busy machine a round\n' +
      '  that a neighbour disturbs moves one ratio; the medians are what to compare.',
  );

  printCostLadder(cpuPerRequest);
  // The goals against the least any gateway that keeps keys as SHA-256 must do, in throughput as the goals are.
  const minimalValid = pairedRatio(rps(MINIMAL_VALID), bareRps);
  const minimalUnknown = pairedRatio(rps(MINIMAL_UNKNOWN), bareRps);
  console.log(
    `  a minimal check (read the bearer key, SHA-256, one Map lookup, Keygate's answer) ÷ bare Fastify, req/s: valid ${minimalValid.toFixed(2)}× ` +
      `(goal ≥ 0.8 ${minimalValid >= 0.8 ? 'reachable' : 'out of reach even for it'}), unknown ${minimalUnknown.toFixed(2)}× (goal ≥ 0.9 ${minimalUnknown >= 0.9 ? 'reachable' : 'out of reach even for it'}); ` +
      `Keygate ÷ the minimal check: valid ${pairedRatio(rps(kValidName), rps(MINIMAL_VALID)).toFixed(2)}×, unknown ${pairedRatio(rps(kUnknownName), rps(MINIMAL_UNKNOWN)).toFixed(2)}×`,
  );

  // The same bare route served by Keygate's process: what Node's HTTP path costs in a process of
  // Keygate's size (its modules, heap and start-up), apart from anything Keygate checks.
  const bareInKeygate = pairedRatio(rps(BARE_IN_KEYGATE), bareRps);
  console.log(
    `  the bare Fastify route served from Keygate's own process ÷ bare Fastify alone, req/s: ${bareInKeygate.toFixed(2)}×; ` +
      `Keygate ÷ that route in its own process: valid ${pairedRatio(rps(kValidName), rps(BARE_IN_KEYGATE)).toFixed(2)}×, unknown ${pairedRatio(rps(kUnknownName), rps(BARE_IN_KEYGATE)).toFixed(2)}×`,
  );

  const measured = ROUNDS * SECONDS * targets.length;
  const lookups = after.lookups - before.lookups;
  // A cached key is looked up again only when its cache entry lapses (valid: 60 s, unknown: 30 s).
  const allowed = 2 * Math.ceil(measured / 30);
  console.log(`  Keygate store lookups while measuring: ${lookups} (only cache refreshes: at most ${allowed})`);
  if (lookups > allowed) throw new Error(`Keygate reached the store ${lookups} times while measuring; the caches are not serving`);
  await inProcess();
}

const FLOOR = "node:http, Keygate's 200, no check";
const BARE_IN_KEYGATE = "bare Fastify route, in Keygate's process";
const MINIMAL_VALID = 'node:http + SHA-256 lookup, valid';
const MINIMAL_UNKNOWN = 'node:http + SHA-256 lookup, unknown';
const kValidName = 'Keygate /v1/auth, valid';
const kUnknownName = 'Keygate /v1/auth, unknown';
const WITH_VERIFIER = "node:http + Keygate's Verifier";

/**
 * Where a forward-auth check's time goes: the CPU each server spent per answered request (the load
 * generator's and other servers' time excluded), from Node's HTTP alone answering Keygate's exact 200
 * up to Keygate itself. It shows how much of the goal's budget Node's HTTP floor leaves for the check.
 */
function printCostLadder(cpuPerRequest: ReadonlyMap<string, ReadonlyMap<string, number[]>>): void {
  const cost = (name: string, label: string) => {
    const rounds = cpuPerRequest.get(name)?.get(label) ?? [];
    return rounds.length === 0 ? NaN : median(rounds);
  };
  const us = (name: string) => cost(name, 'server');
  const bare = us('bare Fastify route');
  const floor = us(FLOOR);
  const verifier = us(WITH_VERIFIER);
  const valid = us('Keygate /v1/auth, valid');
  const unknown = us('Keygate /v1/auth, unknown');
  console.log('\nwhere the time goes: server CPU per answered request (µs; medians of rounds; each server in its own process)');
  const line = (name: string, value: number, note: string) => console.log(`  ${name.padEnd(42)} ${value.toFixed(1).padStart(6)} µs   ${note}`);
  line('bare Fastify route', bare, '(the baseline)');
  line(FLOOR, floor, "Node's HTTP parsing and socket write of Keygate's answer, nothing checked");
  const signed = (delta: number) => `${delta < 0 ? '−' : '+'}${Math.abs(delta).toFixed(1)} µs`;
  line(MINIMAL_VALID, us(MINIMAL_VALID), 'the least a check of SHA-256-stored keys does: read the key, hash it, one lookup');
  line(MINIMAL_UNKNOWN, us(MINIMAL_UNKNOWN), "the same, answering Keygate's 401");
  line(WITH_VERIFIER, verifier, `${signed(verifier - floor)}: the check (key, cache, policy, metrics) inside a server`);
  line('Keygate /v1/auth, valid', valid, `${signed(valid - verifier)}: the forward-auth front end (address, proxy headers, answer)`);
  line('Keygate /v1/auth, unknown', unknown, '');
  const bareInKeygate = us(BARE_IN_KEYGATE);
  line(BARE_IN_KEYGATE, bareInKeygate, `${signed(bareInKeygate - bare)} over the bare route alone: Node's HTTP path in a process of Keygate's size`);
  console.log(`  Keygate ÷ that route, in the same process: valid ${(bareInKeygate / valid).toFixed(2)}×, unknown ${(bareInKeygate / unknown).toFixed(2)}× (of CPU per request)`);
  for (const [label, goal] of [['valid', 0.8], ['unknown', 0.9]] as const) {
    const budget = bare / goal;
    const spent = (label === 'valid' ? valid : unknown) - floor;
    console.log(`  goal ${goal}× (${label}) allows ${budget.toFixed(1)} µs per check; Node's floor for the answer takes ${floor.toFixed(1)}, leaving ${(budget - floor).toFixed(1)} µs for checking; Keygate spends ${spent.toFixed(1)}`);
  }
  console.log(`  the best ratio a check costing nothing could reach: bare ÷ floor = ${(bare / floor).toFixed(2)}× (of CPU per request)`);
  console.log(`  Keygate ÷ Node's floor for its answer: valid ${(floor / valid).toFixed(2)}×, unknown ${(floor / unknown).toFixed(2)}× (the floor is a 200 with identity headers; a 401 is a little smaller)`);
  const alone = 'nginx → bare route';
  const withAuth = 'nginx + auth_request → Keygate, valid';
  if (!cpuPerRequest.get(alone)?.get('nginx')?.length) return;
  console.log('\nbehind nginx: CPU per answered request of each server process (µs; medians of rounds)');
  const total = (name: string, labels: readonly string[]) => labels.reduce((sum, label) => sum + cost(name, label), 0);
  for (const name of [alone, withAuth, 'nginx + auth_request → Keygate, unknown']) {
    const labels = [...(cpuPerRequest.get(name)?.keys() ?? [])];
    const parts = labels.map((label) => `${label} ${cost(name, label).toFixed(1)}`).join(' + ');
    console.log(`  ${name.padEnd(42)} ${parts} = ${total(name, labels).toFixed(1)} µs`);
  }
  const aloneTotal = total(alone, ['nginx', 'API']);
  const authTotal = total(withAuth, ['nginx', 'Keygate', 'API']);
  const checkFree = authTotal - cost(withAuth, 'Keygate') + floor;
  console.log(
    `  if throughput followed these processes' CPU alone: ${(aloneTotal / authTotal).toFixed(2)}× (goal ≥ 0.6); with Keygate at Node's floor for ` +
      `its answer (${floor.toFixed(1)} µs, a check that costs nothing): ${(aloneTotal / checkFree).toFixed(2)}×. nginx's own work per request ` +
      `goes from ${cost(alone, 'nginx').toFixed(1)} to ${cost(withAuth, 'nginx').toFixed(1)} µs with the auth subrequest.`,
  );
}

/** Verifications per second without HTTP, for a cached valid key, a known-unknown key and a malformed one. */
async function inProcess(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir, databaseUrl: null, redisUrl: null, logLevel: 'silent' } });
  const keygate = await createKeygate({ config });
  const org = await keygate.directory.createOrganization('bench');
  const admin = await keygate.directory.createUser({ organizationId: org.id, name: 'bench', role: 'admin' });
  const principal = await keygate.tokens.principalFor(admin.id, 'bench', null);
  const key = (await keygate.keys.create(principal, { name: 'bench', permissions: ['read'] })).secret!;
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

await main();
