import { Type, type Static } from '@sinclair/typebox';
import { IDENTITY_HEADER_NAMES } from '../core/identity-headers.ts';
import { MAX_TOKEN_TTL_DAYS } from '../core/token-lifetime.ts';

const Tier = Type.Union([Type.Literal('basic'), Type.Literal('premium'), Type.Literal('enterprise')]);

// Every nested object rejects unknown settings too, so a misspelt setting fails loudly at start.
const strict = { additionalProperties: false } as const;

/** Header names a signed-request scheme reads (lowercase or any case; HTTP header names are case-insensitive). */
const SignedHeaders = Type.Object(
  {
    key: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9-]+$' }),
    timestamp: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9-]+$' }),
    signature: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9-]+$' }),
  },
  strict,
);

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
    /**
     * Peers whose X-Forwarded-For / X-Real-IP are believed: addresses, CIDR ranges or loopback,
     * linklocal, uniquelocal (a comma-separated string or a list); false for none, true for every peer.
     * Checked and compiled by compileProxyTrust (proxy-trust.ts).
     */
    trustProxy: Type.Union([Type.Boolean(), Type.String(), Type.Array(Type.String())]),
    forwardAuth: Type.Object({
      /**
       * Whose headers GET /v1/auth reads for the original request: nginx (X-Original-URI/-Method),
       * traefik (X-Forwarded-Uri/-Method) or none (the request itself). /v1/auth/nginx, /v1/auth/traefik
       * and /v1/auth/envoy/* always read their own proxy's.
       */
      proxy: Type.Union([Type.Literal('nginx'), Type.Literal('traefik'), Type.Literal('none')]),
      /** Identity headers a 200 carries (fewer headers, smaller answers). */
      identityHeaders: Type.Array(Type.Union(IDENTITY_HEADER_NAMES.map((name) => Type.Literal(name))), { uniqueItems: true }),
    }, strict),
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
      /** How old a signed request's timestamp may be (at most a day). */
      signatureWindowMs: Type.Integer({ minimum: 1000, maximum: 86_400_000 }),
      /**
       * How far ahead of the server's clock a signed request's timestamp may be (at most signatureWindowMs).
       * Small, as trading venues keep it (Binance and Bybit allow 1 s): after the replay store restarts
       * empty, a request timestamped less than this after the restart may have been used before it.
       */
      signatureFutureMs: Type.Integer({ minimum: 0 }),
    }, strict),
    /** Header names of the signed-request schemes (spec 001 HMAC, spec 004 RSA-PSS, spec 003 Ed25519). */
    signing: Type.Object({ hmac: SignedHeaders, rsa: SignedHeaders, ed25519: SignedHeaders }, strict),
    /** Wallet-registered keys (spec 003). */
    wallets: Type.Object({
      /** Organization that receives a member user for a wallet Keygate does not know yet (created on demand). */
      organizationName: Type.String({ minLength: 1, maxLength: 100 }),
      /** Permissions a wallet-registered key carries. */
      keyPermissions: Type.Array(Type.String({ minLength: 1 })),
    }, strict),
    realtime: Type.Object({
      pingIntervalSeconds: Type.Integer({ minimum: 1 }),
      historySize: Type.Integer({ minimum: 0 }),
      historyTtlSeconds: Type.Integer({ minimum: 1 }),
      /** How long a node's connection-count entries live without a heartbeat. */
      presenceTtlSeconds: Type.Integer({ minimum: 3 }),
      /** Permission a key needs to subscribe to maintenance:wallet:{address} (spec 000). */
      walletChannelPermission: Type.String({ minLength: 1 }),
      /** Channel namespaces clients may publish into (maintenance:wallet, listings); none by default. */
      clientPublishNamespaces: Type.Array(Type.Union([Type.Literal('maintenance:wallet'), Type.Literal('listings')])),
      /** Lifetime of connection tokens minted for signed-scheme keys (POST /v1/realtime/token). */
      connectionTokenTtlSeconds: Type.Integer({ minimum: 10 }),
      /** A Centrifuge socket must send connect within this long after its handshake. */
      connectTimeoutSeconds: Type.Integer({ minimum: 1 }),
      /** WebSocket sockets one client address may hold before they authenticate (Centrifuge before connect, feed during its handshake). */
      maxPendingConnectionsPerAddress: Type.Integer({ minimum: 1 }),
      /** Such sockets this node holds in total. */
      maxPendingConnections: Type.Integer({ minimum: 1 }),
      /** Channels one Centrifuge connection may subscribe to (error 106 beyond). */
      maxSubscriptionsPerConnection: Type.Integer({ minimum: 1 }),
    }, strict),
    console: Type.Object({
      /** How long a console sign-in lasts. */
      sessionTtlSeconds: Type.Integer({ minimum: 60 }),
      /** How long a Sign-In with Ethereum nonce may wait for its signature. */
      nonceTtlSeconds: Type.Integer({ minimum: 10 }),
      /** Folder of the built console (index.html + assets); null = web/dist of this checkout. */
      distDir: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
      /**
       * Origins (scheme://host[:port]) users open the console at; Sign-In with Ethereum accepts messages
       * for these only. Empty: publicUrl's origin, else the address the node listens on.
       */
      origins: Type.Array(Type.String({ minLength: 1 })),
    }, strict),
    /** Management (Bearer) tokens. */
    tokens: Type.Object({
      /** Lifetime of a new token unless its creator chooses one; null: tokens never expire. */
      defaultTtlDays: Type.Union([Type.Integer({ minimum: 1, maximum: MAX_TOKEN_TTL_DAYS }), Type.Null()]),
    }, strict),
    /** GET /metrics (Prometheus). */
    metrics: Type.Object({
      /** When set, a scrape must send `Authorization: Bearer <token>`; null: /metrics is open (keep it off the public network). */
      token: Type.Union([Type.String({ minLength: 16 }), Type.Null()]),
    }, strict),
    demo: Type.Boolean(),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type TierName = Static<typeof Tier>;
