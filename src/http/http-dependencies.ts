import type { Logger } from 'pino';
import type { StreamPosition, StreamState } from '../bus/broker.ts';
import type { DisconnectFilter } from '../bus/topics.ts';
import type { Config } from '../config/config-schema.ts';
import type { ProxyTrust } from '../config/proxy-trust.ts';
import type { BackendHealth } from '../core/backend-health.ts';
import type { Clock } from '../core/clock.ts';
import type { MetricsScrape } from '../core/metrics.ts';
import type { AuditTrail } from '../service/audit-trail.ts';
import type { ConsoleSessionService } from '../service/console-sessions.ts';
import type { DirectoryService } from '../service/directory-service.ts';
import type { KeyService } from '../service/key-service.ts';
import type { Readiness } from '../service/readiness.ts';
import type { SiweSignIn } from '../service/siwe-sign-in.ts';
import type { TokenService } from '../service/token-service.ts';
import type { WalletKeyService } from '../service/wallet-key-service.ts';
import type { ServerCredential } from './server-auth.ts';
import type { FailureThrottle } from '../verify/failure-throttle.ts';
import type { Verifier } from '../verify/verifier.ts';

/** What the server API asks of the real-time gateway (publish, presence, history, disconnects, connection tokens). */
export interface RealtimeApi {
  publish(channel: string, data: unknown): Promise<StreamPosition>;
  presence(channel: string): Promise<{ presence: Record<string, { client: string; user: string }> }>;
  presenceStats(channel: string): Promise<{ num_clients: number; num_users: number }>;
  history(channel: string, options: { limit?: number; reverse?: boolean; since?: { offset: number; epoch?: string } }): Promise<StreamState>;
  disconnect(filter: DisconnectFilter): Promise<void>;
  /** A connection token for a key whose requests are signed, valid until `expiresAt` at the latest. */
  mintConnectionToken(keyId: string, expiresAt: number): { token: string; expiresAt: number };
}

/**
 * What the HTTP adapter is built from: settings and the services its routes call. Route modules take
 * the few members they use (a `Pick` of this), never the store or the whole node.
 */
export interface HttpDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Which peers may report the client address: the compiled `trustProxy`, the one WebSocket handshakes use too. */
  readonly proxyTrust: ProxyTrust;
  /** Checks the credential of the verify API and the server API (throttled and audited failures). */
  readonly serverCredential: ServerCredential;
  readonly verifier: Pick<Verifier, 'verify' | 'verifyNow'>;
  /** Per-IP budget of failed credential attempts, shared by every sign-in surface. */
  readonly throttle: FailureThrottle;
  readonly keys: KeyService;
  readonly directory: DirectoryService;
  readonly tokens: TokenService;
  readonly walletKeys: WalletKeyService;
  readonly audit: AuditTrail;
  readonly consoleSessions: ConsoleSessionService;
  readonly siwe: SiweSignIn;
  readonly realtime: RealtimeApi;
  /** GET /readyz: whether the store and the bus answer. */
  readonly readiness: Pick<Readiness, 'check'>;
  /** Where a route's store failures are reported (one log line per outage). */
  readonly storeHealth: BackendHealth;
  /** GET /metrics: the node's metrics in the Prometheus text format. */
  readonly metrics: MetricsScrape;
}
