import type { Config } from '../config/config-schema.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { randomIds, type IdSource } from '../core/ids.ts';
import { SecretBox } from '../core/secret-box.ts';
import type { CredentialScheme } from '../schemes/credential-scheme.ts';
import { registeredSchemes } from '../schemes/registry.ts';
import { AuditTrail } from '../service/audit-trail.ts';
import { DirectoryService } from '../service/directory-service.ts';
import type { KeyEventSink } from '../service/key-events.ts';
import { KeyService, type KeyServiceDependencies } from '../service/key-service.ts';
import { TokenService } from '../service/token-service.ts';
import { openStore, type Store } from '../store/store.ts';
import { bootstrapSecrets } from './bootstrap-secrets.ts';
import { createLogger } from './logger.ts';

/** The store-backed services that manage organizations, users, tokens and keys. */
export interface ManagementServices {
  readonly keys: KeyService;
  readonly directory: DirectoryService;
  readonly tokens: TokenService;
}

/** What the management services are built from; a node and the CLI supply the same pieces. */
export interface ManagementServiceDependencies {
  readonly config: Config;
  readonly store: Store;
  /** Where committed key events go once the transaction that wrote them has committed. */
  readonly events: KeyEventSink;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly secrets: SecretBox;
  readonly schemes: readonly CredentialScheme[];
  readonly audit: AuditTrail;
  /** A node's failure budget, counting each user's refused key management attempts; the CLI passes none. */
  readonly refusals?: KeyServiceDependencies['refusals'];
}

/** Builds the management services the same way for a running node and for the CLI. */
export function createManagementServices(deps: ManagementServiceDependencies): ManagementServices {
  const { config, store, events, clock, ids, secrets, schemes, audit, refusals } = deps;
  const keys = new KeyService({ store, events, clock, ids, secrets, audit, schemes, settings: config.keys, refusals });
  const directory = new DirectoryService(store, clock, ids, { tier: config.keys.defaultTier }, events);
  const ttlDays = config.tokens.defaultTtlDays;
  const tokens = new TokenService({ store, clock, ids, audit, defaultTtlMs: ttlDays === null ? null : ttlDays * 86_400_000 });
  return { keys, directory, tokens };
}

/**
 * Opens the store and the management services alone, for the CLI: no HTTP app, real-time gateway,
 * bus or key-event follower, so a command starts in a fraction of a node's time. Its key events
 * reach running nodes through the durable log they follow, so nothing needs announcing here.
 */
export async function openManagementServices(config: Config): Promise<ManagementServices & { readonly store: Store; readonly clock: Clock }> {
  const logger = createLogger(config.logLevel);
  const { masterKey } = bootstrapSecrets({ dataDir: config.dataDir, masterKey: config.masterKey, serverToken: config.serverToken, logger });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const services = createManagementServices({
    config,
    store,
    events: { committed: () => undefined },
    clock: systemClock,
    ids: randomIds,
    secrets: new SecretBox(masterKey),
    schemes: registeredSchemes(config),
    audit: new AuditTrail(store.audit, systemClock, randomIds),
  });
  return { ...services, store, clock: systemClock };
}
