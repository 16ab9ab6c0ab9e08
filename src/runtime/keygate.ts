import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Broker } from '../bus/broker.ts';
import { openBroker } from '../bus/open-broker.ts';
import type { Config } from '../config/config-schema.ts';
import { configuredConsoleOrigins } from '../config/console-origins.ts';
import { compileProxyTrust, type ProxyTrust } from '../config/proxy-trust.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { BackendHealth } from '../core/backend-health.ts';
import { randomIds, type IdSource } from '../core/ids.ts';
import { SecretBox } from '../core/secret-box.ts';
import { buildHttpApp } from '../http/app.ts';
import { ServerCredential } from '../http/server-auth.ts';
import { registeredSchemes } from '../schemes/registry.ts';
import type { CredentialScheme } from '../schemes/credential-scheme.ts';
import { AuditTrail } from '../service/audit-trail.ts';
import { ConsoleOrigins } from '../service/console-origins.ts';
import { ConsoleSessionService } from '../service/console-sessions.ts';
import type { DirectoryService } from '../service/directory-service.ts';
import { KeyEventFollower } from '../service/key-event-follower.ts';
import type { KeyService } from '../service/key-service.ts';
import { Readiness } from '../service/readiness.ts';
import { SiweSignIn } from '../service/siwe-sign-in.ts';
import type { TokenService } from '../service/token-service.ts';
import { WalletKeyService } from '../service/wallet-key-service.ts';
import { openStore, type Store } from '../store/store.ts';
import { KeySweep } from '../realtime/key-sweep.ts';
import { RealtimeGateway } from '../realtime/realtime-gateway.ts';
import { createVerifierCaches } from '../verify/caches.ts';
import { LastUsedRecorder } from '../verify/last-used-recorder.ts';
import { FailureThrottle } from '../verify/failure-throttle.ts';
import { Verifier } from '../verify/verifier.ts';
import { WindowCounters } from '../verify/window-counters.ts';
import { bootstrapSecrets } from './bootstrap-secrets.ts';
import { createManagementServices } from './management-services.ts';
import { createLogger } from './logger.ts';
import { PrometheusMetrics } from './prometheus-metrics.ts';
import { pinTickObjectMap } from './tick-object-map.ts';

/** Everything a running Keygate node is made of; adapters receive this. */
export interface Keygate {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly store: Store;
  readonly broker: Broker;
  readonly secrets: SecretBox;
  readonly serverToken: string;
  /** Which peers may report the client address (the compiled `trustProxy` setting). */
  readonly proxyTrust: ProxyTrust;
  readonly schemes: readonly CredentialScheme[];
  readonly verifier: Verifier;
  /** Per-IP budget of failed credential attempts, shared by every sign-in surface. */
  readonly throttle: FailureThrottle;
  /** Batches last-used times; `flush()` writes what is pending (tests, shutdown). */
  readonly lastUsed: LastUsedRecorder;
  readonly keys: KeyService;
  readonly directory: DirectoryService;
  readonly tokens: TokenService;
  /** Wallet-signed registration and revocation of Ed25519 keys (spec 003). */
  readonly walletKeys: WalletKeyService;
  readonly audit: AuditTrail;
  /** Web console sign-ins (cookie sessions) and Sign-In with Ethereum. */
  readonly consoleSessions: ConsoleSessionService;
  /** Where the console is served: the only domains Sign-In with Ethereum accepts (configured, or the listening address). */
  readonly consoleOrigins: ConsoleOrigins;
  readonly siwe: SiweSignIn;
  readonly http: FastifyInstance;
  /** The real-time gateway: Centrifuge and feed WebSockets, hub, history, key watch. */
  readonly realtime: RealtimeGateway;
  /** Follows the durable key event log: `position()` says how far this node has applied it (metrics). */
  readonly keyEvents: KeyEventFollower;
  /** The periodic re-check of every key with live sessions on this node (the last line of defence). */
  readonly keySweep: KeySweep;
  /** Whether the store and the bus answer (GET /readyz). */
  readonly readiness: Readiness;
  /** This node's Prometheus metrics (GET /metrics). */
  readonly metrics: PrometheusMetrics;
  /** Publishes into a real-time channel on every node (the demo publisher and back ends use it). */
  publish(channel: string, data: unknown): Promise<void>;
  /** Hooks other parts register to run at shutdown (realtime hub, demo publisher). */
  readonly onClose: Array<() => Promise<void> | void>;
  /**
   * Listens on the configured host and port; resolves with the base URL. Waits first, at most
   * verify.signatureFutureMs, until signed requests made from now on can be vouched for (see replay-guard.ts).
   */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface CreateKeygateOptions {
  readonly config: Config;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly logger?: Logger;
  /** Namespace for Redis keys and channels (tests isolate runs with it). */
  readonly brokerPrefix?: string;
}

/** Wires store, broker, verifier, services and the HTTP app together. */
export async function createKeygate(options: CreateKeygateOptions): Promise<Keygate> {
  // Before Fastify's start-up, whose garbage collections could otherwise slow every later tick.
  pinTickObjectMap();
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const logger = options.logger ?? createLogger(config.logLevel);
  // Compiled once: HTTP routes, forward-auth and WebSocket handshakes read client addresses the same way.
  const proxyTrust = compileProxyTrust(config.trustProxy);
  const { masterKey, serverToken } = bootstrapSecrets({ dataDir: config.dataDir, masterKey: config.masterKey, serverToken: config.serverToken, logger });
  const secrets = new SecretBox(masterKey);
  // One health per backend, shared by everything that talks to it: one log line per outage and recovery.
  const storeHealth = new BackendHealth('store', config.databaseUrl ? 'PostgreSQL' : 'SQLite', logger);
  const busHealth = new BackendHealth('bus', 'Redis', logger);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    // The pool replaces a client the server closed; whether the database is back, the next query tells.
    onIdleError: (error) => storeHealth.failed(error),
    health: storeHealth,
  });
  const broker = await openBroker({ redisUrl: config.redisUrl, prefix: options.brokerPrefix, clock, health: busHealth }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const schemes = registeredSchemes(config);
  const metrics = new PrometheusMetrics();
  const audit = new AuditTrail(store.audit, clock, ids);
  const lastUsed = new LastUsedRecorder({
    write: (entries) => store.keys.touchLastUsed(entries),
    flushEveryMs: config.verify.lastUsedFlushMs,
    onError: (error) => storeHealth.failed(error),
    onWritten: () => storeHealth.ok(),
  });
  // Throttles and rate limits count on the bus, and on this node alone while the bus is down.
  const counters = new WindowCounters(broker, clock);
  const throttle = new FailureThrottle(counters, config.verify.failuresPerMinutePerIp);
  const verifier = new Verifier({
    schemes,
    keys: store.keys,
    owners: store.users,
    broker,
    counters,
    caches: createVerifierCaches(config.verify),
    clock,
    secrets,
    lastUsed,
    throttle,
    settings: config.verify,
    tiers: config.keys.tiers,
    metrics,
    identityHeaders: config.forwardAuth.identityHeaders,
    log: logger,
  });
  const realtime = await RealtimeGateway.start({ config, broker, verifier, secrets, clock, ids, logger, proxyTrust, metrics });
  const { keyWatch } = realtime.context;
  const keySweep = new KeySweep({ keyWatch, verifier, keys: store.keys, health: storeHealth, clock, logger });
  // One subscriber per node for key events, in a fixed order: drop the verifier's cached copy, then
  // re-check the live sessions of that key against the fresh one. Events come from the durable log
  // (this node's own commits at once, others' through LISTEN/NOTIFY or the file check, the bus, and catch-up).
  const keyEvents = await KeyEventFollower.start({
    store,
    broker,
    clock,
    logger,
    apply: (event) => {
      verifier.onKeyEvent(event);
      keyWatch.onKeyEvent(event);
    },
    resync: () => {
      verifier.forgetAll();
      void keySweep.run();
    },
  });
  keySweep.start();
  metrics.observe({
    liveSessions: () => {
      const live = { centrifuge: 0, feed: 0 };
      for (const session of realtime.context.hub.sessions()) live[session.protocol] += 1;
      return live;
    },
    keyEvents: () => keyEvents.position(),
    backends: [storeHealth, busHealth],
  });
  const { keys, directory, tokens } = createManagementServices({ config, store, events: keyEvents, clock, ids, secrets, schemes, audit, refusals: throttle });
  const walletKeys = new WalletKeyService({
    keys,
    keyStore: store.keys,
    directory,
    audit,
    clock,
    throttle,
    settings: config.wallets,
  });
  const consoleSessions = new ConsoleSessionService(store.consoleSessions, clock, config.console.sessionTtlSeconds * 1000);
  const consoleOrigins = new ConsoleOrigins(configuredConsoleOrigins(config));
  const siwe = new SiweSignIn({ nonces: store.consoleNonces, directory, clock, nonceTtlMs: config.console.nonceTtlSeconds * 1000, origins: consoleOrigins });
  const onClose: Array<() => Promise<void> | void> = [];

  const readiness = new Readiness(store, broker);
  const serverCredential = new ServerCredential({ token: serverToken, throttle, audit, clock });
  const publish = async (channel: string, data: unknown) => void (await realtime.publish(channel, data));
  onClose.push(() => realtime.close());
  const partial = {
    config, logger, clock, ids, store, broker, secrets, serverToken, serverCredential, proxyTrust, schemes, verifier, throttle, lastUsed, keys, directory, tokens, walletKeys, audit,
    consoleSessions, consoleOrigins, siwe, onClose, realtime, publish, keyEvents, keySweep, readiness, storeHealth, metrics,
  };
  const http = await buildHttpApp(partial);
  realtime.attach(http.server);
  let closed = false;
  const keygate: Keygate = {
    ...partial,
    http,
    async listen() {
      // A request timestamped less than signatureFutureMs after the replay store began cannot be
      // vouched for (it may have been used before a restart), so the node takes no traffic before then:
      // a client signing at once would be refused, and retrying at once would not help.
      const unprovableFor = Math.min(config.verify.signatureFutureMs, broker.claimsSince + config.verify.signatureFutureMs - clock.now()) + 1;
      if (unprovableFor > 1) await sleep(unprovableFor);
      const address = await http.listen({ host: config.host, port: config.port });
      // Without configured console origins, wallet sign-in accepts the address actually bound (port 0 resolved).
      consoleOrigins.useBoundAddress(http.server.address() as AddressInfo, networkInterfaces());
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const hook of onClose.splice(0).reverse()) await hook();
      await http.close();
      keySweep.stop();
      await keyEvents.stop();
      await lastUsed.stop();
      await broker.close();
      await store.close();
    },
  };
  return keygate;
}
