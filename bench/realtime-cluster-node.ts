// Child process of bench/realtime-cluster.bench.ts: one Keygate node. All nodes of a cluster share
// the database, Redis (under one prefix), the master key and the server token, as a deployment would.
// Node 0 also seeds the keys and makes the revocations, timing each from just before its transaction.
import type { Principal } from '../src/core/principal.ts';
import { compiled } from './compiled-build.ts';

const { loadConfig } = await compiled<typeof import('../src/config/load-config.ts')>('config/load-config');
const { createKeygate } = await compiled<typeof import('../src/runtime/keygate.ts')>('runtime/keygate');

const [dataDir, databaseUrl, redisUrl, prefix, masterKey, serverToken] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

const config = loadConfig({
  env: {},
  overrides: {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    databaseUrl: databaseUrl === '-' ? null : databaseUrl,
    redisUrl: redisUrl === '-' ? null : redisUrl,
    masterKey,
    serverToken,
    logLevel: process.env.KEYGATE_LOG_LEVEL ?? 'silent',
  },
});
const keygate = await createKeygate({ config, brokerPrefix: prefix });
const url = await keygate.listen();
let principal: Principal | null = null;

process.on('message', async (message: { cmd: string; count?: number; id?: string; wallet?: string }) => {
  if (message.cmd === 'seed') {
    const organization = await keygate.directory.createOrganization(`bench-${Date.now()}`, 'admins');
    const user = await keygate.directory.createUser({ organizationId: organization.id, name: 'bench', role: 'admin', wallets: [message.wallet!] });
    principal = { user, organization, via: 'cli', ip: null };
    const keys = [];
    for (let i = 0; i < message.count!; i++) {
      const created = await keygate.keys.create(principal, { name: `revoke-${i}`, permissions: ['read'] });
      keys.push({ id: created.key.id, key: created.secret });
    }
    send({ cmd: 'seeded', keys, organizationId: organization.id });
  }
  if (message.cmd === 'revoke') {
    const t = now();
    await keygate.keys.revoke(principal!, message.id!);
    send({ cmd: 'revoked', id: message.id, t });
  }
  if (message.cmd === 'position') send({ cmd: 'position', ...keygate.keyEvents.position() });
  if (message.cmd === 'stop') {
    await keygate.close();
    process.exit(0);
  }
});
send({ cmd: 'ready', url: url.replace(/^http/, 'ws') });
