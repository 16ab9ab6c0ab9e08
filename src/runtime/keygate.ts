import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KEY_EVENTS_TOPIC, type Broker, type KeyEvent } from '../bus/broker.ts';
import { openBroker } from '../bus/open-broker.ts';
import type { Config } from '../config/config-schema.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { randomIds, type IdSource } from '../core/ids.ts';
import { SecretBox } from '../core/secret-box.ts';
import { buildHttpApp } from '../http/app.ts';
import { registeredSchemes } from '../schemes/registry.ts';
import type { CredentialScheme } from '../schemes/credential-scheme.ts';
import { AuditTrail } from '../service/audit-trail.ts';
import { DirectoryService } from '../service/directory-service.ts';
import { KeyService } from '../service/key-service.ts';
import { TokenService } from '../service/token-service.ts';
import { WalletKeyService } from '../service/wallet-key-service.ts';
import { openStore, type Store } from '../store/store.ts';
import { RealtimeGateway } from '../realtime/realtime-gateway.ts';
import { createVerifierCaches } from '../verify/caches.ts';
import { LastUsedRecorder } from '../verify/last-used-recorder.ts';
import { FailureThrottle } from '../verify/failure-throttle.ts';
import { Verifier } from '../verify/verifier.ts';
import { bootstrapSecrets } from './bootstrap-secrets.ts';
import { createLogger } from './logger.ts';

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
  readonly http: FastifyInstance;
  /** The real-time gateway: Centrifuge and feed WebSockets, hub, history, key watch. */
  readonly realtime: RealtimeGateway;
  /** Publishes into a real-time channel on every node (the demo publisher and back ends use it). */
  publish(channel: string, data: unknown): Promise<void>;
  /** Hooks other parts register to run at shutdown (realtime hub, demo publisher). */
  readonly onClose: Array<() => Promise<void> | void>;
  /** Listens on the configured host and port; resolves with the base URL. */
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
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const logger = options.logger ?? createLogger(config.logLevel);
  const { masterKey, serverToken } = bootstrapSecrets({ dataDir: config.dataDir, masterKey: config.masterKey, serverToken: config.serverToken, logger });
  const secrets = new SecretBox(masterKey);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: (error) => logger.warn({ err: error }, 'a pooled database connection was closed by the server; it will be replaced'),
  });
  const broker = await openBroker({ redisUrl: config.redisUrl, prefix: options.brokerPrefix, clock }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const schemes = registeredSchemes(config);
  const audit = new AuditTrail(store.audit, clock, ids);
  const lastUsed = new LastUsedRecorder({
    write: (entries) => store.keys.touchLastUsed(entries),
    flushEveryMs: config.verify.lastUsedFlushMs,
    onError: (error) => logger.error({ err: error }, 'could not record last-used times'),
  });
  const throttle = new FailureThrottle(broker, config.verify.failuresPerMinutePerIp);
  const verifier = new Verifier({
    schemes,
    keys: store.keys,
    broker,
    caches: createVerifierCaches(config.verify),
    clock,
    secrets,
    lastUsed,
    throttle,
    settings: config.verify,
    tiers: config.keys.tiers,
  });
  const keys = new KeyService({ store, broker, clock, ids, secrets, audit, schemes, settings: config.keys });
  const directory = new DirectoryService(store, clock, ids, { tier: config.keys.defaultTier });
  const tokens = new TokenService(store, clock, ids);
  const walletKeys = new WalletKeyService({
    keys,
    keyStore: store.keys,
    directory,
    audit,
    clock,
    throttle,
    settings: config.wallets,
  });
  const onClose: Array<() => Promise<void> | void> = [];

  const realtime = await RealtimeGateway.start({ config, broker, verifier, store, secrets, clock, ids, logger });
  // One subscriber per node for key events, in a fixed order: drop the verifier's cached copy, then
  // re-check the live sessions of that key against the fresh one.
  const unsubscribe = await broker.subscribe(KEY_EVENTS_TOPIC, (message) => {
    verifier.onKeyEvent(message as KeyEvent);
    realtime.context.keyWatch.onKeyEvent(message as KeyEvent);
  });
  const publish = async (channel: string, data: unknown) => void (await realtime.publish(channel, data));
  onClose.push(() => realtime.close());
  const partial = { config, logger, clock, ids, store, broker, secrets, serverToken, schemes, verifier, throttle, lastUsed, keys, directory, tokens, walletKeys, audit, onClose, realtime, publish };
  const http = await buildHttpApp(partial);
  realtime.attach(http.server);
  let closed = false;
  const keygate: Keygate = {
    ...partial,
    http,
    async listen() {
      const address = await http.listen({ host: config.host, port: config.port });
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const hook of onClose.splice(0).reverse()) await hook();
      await http.close();
      await lastUsed.stop();
      await unsubscribe();
      await broker.close();
      await store.close();
    },
  };
  return keygate;
}

/** The parts of a Keygate node the HTTP app is built from. */
export type KeygateParts = Omit<Keygate, 'http' | 'listen' | 'close'>;
