// Real-time fan-out benchmark: N concurrent Centrifuge connections subscribed to one channel of one
// Keygate process, against a bare `ws` broadcast server (one pre-serialized frame to every socket)
// measured in the same run. Servers and load generators each run in their own process, both setups
// stay up side by side, and rounds alternate between them so machine load affects both alike.
//   KEYGATE_BENCH_CONNECTIONS (default 10000), KEYGATE_BENCH_MESSAGES (burst size, default 20),
//   KEYGATE_BENCH_ROUNDS (default 3), KEYGATE_BENCH_REVOKES (default 50).
// Every process holds N sockets: `ulimit -n` must exceed N (20000 on the development machine).
import { fork, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { median, printFigures } from './report.ts';

const N = Number(process.env.KEYGATE_BENCH_CONNECTIONS ?? 10_000);
const BURST = Number(process.env.KEYGATE_BENCH_MESSAGES ?? 20);
const ROUNDS = Number(process.env.KEYGATE_BENCH_ROUNDS ?? 3);
const REVOKES = Number(process.env.KEYGATE_BENCH_REVOKES ?? 50);
const SPACED = 20;
const now = () => performance.timeOrigin + performance.now();
const here = (file: string) => new URL(file, import.meta.url).pathname;

/** A child process answering IPC requests by command name. */
interface Child {
  readonly process: ChildProcess;
  request(message: Record<string, unknown>, reply: string): Promise<any>;
  stop(): Promise<void>;
}

async function startChild(file: string, args: string[]): Promise<{ child: Child; ready: any }> {
  const child = fork(here(file), args, { execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, Array<(value: any) => void>>();
  child.on('message', (message: any) => waiting.get(message.cmd)?.shift()?.(message));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`  ${file} ${args[0]} exited with ${code ?? signal}`);
  });
  const next = (cmd: string) => new Promise<any>((resolve) => (waiting.get(cmd) ?? waiting.set(cmd, []).get(cmd)!).push(resolve));
  const ready = await next('ready');
  return {
    ready,
    child: {
      process: child,
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
    },
  };
}


function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** One round against one setup: spaced publications for latency, then a burst for throughput. */
async function round(server: Child, clients: Child) {
  await clients.request({ cmd: 'reset' }, 'reset');
  await server.request({ cmd: 'publish', count: SPACED, spacingMs: 100 }, 'published');
  const spaced = await clients.request({ cmd: 'wait', expected: N * SPACED, timeoutMs: 30_000 }, 'waited');
  await clients.request({ cmd: 'reset' }, 'reset');
  const started = now();
  await server.request({ cmd: 'publish', count: BURST, spacingMs: 0 }, 'published');
  const burst = await clients.request({ cmd: 'wait', expected: N * BURST, timeoutMs: 60_000 }, 'waited');
  return { p50: spaced.p50 as number, p99: spaced.p99 as number, perSecond: burst.count / ((burst.last - started) / 1000), delivered: burst.count as number };
}

console.log(`realtime bench: ${N} connections, ${ROUNDS} alternating rounds of ${SPACED} spaced + ${BURST} burst publications, ${REVOKES} revocations`);

const { child: keygate, ready } = await startChild('./realtime-bench-servers.ts', ['keygate', String(N), String(REVOKES)]);
const { child: bare, ready: bareReady } = await startChild('./realtime-bench-servers.ts', ['bare']);
const keygateIdle = await keygate.request({ cmd: 'memory' }, 'memory');
const bareIdle = await bare.request({ cmd: 'memory' }, 'memory');
const hello = `{"id":1,"connect":{"token":"${ready.key}"}}\n{"id":2,"subscribe":{"channel":"${ready.channel}"}}`;
let t0 = Date.now();
const { child: keygateClients } = await startChild('./realtime-bench-clients.ts', [ready.url, String(N), hello]);
console.log(`  ${N} Centrifuge sessions connected and subscribed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
t0 = Date.now();
const { child: bareClients } = await startChild('./realtime-bench-clients.ts', [bareReady.url, String(N), 'none']);
console.log(`  ${N} bare ws clients connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const keygateMemory = await keygate.request({ cmd: 'memory' }, 'memory');
const bareMemory = await bare.request({ cmd: 'memory' }, 'memory');

const keygateRounds = [];
const bareRounds = [];
for (let r = 0; r < ROUNDS; r++) {
  keygateRounds.push(await round(keygate, keygateClients));
  bareRounds.push(await round(bare, bareClients));
}

// Revoke-to-close: one key per session, revoked one at a time while the N sessions stay connected.
const revokeLatencies: number[] = [];
for (const { id, key } of ready.revocable as Array<{ id: string; key: string }>) {
  const ws = new WebSocket(ready.url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => ws.send(`{"id":1,"connect":{"token":"${key}"}}\n{"id":2,"subscribe":{"channel":"${ready.channel}"}}`));
    ws.on('message', (data) => data.toString().includes('"id":2') && resolve());
  });
  let closedAt = Infinity;
  ws.on('close', () => (closedAt = now()));
  const { t } = await keygate.request({ cmd: 'revoke', id }, 'revoked');
  const end = Date.now() + 2000;
  while (closedAt === Infinity && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 1));
  revokeLatencies.push(closedAt - t);
}

await Promise.all([keygateClients.stop(), bareClients.stop()]);
await Promise.all([keygate.stop(), bare.stop()]);

const perConnection = (after: { rss: number }, before: { rss: number }) => (after.rss - before.rss) / N / 1024;
const keygateKb = perConnection(keygateMemory, keygateIdle);
const pick = (rounds: Array<Record<string, number>>, field: string) => median(rounds.map((r) => r[field]));
printFigures(`Real-time fan-out, ${N} connections on one channel (baseline: bare ws broadcast, same run; medians of ${ROUNDS} rounds)`, [
  { name: 'deliveries per second', value: pick(keygateRounds, 'perSecond'), unit: 'msg/s', baseline: pick(bareRounds, 'perSecond'), goal: 0.7 },
  { name: 'publish-to-delivery p50', value: pick(keygateRounds, 'p50'), unit: 'ms', baseline: pick(bareRounds, 'p50'), lowerIsBetter: true },
  { name: 'publish-to-delivery p99', value: pick(keygateRounds, 'p99'), unit: 'ms', baseline: pick(bareRounds, 'p99'), lowerIsBetter: true },
  { name: 'server RSS per connection', value: keygateKb, unit: 'KB', baseline: perConnection(bareMemory, bareIdle), lowerIsBetter: true },
  { name: 'server RSS per connection vs 30 KB budget', value: keygateKb, unit: 'KB', baseline: 30, goal: 1, lowerIsBetter: true },
  { name: 'server heap+external per connection', value: (keygateMemory.heap - keygateIdle.heap) / N / 1024, unit: 'KB', baseline: (bareMemory.heap - bareIdle.heap) / N / 1024, lowerIsBetter: true },
  { name: 'revoke-to-close p50', value: percentile(revokeLatencies, 50), unit: 'ms' },
  { name: 'revoke-to-close p99 vs 100 ms budget', value: percentile(revokeLatencies, 99), unit: 'ms', baseline: 100, goal: 1, lowerIsBetter: true },
]);
console.log(`  per-round deliveries/s: keygate ${keygateRounds.map((r) => r.perSecond.toFixed(0)).join(', ')}; bare ${bareRounds.map((r) => r.perSecond.toFixed(0)).join(', ')}`);
console.log(`  every burst delivered in full: ${[...keygateRounds, ...bareRounds].every((r) => r.delivered === N * BURST)}`);
process.exit(0);
