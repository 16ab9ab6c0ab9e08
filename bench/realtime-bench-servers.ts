// Child process of bench/realtime.bench.ts: runs the server under test, so its memory is measured
// apart from the load generator's. Role `keygate` runs a real Keygate node (memory broker, SQLite);
// role `bare` a plain `ws` server broadcasting one pre-serialized frame to all; role `socketio` a
// socket.io server (WebSocket transport, no compression) where every client joins one room and a
// publication is `io.to(room).emit(...)`, which socket.io encodes once per broadcast.
import './pinned-ticks.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { compiled } from './compiled-build.ts';

const { loadConfig } = await compiled<typeof import('../src/config/load-config.ts')>('config/load-config');
const { createKeygate } = await compiled<typeof import('../src/runtime/keygate.ts')>('runtime/keygate');

const CHANNEL = 'maintenance:wallet:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);
const gc = (globalThis as { gc?: () => void }).gc;

function memory() {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

async function publishAll(count: number, spacingMs: number, publish: (data: unknown) => Promise<void> | void): Promise<void> {
  for (let i = 0; i < count; i++) {
    await publish({ i, t: now(), riskFactor: 1.2345, marginBalance: '1043.21' });
    if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
  }
}

/**
 * `revokeKeys` keys with one session each (revoke-to-close), and `victimKeys` keys allowed
 * `victimSessions` sessions each (revoking one key that holds many sessions).
 */
async function runKeygate(connections: number, revokeKeys: number, victimKeys: number, victimSessions: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir, databaseUrl: null, redisUrl: null, logLevel: 'silent' } });
  const keygate = await createKeygate({ config });
  const url = await keygate.listen();
  const organization = await keygate.directory.createOrganization('bench', 'admins');
  const user = await keygate.directory.createUser({ organizationId: organization.id, name: 'bench', role: 'admin', wallets: [CHANNEL.split(':')[2]] });
  const principal = { user, organization, via: 'cli', ip: null };
  const bulk = await keygate.keys.create(principal, { name: 'bulk', permissions: ['read'], maxConnections: connections + 10, tier: 'enterprise' });
  const revocable = [];
  for (let i = 0; i < revokeKeys; i++) {
    const created = await keygate.keys.create(principal, { name: `revoke-${i}`, permissions: ['read'] });
    revocable.push({ id: created.key.id, key: created.secret });
  }
  const victims = [];
  for (let i = 0; i < victimKeys; i++) {
    const created = await keygate.keys.create(principal, { name: `victim-${i}`, permissions: ['read'], maxConnections: victimSessions + 10, tier: 'enterprise' });
    victims.push({ id: created.key.id, key: created.secret });
  }
  process.on('message', async (message: { cmd: string; count?: number; spacingMs?: number; id?: string }) => {
    if (message.cmd === 'memory') send({ cmd: 'memory', ...memory() });
    if (message.cmd === 'publish') {
      await publishAll(message.count!, message.spacingMs!, (data) => keygate.publish(CHANNEL, data));
      send({ cmd: 'published' });
    }
    if (message.cmd === 'revoke') {
      const t = now();
      await keygate.keys.revoke(principal, message.id!);
      const stored = now();
      // When this node had ended every session of the key (close frames handed to the sockets).
      const { hub } = keygate.realtime.context;
      while (hub.hasSessions(message.id!)) await new Promise((resolve) => setImmediate(resolve));
      send({ cmd: 'revoked', id: message.id, t, stored, ended: now() });
    }
    if (message.cmd === 'stop') {
      await keygate.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  send({ cmd: 'ready', url: url.replace(/^http/, 'ws') + '/connection/websocket', key: bulk.secret, channel: CHANNEL, revocable, victims, ...memory() });
}

async function runBare(): Promise<void> {
  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as { port: number }).port;
  let offset = 0;
  process.on('message', async (message: { cmd: string; count?: number; spacingMs?: number }) => {
    if (message.cmd === 'memory') send({ cmd: 'memory', ...memory() });
    if (message.cmd === 'publish') {
      await publishAll(message.count!, message.spacingMs!, (data) => {
        const frame = Buffer.from(JSON.stringify({ push: { channel: CHANNEL, pub: { data, offset: ++offset } } }));
        for (const ws of clients) ws.send(frame, { binary: false });
      });
      send({ cmd: 'published' });
    }
    if (message.cmd === 'close-first') {
      // The baseline for revoking a key's sessions: close frames to the first `count` sockets, nothing else.
      const t = now();
      let left = message.count!;
      for (const ws of clients) {
        if (left-- === 0) break;
        ws.close(4000, 'revoked');
      }
      send({ cmd: 'closed-first', t, ended: now() });
    }
    if (message.cmd === 'stop') {
      for (const ws of clients) ws.terminate();
      wss.close();
      process.exit(0);
    }
  });
  send({ cmd: 'ready', url: `ws://127.0.0.1:${port}/`, ...memory() });
}

async function runSocketIo(): Promise<void> {
  const http = createServer();
  const io = new SocketIoServer(http, { transports: ['websocket'], perMessageDeflate: false, httpCompression: false, serveClient: false });
  io.on('connection', (socket) => void socket.join(CHANNEL));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  let offset = 0;
  process.on('message', async (message: { cmd: string; count?: number; spacingMs?: number }) => {
    if (message.cmd === 'memory') send({ cmd: 'memory', ...memory() });
    if (message.cmd === 'publish') {
      await publishAll(message.count!, message.spacingMs!, (data) => void io.to(CHANNEL).emit('pub', { channel: CHANNEL, data, offset: ++offset }));
      send({ cmd: 'published' });
    }
    if (message.cmd === 'stop') {
      io.disconnectSockets(true);
      http.closeAllConnections();
      process.exit(0);
    }
  });
  send({ cmd: 'ready', url: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, httpUrl: `http://127.0.0.1:${port}`, ...memory() });
}

const [role, ...numbers] = process.argv.slice(2);
if (role === 'keygate') await runKeygate(...(numbers.map(Number) as [number, number, number, number]));
else if (role === 'socketio') await runSocketIo();
else await runBare();
