// Revoke-to-close across a cluster: three Keygate nodes (child processes) on one PostgreSQL database
// and one Redis, Centrifuge sessions spread over them (one key per session), keys revoked one after
// another on node 0; each session's close is timed from just before its revoke transaction, per node.
// Then the default set-up (one node on SQLite with the in-memory bus): keys revoked by the real CLI in
// another process, timed from the revocation time the CLI prints.
//   Needs DATABASE_URL and REDIS_URL for the cluster part (skipped without them).
//   KEYGATE_BENCH_CLUSTER_KEYS (default 300), KEYGATE_BENCH_CLI_REVOKES (default 5).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { runCli } from '../test/cli/run-cli.ts';

const KEYS = Number(process.env.KEYGATE_BENCH_CLUSTER_KEYS ?? 300);
const CLI_REVOKES = Number(process.env.KEYGATE_BENCH_CLI_REVOKES ?? 5);
const WALLET = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const CHANNEL = `maintenance:wallet:${WALLET}`;
const now = () => performance.timeOrigin + performance.now();
const here = (file: string) => new URL(file, import.meta.url).pathname;

interface Node {
  readonly url: string;
  request(message: Record<string, unknown>, reply: string): Promise<any>;
  stop(): Promise<void>;
}

async function startNode(args: string[]): Promise<Node> {
  const child: ChildProcess = fork(here('./realtime-cluster-node.ts'), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, Array<(value: any) => void>>();
  child.on('message', (message: any) => waiting.get(message.cmd)?.shift()?.(message));
  const next = (cmd: string) => new Promise<any>((resolve) => (waiting.get(cmd) ?? waiting.set(cmd, []).get(cmd)!).push(resolve));
  const ready = await next('ready');
  return {
    url: ready.url,
    request(message, reply) {
      const answer = next(reply);
      child.send(message);
      return answer;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ cmd: 'stop' });
      await exited;
    },
  };
}

/** A Centrifuge session (raw protocol: connect + subscribe in one frame) that records when it closed. */
async function session(url: string, key: string): Promise<{ closedAt: () => number; ws: WebSocket }> {
  const ws = new WebSocket(url + '/connection/websocket', { perMessageDeflate: false });
  let closedAt = Infinity;
  ws.on('close', () => (closedAt = now()));
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => ws.send(`{"id":1,"connect":{"token":"${key}"}}\n{"id":2,"subscribe":{"channel":"${CHANNEL}"}}`));
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === '{}') return void ws.send('{}');
      if (text.includes('"id":2')) resolve();
      if (text.includes('"error"')) reject(new Error(text));
    });
  });
  return { closedAt: () => closedAt, ws };
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

async function waitUntil(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 2));
}

const goal = (ms: number, budget: number) => `goal ≤ ${budget} ms: ${ms <= budget ? 'met' : 'NOT met'}`;

async function cluster(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!adminUrl || !redisUrl) {
    console.log('  cluster: skipped (set DATABASE_URL and REDIS_URL)');
    return;
  }
  const name = `keygate_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: '/' + name }).toString();
  const prefix = `kgbench:${randomBytes(4).toString('hex')}:`;
  const secrets = [randomBytes(32).toString('hex'), 'kgs_' + randomBytes(32).toString('hex')];
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'keygate-cluster-')));
  try {
    const nodes: Node[] = [];
    for (const dir of dirs) nodes.push(await startNode([dir, databaseUrl, redisUrl, prefix, ...secrets])); // one at a time: migrations
    const { keys } = await nodes[0].request({ cmd: 'seed', count: KEYS, wallet: WALLET }, 'seeded');
    const sessions = [];
    for (const [i, { id, key }] of (keys as Array<{ id: string; key: string }>).entries()) {
      sessions.push({ id, node: i % 3, ...(await session(nodes[i % 3].url, key)) });
    }
    console.log(`  cluster: 3 nodes (PostgreSQL + Redis), ${sessions.length} Centrifuge sessions, ${sessions.length / 3} per node; revoking each key on node 0`);
    const latencies: number[][] = [[], [], []];
    let unclosed = 0;
    for (const s of sessions) {
      const { t } = await nodes[0].request({ cmd: 'revoke', id: s.id }, 'revoked');
      await waitUntil(() => s.closedAt() !== Infinity, 3000);
      if (s.closedAt() === Infinity) unclosed += 1;
      else latencies[s.node].push(s.closedAt() - t);
    }
    for (const [i, values] of latencies.entries()) {
      const p99 = percentile(values, 99);
      console.log(`  node ${i}${i === 0 ? ' (revoking)' : '           '}  revoke-to-close p50 ${percentile(values, 50).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  max ${Math.max(...values).toFixed(1)} ms  (${values.length} sessions)  ${goal(p99, 100)}`);
    }
    console.log(`  sessions still open 3 s after their key was revoked: ${unclosed}`);
    for (const node of nodes) await node.stop();
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function cliOnDefaultSetUp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-cli-bench-'));
  try {
    const node = await startNode([dir, '-', '-', 'kg:', randomBytes(32).toString('hex'), 'kgs_' + randomBytes(32).toString('hex')]);
    const { keys, organizationId } = await node.request({ cmd: 'seed', count: CLI_REVOKES, wallet: WALLET }, 'seeded');
    const latencies: number[] = [];
    for (const { id, key } of keys as Array<{ id: string; key: string }>) {
      const s = await session(node.url, key);
      const result = await runCli(['keys', 'revoke', id, '--org', organizationId], { KEYGATE_DATA_DIR: dir });
      if (result.code !== 0) throw new Error(result.stderr);
      const revokedAt = Date.parse(JSON.parse(result.stdout).revokedAt);
      await waitUntil(() => s.closedAt() !== Infinity, 3000);
      latencies.push(s.closedAt() - revokedAt);
    }
    const p99 = percentile(latencies, 99);
    console.log(`  default set-up (SQLite, memory bus): CLI revoke-to-close p50 ${percentile(latencies, 50).toFixed(0)} ms  max ${p99.toFixed(0)} ms  (${latencies.length} revocations by the CLI)  ${goal(p99, 1000)}`);
    await node.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('realtime-cluster bench: revoke-to-close on every node of a cluster, and for revocations by the CLI');
await cluster();
await cliOnDefaultSetUp();
process.exit(0);
