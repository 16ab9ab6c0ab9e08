import { IDENTITY_HEADER_NAMES } from '../core/identity-headers.ts';
import { DEFAULT_PERMISSIONS } from '../core/permissions.ts';
import type { Config } from './config-schema.ts';
import { DEFAULT_TRUST_PROXY } from './proxy-trust.ts';

/** Settings used when neither the environment nor a config file says otherwise. */
export function defaultConfig(): Config {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: './data',
    databaseUrl: null,
    redisUrl: null,
    masterKey: null,
    serverToken: null,
    publicUrl: null,
    logLevel: 'info',
    // Proxies on this machine only: a client that reaches Keygate directly cannot choose its address.
    trustProxy: DEFAULT_TRUST_PROXY,
    forwardAuth: {
      proxy: 'nginx',
      identityHeaders: [...IDENTITY_HEADER_NAMES],
    },
    keys: {
      opaquePrefix: 'dsk_',
      maxKeysPerUser: { opaque: null, hmac: 3, rsa: null, ed25519: null },
      permissions: DEFAULT_PERMISSIONS.map((p) => ({ ...p })),
      defaultTier: 'basic',
      tiers: {
        basic: { maxConnections: 2, requestsPerMinute: null },
        premium: { maxConnections: 10, requestsPerMinute: null },
        enterprise: { maxConnections: 100, requestsPerMinute: null },
      },
      maxRollGraceSeconds: 7 * 24 * 3600,
    },
    verify: {
      negativeCacheTtlMs: 30_000,
      negativeCacheSize: 100_000,
      positiveCacheTtlMs: 60_000,
      positiveCacheSize: 100_000,
      failuresPerMinutePerIp: 60,
      lastUsedFlushMs: 5_000,
      signatureWindowMs: 30_000,
      signatureFutureMs: 1_000,
    },
    signing: {
      hmac: { key: 'API-Key', timestamp: 'API-Timestamp', signature: 'API-Signature' },
      rsa: { key: 'KALSHI-ACCESS-KEY', timestamp: 'KALSHI-ACCESS-TIMESTAMP', signature: 'KALSHI-ACCESS-SIGNATURE' },
      ed25519: { key: 'X-API-Key', timestamp: 'X-Timestamp', signature: 'X-Signature' },
    },
    wallets: {
      organizationName: 'Wallet Accounts',
      keyPermissions: ['read', 'write'],
    },
    realtime: {
      pingIntervalSeconds: 25,
      historySize: 100,
      historyTtlSeconds: 300,
      presenceTtlSeconds: 30,
      walletChannelPermission: 'read',
      clientPublishNamespaces: [],
      connectionTokenTtlSeconds: 300,
      connectTimeoutSeconds: 10,
      maxPendingConnectionsPerAddress: 1000,
      maxPendingConnections: 10000,
      maxSubscriptionsPerConnection: 128,
    },
    console: {
      sessionTtlSeconds: 8 * 3600,
      nonceTtlSeconds: 300,
      distDir: null,
      origins: [],
    },
    tokens: {
      defaultTtlDays: 90,
    },
    metrics: {
      token: null,
    },
    demo: false,
  };
}
