// Real-time fan-out benchmark: N concurrent Centrifuge connections (raw `ws` clients speaking the
// protocol, to keep the load generator light) subscribed to one channel of one Keygate process,
// against a bare `ws` broadcast server measured in the same run.
//   KEYGATE_BENCH_CONNECTIONS (default 10000), KEYGATE_BENCH_MESSAGES (burst size, default 20),
//   KEYGATE_BENCH_REVOKES (default 50).
// Each server runs in its own child process, so memory is the server's alone. The machine's open-file
// limit must allow N sockets per process (`ulimit -n`; 20000 here is enough for 10000).
import { fork, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { printFigures } from './report.ts';

const N = Number(process.env.KEYGATE_BENCH_CONNECTIONS ?? 10_000);
const BURST = Number(process.env.KEYGATE_BENCH_MESSAGES ?? 20);
const REVOKES = Number(process.env.KEYGATE_BENCH_REVOKES ?? 50);
const LATENCY_MESSAGES = 20;
const now = () => performance.timeOrigin + performance.now();
const serverScript = new URL('./realtime-bench-servers.ts', import.meta.url).pathname;

interface Server {
  readonly child: ChildProcess;
  request(message: Record<string, unknown>, reply: string): Promise<any>;
}

async function startServer(args: string[]): Promise<{ server: Server; ready: any }> {
  const child = fork(serverScript, args, { execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, Array<(value: any) => void>>();
  child.on('exit', (code, signal) => { if (code !== 0 && signal !== 'SIGTERM') console.error(`  bench server ${args[0]} exited with ${code ?? signal}`); });
  child.on('message', (message: any) => waiting.get(message.cmd)?.shift()?.(message));
  const next = (cmd: string) => new Promise<any>((resolve) => (waiting.get(cmd) ?? waiting.set(cmd, []).get(cmd)!).push(resolve));
  const ready = await next('ready');
  return { server: { child, request: (message, reply) => { const p = next(reply); child.send(message); return p; } }, ready };
}

/** Per-phase delivery bookkeeping shared by every client. */
class Deliveries {
  latencies: number[] = [];
  count = 0;
  last = 0;
  record(text: string): void {
    const match = /"t":([0-9.]+)/.exec(text);
    if (!match) return;
    const t = now();
    this.latencies.push(t - Number(match[1]));
    this.count++;
    this.last = t;
  }
  reset(): void {
    this.latencies = [];
    this.count = 0;
    this.last = 0;
  }
  async until(expected: number, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (this.count < expected && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens `n` sockets, `batch` at a time; `hello` is sent on open and `ready` tells when the socket is set up. */
async function openClients(url: string, n: number, deliveries: Deliveries, hello: string | null): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const batch = 500;
  for (let start = 0; start < n; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - start) }, () =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          sockets.push(ws);
          ws.on('close', (code, reason) => process.env.BENCH_DEBUG && console.log('closed', code, reason.toString()));
          ws.on('error', reject);
          ws.on('message', (data) => {
            const text = data.toString();
            if (text === '{}') return void ws.send('{}');
            if (text.startsWith('{"push"')) return deliveries.record(text);
            if (text.includes('"id":2')) resolve();
          });
          ws.on('open', () => (hello === null ? resolve() : ws.send(hello)));
        }),
      ),
    );
  }
  return sockets;
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs the latency phase (spaced publications) and the throughput phase (a burst) against one server. */
async function measure(server: Server, expectedPerMessage: number, deliveries: Deliveries) {
  deliveries.reset();
  await server.request({ cmd: 'publish', count: LATENCY_MESSAGES, spacingMs: 100 }, 'published');
  await deliveries.until(expectedPerMessage * LATENCY_MESSAGES, 30_000);
  const latencies = deliveries.latencies;
  deliveries.reset();
  const started = now();
  await server.request({ cmd: 'publish', count: BURST, spacingMs: 0 }, 'published');
  await deliveries.until(expectedPerMessage * BURST, 60_000);
  const perSecond = deliveries.count / ((deliveries.last - started) / 1000);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond, delivered: deliveries.count };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ cmd: 'stop' });
  await exited;
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  for (const ws of sockets) ws.terminate();
  await new Promise((resolve) => setTimeout(resolve, 500));
}

console.log(`realtime bench: ${N} connections, ${LATENCY_MESSAGES} spaced + ${BURST} burst publications, ${REVOKES} revocations`);

// Keygate.
const deliveries = new Deliveries();
const { server: keygate, ready } = await startServer(['keygate', String(N), String(REVOKES)]);
const hello = `{"id":1,"connect":{"token":"${ready.key}"}}\n{"id":2,"subscribe":{"channel":"${ready.channel}"}}`;
const keygateIdle = await keygate.request({ cmd: 'memory' }, 'memory');
const t0 = Date.now();
const sockets = await openClients(ready.url, N, deliveries, hello);
console.log(`  ${N} Centrifuge sessions connected and subscribed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const keygateMemory = await keygate.request({ cmd: 'memory' }, 'memory');
const keygateRun = await measure(keygate, N, deliveries);

// Revoke-to-close: one key per session, revoked one at a time while the N sessions stay connected.
const closes = new Map<string, number>();
const revokeLatencies: number[] = [];
for (const { id, key } of ready.revocable as Array<{ id: string; key: string }>) {
  const [ws] = await openClients(ready.url, 1, new Deliveries(), `{"id":1,"connect":{"token":"${key}"}}\n{"id":2,"subscribe":{"channel":"${ready.channel}"}}`);
  ws.on('close', () => closes.set(id, now()));
  const { t } = await keygate.request({ cmd: 'revoke', id }, 'revoked');
  const end = Date.now() + 2000;
  while (!closes.has(id) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 1));
  revokeLatencies.push((closes.get(id) ?? Infinity) - t);
}
await closeAll(sockets);
await stopServer(keygate);

// Baseline: bare ws broadcast.
const bareDeliveries = new Deliveries();
const { server: bare, ready: bareReady } = await startServer(['bare']);
const bareIdle = await bare.request({ cmd: 'memory' }, 'memory');
const bareSockets = await openClients(bareReady.url, N, bareDeliveries, null);
const bareMemory = await bare.request({ cmd: 'memory' }, 'memory');
const bareRun = await measure(bare, N, bareDeliveries);
await closeAll(bareSockets);
await stopServer(bare);

const perConnection = (after: { rss: number }, before: { rss: number }) => (after.rss - before.rss) / N / 1024;
const keygateKb = perConnection(keygateMemory, keygateIdle);
const bareKb = perConnection(bareMemory, bareIdle);
printFigures(`Real-time fan-out, ${N} connections on one channel (baseline: bare ws broadcast, same run)`, [
  { name: 'deliveries per second', value: keygateRun.perSecond, unit: 'msg/s', baseline: bareRun.perSecond, goal: 0.7 },
  { name: 'publish-to-delivery p50', value: keygateRun.p50, unit: 'ms', baseline: bareRun.p50, lowerIsBetter: true },
  { name: 'publish-to-delivery p99', value: keygateRun.p99, unit: 'ms', baseline: bareRun.p99, lowerIsBetter: true },
  { name: 'server RSS per connection', value: keygateKb, unit: 'KB', baseline: bareKb, lowerIsBetter: true },
  { name: 'server RSS per connection vs 30 KB budget', value: keygateKb, unit: 'KB', baseline: 30, goal: 1, lowerIsBetter: true },
  { name: 'server heap+external per connection', value: (keygateMemory.heap - keygateIdle.heap) / N / 1024, unit: 'KB', baseline: (bareMemory.heap - bareIdle.heap) / N / 1024, lowerIsBetter: true },
  { name: 'revoke-to-close p50', value: percentile(revokeLatencies, 50), unit: 'ms' },
  { name: 'revoke-to-close p99 vs 100 ms budget', value: percentile(revokeLatencies, 99), unit: 'ms', baseline: 100, goal: 1, lowerIsBetter: true },
]);
console.log(`  delivered ${keygateRun.delivered} (keygate) and ${bareRun.delivered} (bare) of ${N * BURST} burst messages`);
process.exit(0);
