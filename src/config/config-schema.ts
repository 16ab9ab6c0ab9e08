import { Type, type Static } from '@sinclair/typebox';

const Tier = Type.Union([Type.Literal('basic'), Type.Literal('premium'), Type.Literal('enterprise')]);

// Every nested object rejects unknown settings too, so a misspelt setting fails loudly at start.
const strict = { additionalProperties: false } as const;

const TierLimits = Type.Object(
  {
    maxConnections: Type.Integer({ minimum: 1 }),
    /** Verified requests per minute per key; null means unlimited. */
    requestsPerMinute: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  },
  strict,
);

/** Every setting Keygate reads, with defaults applied by `loadConfig`. */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** Folder for the SQLite file, the generated master key and server token. */
    dataDir: Type.String({ minLength: 1 }),
    databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()]),
    redisUrl: Type.Union([Type.String({ pattern: '^rediss?://' }), Type.Null()]),
    /** 32-byte AES key, hex or base64; generated into dataDir when null. */
    masterKey: Type.Union([Type.String({ minLength: 32 }), Type.Null()]),
    /** Credential for the verify API and the server (publish) API; generated into dataDir when null. */
    serverToken: Type.Union([Type.String({ minLength: 16 }), Type.Null()]),
    publicUrl: Type.Union([Type.String(), Type.Null()]),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    /** Trust X-Forwarded-For from these proxies (true = any, as behind nginx on the same host). */
    trustProxy: Type.Union([Type.Boolean(), Type.String()]),
    keys: Type.Object({
      opaquePrefix: Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' }),
      /** Live keys one user may hold per scheme; null means no limit (spec 001 caps its UUID pairs at 3). */
      maxKeysPerUser: Type.Object({
        opaque: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        hmac: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        rsa: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        ed25519: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
      }, strict),
      permissions: Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), description: Type.String() }, strict), { minItems: 1 }),
      defaultTier: Tier,
      tiers: Type.Object({ basic: TierLimits, premium: TierLimits, enterprise: TierLimits }, strict),
      maxRollGraceSeconds: Type.Integer({ minimum: 0 }),
    }, strict),
    verify: Type.Object({
      negativeCacheTtlMs: Type.Integer({ minimum: 0 }),
      negativeCacheSize: Type.Integer({ minimum: 1 }),
      positiveCacheTtlMs: Type.Integer({ minimum: 0 }),
      positiveCacheSize: Type.Integer({ minimum: 1 }),
      /** Failed verifications one IP may make per minute before it is throttled (429). */
      failuresPerMinutePerIp: Type.Integer({ minimum: 1 }),
      lastUsedFlushMs: Type.Integer({ minimum: 10 }),
      /** Accepted clock skew for signed requests, either way. */
      signatureWindowMs: Type.Integer({ minimum: 1000 }),
    }, strict),
    realtime: Type.Object({
      pingIntervalSeconds: Type.Integer({ minimum: 1 }),
      historySize: Type.Integer({ minimum: 0 }),
      historyTtlSeconds: Type.Integer({ minimum: 1 }),
      /** How long a node's connection-count entries live without a heartbeat. */
      presenceTtlSeconds: Type.Integer({ minimum: 3 }),
    }, strict),
    demo: Type.Boolean(),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type TierName = Static<typeof Tier>;
