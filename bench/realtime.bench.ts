// Real-time fan-out beside real peers, then revocation at scale. Every server and every load
// generator runs in its own process.
//
// Part 1: N connections (default 10,000) subscribed to one channel on each of Keygate (Centrifuge
// protocol), socket.io (one room, WebSocket transport) and a bare `ws` broadcast server (one
// pre-serialized frame to every socket), all up side by side; rounds alternate between them so load
// elsewhere on the machine hits all alike. Then revoke-to-close: keys with one session each, revoked
// one at a time while the N sessions stay connected.
// Part 2: a fresh Keygate node with SCALE connections (default 20,000, or what the per-process file
// limit allows), VICTIMS keys holding VICTIM_SESSIONS (1,000) sessions each among them; one publish to
// all, then each victim key revoked: the time until the last of its sessions is closed.
//   KEYGATE_BENCH_CONNECTIONS, KEYGATE_BENCH_MESSAGES (burst size, 20), KEYGATE_BENCH_ROUNDS (3),
//   KEYGATE_BENCH_REVOKES (50), KEYGATE_BENCH_SCALE (20000; 0 skips part 2), KEYGATE_BENCH_VICTIMS (3),
//   KEYGATE_BENCH_CPU_PROF=<dir> runs the Keygate server processes under `node --cpu-prof`.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { io as socketIoClient } from 'socket.io-client';
import WebSocket from 'ws';
import { goalVerdict, median, pairedRatio } from './report.ts';

const N = Number(process.env.KEYGATE_BENCH_CONNECTIONS ?? 10_000);
const BURST = Number(process.env.KEYGATE_BENCH_MESSAGES ?? 20);
const ROUNDS = Number(process.env.KEYGATE_BENCH_ROUNDS ?? 3);
const REVOKES = Number(process.env.KEYGATE_BENCH_REVOKES ?? 50);
const WANTED_SCALE = Number(process.env.KEYGATE_BENCH_SCALE ?? 20_000);
const VICTIMS = Number(process.env.KEYGATE_BENCH_VICTIMS ?? 3);
const VICTIM_SESSIONS = 1000;
const CPU_PROF = process.env.KEYGATE_BENCH_CPU_PROF;
const SPACED = 20;
/** Sockets one load-generator process holds at most (well under any file limit). */
const PER_CLIENT_PROCESS = 10_000;
const now = () => performance.timeOrigin + performance.now();
const here = (file: string) => new URL(file, import.meta.url).pathname;

/** A child process answering IPC requests by command name. */
interface Child {
  request(message: Record<string, unknown>, reply: string): Promise<any>;
  stop(): Promise<void>;
}

async function startChild(file: string, args: string[], profile = false): Promise<{ child: Child; ready: any }> {
  const execArgv = ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096', ...(profile && CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : [])];
  const child: ChildProcess = fork(here(file), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

/** Starts load-generator processes holding `groups` (split so no process holds more than PER_CLIENT_PROCESS). */
async function startClients(url: string, protocol: string, groups: Array<{ count: number; hello: string }>): Promise<Child[]> {
  const processes: Array<Array<{ count: number; hello: string }>> = [[]];
  let room = PER_CLIENT_PROCESS;
  for (const group of groups) {
    let left = group.count;
    while (left > 0) {
      if (room === 0) {
        processes.push([]);
        room = PER_CLIENT_PROCESS;
      }
      const count = Math.min(left, room);
      processes.at(-1)!.push({ count, hello: group.hello });
      left -= count;
      room -= count;
    }
  }
  return Promise.all(processes.map(async (list) => (await startChild('./realtime-bench-clients.ts', [url, protocol, JSON.stringify(list)])).child));
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const centrifugeHello = (key: string, channel: string) => `{"id":1,"connect":{"token":"${key}"}}\n{"id":2,"subscribe":{"channel":"${channel}"}}`;

/** One round against one setup: spaced publications for latency, then a burst for throughput. */
async function round(server: Child, clients: Child, count: number) {
  await clients.request({ cmd: 'reset' }, 'reset');
  await server.request({ cmd: 'publish', count: SPACED, spacingMs: 100 }, 'published');
  const spaced = await clients.request({ cmd: 'wait', expected: count * SPACED, timeoutMs: 30_000 }, 'waited');
  await clients.request({ cmd: 'reset' }, 'reset');
  const started = now();
  await server.request({ cmd: 'publish', count: BURST, spacingMs: 0 }, 'published');
  const burst = await clients.request({ cmd: 'wait', expected: count * BURST, timeoutMs: 60_000 }, 'waited');
  return { p50: spaced.p50 as number, p99: spaced.p99 as number, perSecond: burst.count / ((burst.last - started) / 1000), delivered: burst.count as number, expected: count * BURST };
}

const kb = (bytes: number) => bytes / 1024;

async function fanOut(): Promise<void> {
  console.log(`part 1: ${N} connections on one channel per server, ${ROUNDS} alternating rounds of ${SPACED} spaced + ${BURST} burst publications, then ${REVOKES} revocations`);
  const { child: keygate, ready } = await startChild('./realtime-bench-servers.ts', ['keygate', String(N), String(REVOKES), '0', '0'], true);
  const { child: socketio, ready: socketioReady } = await startChild('./realtime-bench-servers.ts', ['socketio']);
  const { child: bare, ready: bareReady } = await startChild('./realtime-bench-servers.ts', ['bare']);
  const servers = { keygate, socketio, bare };
  const idle = { keygate: await keygate.request({ cmd: 'memory' }, 'memory'), socketio: await socketio.request({ cmd: 'memory' }, 'memory'), bare: await bare.request({ cmd: 'memory' }, 'memory') };
  const clients: Record<keyof typeof servers, Child> = {} as never;
  for (const [name, url, protocol, hello] of [
    ['keygate', ready.url, 'centrifuge', centrifugeHello(ready.key, ready.channel)],
    ['socketio', socketioReady.url, 'socketio', ''],
    ['bare', bareReady.url, 'bare', ''],
  ] as const) {
    const t0 = Date.now();
    [clients[name]] = await startClients(url, protocol, [{ count: N, hello }]);
    console.log(`  ${N} ${name} clients connected${name === 'keygate' ? ' and subscribed' : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  // One official socket.io client beside the generator's raw sockets: the broadcast is what socket.io's own client receives.
  const official = socketIoClient(socketioReady.httpUrl, { transports: ['websocket'] });
  let officialReceived = 0;
  official.on('pub', (message: { channel: string; data: { t: number } }) => {
    if (message.channel === ready.channel && typeof message.data.t === 'number') officialReceived += 1;
  });
  await new Promise<void>((resolve) => official.on('connect', () => resolve()));
  const memory = { keygate: await keygate.request({ cmd: 'memory' }, 'memory'), socketio: await socketio.request({ cmd: 'memory' }, 'memory'), bare: await bare.request({ cmd: 'memory' }, 'memory') };

  const rounds: Record<keyof typeof servers, Array<Awaited<ReturnType<typeof round>>>> = { keygate: [], socketio: [], bare: [] };
  const names = Object.keys(servers) as Array<keyof typeof servers>;
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of [...names.slice(r % 3), ...names.slice(0, r % 3)]) rounds[name].push(await round(servers[name], clients[name], N));
    console.log(`  round ${r + 1} deliveries/s: ${names.map((name) => `${name} ${rounds[name].at(-1)!.perSecond.toFixed(0)}`).join(' | ')}`);
  }
  official.close();

  // Revoke-to-close: one key per session, revoked one at a time while the N sessions stay connected.
  const revokeLatencies: number[] = [];
  for (const { id, key } of ready.revocable as Array<{ id: string; key: string }>) {
    const ws = new WebSocket(ready.url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(centrifugeHello(key, ready.channel)));
      ws.on('message', (data) => data.toString().includes('"id":2') && resolve());
    });
    const closed = new Promise<number>((resolve) => ws.on('close', () => resolve(now())));
    const { t } = await keygate.request({ cmd: 'revoke', id }, 'revoked');
    const closedAt = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 2000))]);
    revokeLatencies.push(closedAt - t);
  }

  await Promise.all(names.map((name) => clients[name].stop()));
  await Promise.all(names.map((name) => servers[name].stop()));

  const pick = (name: keyof typeof servers, field: 'perSecond' | 'p50' | 'p99') => rounds[name].map((r) => r[field]);
  const perConnection = (name: keyof typeof servers) => kb(memory[name].rss - idle[name].rss) / N;
  const heapPerConnection = (name: keyof typeof servers) => kb(memory[name].heap - idle[name].heap) / N;
  console.log(`\nreal-time fan-out, ${N} connections on one channel (medians of ${ROUNDS} rounds; ratios medians of per-round ratios)`);
  console.log(`  ${'server'.padEnd(10)} ${'deliveries/s'.padStart(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'RSS/conn'.padStart(9)} ${'heap/conn'.padStart(10)}   Keygate ÷ it (deliveries/s)`);
  for (const name of names) {
    const ratio = name === 'keygate' ? '' : `${pairedRatio(pick('keygate', 'perSecond'), pick(name, 'perSecond')).toFixed(2)}×`;
    console.log(
      `  ${name.padEnd(10)} ${median(pick(name, 'perSecond')).toFixed(0).padStart(12)} ${median(pick(name, 'p50')).toFixed(0).padStart(8)} ${median(pick(name, 'p99')).toFixed(0).padStart(8)} ` +
        `${perConnection(name).toFixed(1).padStart(6)} KB ${heapPerConnection(name).toFixed(1).padStart(7)} KB   ${ratio}`,
    );
  }
  const vsSocketIo = pairedRatio(pick('keygate', 'perSecond'), pick('socketio', 'perSecond'));
  const vsBare = pairedRatio(pick('keygate', 'perSecond'), pick('bare', 'perSecond'));
  console.log(`  goal: deliveries/s Keygate ÷ socket.io ${vsSocketIo.toFixed(2)}×  (${goalVerdict(vsSocketIo, 1.0)})`);
  console.log(`  (Keygate ÷ bare ws ${vsBare.toFixed(2)}×; bare ws is the ceiling: one frame written to every socket, no protocol)`);
  const keygateKb = perConnection('keygate');
  console.log(`  goal: server RSS per connection ${keygateKb.toFixed(1)} KB  (goal ≤ 6 KB: ${keygateKb <= 6 ? 'met' : 'NOT met'}; socket.io ${perConnection('socketio').toFixed(1)} KB, bare ws ${perConnection('bare').toFixed(1)} KB)`);
  const p99 = percentile(revokeLatencies, 99);
  console.log(`  revoke-to-close, one session per key, ${revokeLatencies.length} keys: p50 ${percentile(revokeLatencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms  (goal ≤ 100 ms: ${p99 <= 100 ? 'met' : 'NOT met'})`);
  const complete = names.every((name) => rounds[name].every((r) => r.delivered === r.expected));
  console.log(`  every burst delivered in full: ${complete}; the official socket.io client received ${officialReceived} of ${ROUNDS * (SPACED + BURST)} publications`);
  console.log(
    '  how to read: deliveries/s is measured on a burst of publications sent back to back. Keygate sends a\n' +
      "  channel's first publication in an event-loop turn at once and those following it in the turn as ONE frame\n" +
      '  per subscriber (the Centrifuge protocol carries one reply per line); socket.io and bare ws send a frame per\n' +
      '  publication, so in a burst Keygate makes a fraction of their socket writes and its ratio is large. With one\n' +
      '  publication at a time every server writes one frame per subscriber: compare the p50/p99 columns (spaced\n' +
      '  publications) for that case.\n' +
      "  Those latencies are dominated by the one generator process reading N sockets on 2 shared cores (bare ws's\n" +
      "  are as high). RSS per connection is the server's RSS growth from idle to N connected after two GCs: it\n" +
      '  includes allocator slack and moves by 1-2 KB between runs; heap per connection is the steadier figure.',
  );
}

/** The per-process open-file limit this bench runs under. */
function fileLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Infinity : Number(out);
}

async function revokeAtScale(): Promise<void> {
  const limit = fileLimit();
  // The server holds one descriptor per connection plus its listener, database files and stdio.
  const scale = Math.min(WANTED_SCALE, limit - 200);
  if (scale < WANTED_SCALE) console.log(`\npart 2: the per-process file limit is ${limit} (ulimit -n; raising it needs CAP_SYS_RESOURCE here), so ${scale} connections instead of ${WANTED_SCALE}`);
  // At most 10 victim keys, so their sessions fit one generator process.
  const victims = Math.min(VICTIMS, 10, Math.floor(scale / VICTIM_SESSIONS / 2));
  const bulk = scale - victims * VICTIM_SESSIONS;
  console.log(`${scale < WANTED_SCALE ? '' : '\n'}part 2: ${scale} connections on one Keygate node, ${victims} keys holding ${VICTIM_SESSIONS} sessions each among them`);
  const { child: keygate, ready } = await startChild('./realtime-bench-servers.ts', ['keygate', String(bulk), '0', String(victims), String(VICTIM_SESSIONS)], true);
  const idle = await keygate.request({ cmd: 'memory' }, 'memory');
  const t0 = Date.now();
  const victimClients = await startClients(ready.url, 'centrifuge', (ready.victims as Array<{ key: string }>).map(({ key }) => ({ count: VICTIM_SESSIONS, hello: centrifugeHello(key, ready.channel) })));
  const bulkClients = await startClients(ready.url, 'centrifuge', [{ count: bulk, hello: centrifugeHello(ready.key, ready.channel) }]);
  console.log(`  ${scale} sessions connected and subscribed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const connected = await keygate.request({ cmd: 'memory' }, 'memory');
  const all = [...victimClients, ...bulkClients];

  // One publication to all: when the last of the `scale` sessions had it.
  await Promise.all(all.map((c) => c.request({ cmd: 'reset' }, 'reset')));
  const published = now();
  await keygate.request({ cmd: 'publish', count: 1, spacingMs: 0 }, 'published');
  const reached = await Promise.all(all.map((c) => c.request({ cmd: 'wait', expected: 1, timeoutMs: 30_000 }, 'waited')));
  const reachedAll = Math.max(...reached.map((r) => r.last)) - published;

  // Each victim key revoked in turn; the victims' sessions sit in one generator process, a group per key.
  const lastClosed: number[] = [];
  const phases: string[] = [];
  for (let v = 0; v < victims; v++) {
    const { t, stored, ended } = await keygate.request({ cmd: 'revoke', id: ready.victims[v].id }, 'revoked');
    const closes = await victimClients[0].request({ cmd: 'closes', group: v, timeoutMs: 10_000 }, 'closes');
    if (closes.closed < VICTIM_SESSIONS) console.log(`  ! only ${closes.closed} of ${VICTIM_SESSIONS} sessions of the revoked key closed within 10 s`);
    lastClosed.push(closes.last - t);
    phases.push(`revoke stored ${(stored - t).toFixed(1)} ms, every session ended on the server ${(ended - t).toFixed(1)} ms, last client closed ${(closes.last - t).toFixed(1)} ms`);
  }
  await Promise.all(all.map((c) => c.stop()));
  await keygate.stop();

  // The same closing done by a bare ws server at the same scale: close frames only, no revoke, no re-check.
  const { child: bare, ready: bareReady } = await startChild('./realtime-bench-servers.ts', ['bare']);
  const bareVictims = await startClients(bareReady.url, 'bare', [{ count: VICTIM_SESSIONS, hello: '' }]);
  const bareBulk = await startClients(bareReady.url, 'bare', [{ count: scale - VICTIM_SESSIONS, hello: '' }]);
  const bareClose = await bare.request({ cmd: 'close-first', count: VICTIM_SESSIONS }, 'closed-first');
  const bareCloses = await bareVictims[0].request({ cmd: 'closes', group: 0, timeoutMs: 10_000 }, 'closes');
  await Promise.all([...bareVictims, ...bareBulk].map((c) => c.stop()));
  await bare.stop();

  const worst = Math.max(...lastClosed);
  console.log(`  a publish reached all ${scale} sessions in ${reachedAll.toFixed(0)} ms`);
  console.log(`  server RSS per connection at ${scale}: ${(kb(connected.rss - idle.rss) / scale).toFixed(1)} KB`);
  console.log(`  revoke → last of ${VICTIM_SESSIONS} sessions of one key closed, ${scale} connected: ${lastClosed.map((ms) => `${ms.toFixed(1)} ms`).join(', ')}  (goal ≤ 50 ms: ${worst <= 50 ? 'met' : 'NOT met'}, worst of ${victims})`);
  for (const line of phases) console.log(`    ${line}`);
  console.log(
    `  baseline, bare ws closing ${VICTIM_SESSIONS} of ${scale} sockets (close frames only): all closed on the server ${(bareClose.ended - bareClose.t).toFixed(1)} ms, ` +
      `last client closed ${(bareCloses.last - bareClose.t).toFixed(1)} ms (${bareCloses.closed} closed); Keygate's median took ${(median(lastClosed) / (bareCloses.last - bareClose.t)).toFixed(2)}× as long, its worst ${(worst / (bareCloses.last - bareClose.t)).toFixed(2)}×`,
  );
  console.log(
    '  how to read: timed from just before the revoke call on the server to the last close event on the clients:\n' +
      '  the revoke transaction, the re-check, 1,000 close frames and 1,000 close handshakes (the client replies, the\n' +
      '  server ends the TCP connection), with server and clients sharing 2 cores. The bare ws line is the floor\n' +
      '  for that handshake work on this machine in this run.',
  );
}

await fanOut();
if (WANTED_SCALE > 0) await revokeAtScale();
process.exit(0);
