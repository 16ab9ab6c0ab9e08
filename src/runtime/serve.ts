import { loadConfig } from '../config/load-config.ts';
import { describeProxyTrust } from '../config/proxy-trust.ts';
import { isBackendUnavailable } from '../core/backend-unavailable.ts';
import { startDemoPublisher } from '../demo/demo-publisher.ts';
import { seedDemo, DEMO_MEMBER_WALLET, DEMO_WALLET } from '../demo/demo-seed.ts';
import { createKeygate } from './keygate.ts';
import { StartupError } from '../cli/cli-error.ts';
import { optionalInt, parseCommand } from '../cli/command-options.ts';
import type { Io } from '../cli/run-cli.ts';
import { maintenanceChannel } from '../core/channel-names.ts';


/** `keygate serve`: starts a node; with --demo, seeds demo data and prints a working admin credential. */
export async function serve(args: string[], file: string | null, io: Io): Promise<number> {
  const { values } = parseCommand(args, { demo: { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' } });
  const overrides: Record<string, unknown> = {};
  const port = optionalInt(values, 'port');
  if (port !== undefined) overrides.port = port;
  if (values.host) overrides.host = values.host;
  if (values.demo) overrides.demo = true;
  const config = loadConfig({ file, overrides });
  const keygate = await createKeygate({ config });
  let url: string;
  try {
    url = await keygate.listen();
  } catch (error) {
    await keygate.close().catch(() => {});
    throw listenError(error, config.host, config.port);
  }
  const base = config.publicUrl ?? url;

  const lines = [
    '',
    `Keygate is running on ${base}  (store: ${keygate.store.dialect}, bus: ${keygate.broker.kind})`,
    `  console        ${base}/`,
    `  API docs       ${base}/docs`,
    `  Centrifuge WS  ${base.replace(/^http/, 'ws')}/connection/websocket  (also /e/v1/ws)`,
    `  listing feed   ${base.replace(/^http/, 'ws')}/  (X-API-Key header; spec 002 feed)`,
    `  forward-auth   ${base}/v1/auth  (nginx: /v1/auth/nginx, Traefik: /v1/auth/traefik, Envoy: /v1/auth/envoy)`,
    // Where wallet sign-in is accepted, and whose forwarded addresses are believed: both safe by default, both worth knowing.
    keygate.consoleOrigins.configured
      ? `  console sign-in ${keygate.consoleOrigins.origins.join(', ')}`
      : `  console sign-in ${keygate.consoleOrigins.origins.join(', ')}  (from the listening address; set console.origins or KEYGATE_CONSOLE_ORIGINS to the address users open)`,
    `  trusted proxies ${describeProxyTrust(config.trustProxy)}  (trustProxy, KEYGATE_TRUST_PROXY)`,
  ];
  if (config.demo) {
    const seed = await seedDemo(keygate);
    if (seed.created) {
      lines.push(
        '',
        'Demo data created (organization "Demo Trading", users demo-admin and demo-member).',
        `  admin token    ${seed.adminToken}`,
        `  demo API key   ${seed.demoKey}`,
        `  demo wallet    ${DEMO_WALLET}  (channel ${maintenanceChannel(DEMO_WALLET)})`,
        "                 Hardhat's first account: its private key is public, so it signs in only from this machine",
        '  These secrets are shown once; they are stored only as hashes.',
        `  try: curl -H "Authorization: Bearer ${seed.adminToken}" ${base}/v1/keys`,
      );
    } else {
      lines.push(
        '',
        'Demo data already exists. For a new admin token run:',
        `  npm run keygate -- token create --user demo-admin --org "Demo Trading"`,
      );
    }
  }
  if (config.demo) {
    // Live data for the demo wallets and exchanges, so the printed key shows something at once.
    const publisher = startDemoPublisher({
      publish: (channel, data) => keygate.publish(channel, data),
      wallets: [DEMO_WALLET, DEMO_MEMBER_WALLET],
      clock: keygate.clock,
      // A bus outage is logged once by the bus; only other failures are worth a line per round.
      onError: (error) => isBackendUnavailable(error) || keygate.logger.warn({ err: error }, 'demo publisher round failed'),
    });
    keygate.onClose.push(() => publisher.stop());
    await publisher.tick();
    lines.push('  live demo data maintenance updates every 2 s, listing announcements every 15 s');
  }
  lines.push(`  server token   in ${config.serverToken ? 'KEYGATE_SERVER_TOKEN' : config.dataDir + '/server-token'} (verify API and server API)`, '');
  io.out(lines.join('\n'));

  const stop = async (signal: string) => {
    keygate.logger.info({ signal }, 'shutting down');
    await keygate.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return 0;
}

/** Says why the server could not listen, naming the address and the settings that choose it. */
function listenError(error: unknown, host: string, port: number): unknown {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new StartupError(`cannot listen on ${address}: the port is already in use; stop the other process or choose another port (--port, KEYGATE_PORT)`, { cause: error });
    case 'EACCES':
      return new StartupError(`cannot listen on ${address}: permission denied (ports below 1024 need privileges); choose another port (--port, KEYGATE_PORT)`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new StartupError(`cannot listen on ${address}: ${host} is not an address of this machine (--host, KEYGATE_HOST)`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on ${address}: host ${host} not found (--host, KEYGATE_HOST)`, { cause: error });
    default:
      return error;
  }
}
