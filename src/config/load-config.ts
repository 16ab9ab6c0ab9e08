import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { hidePassword } from '../core/backend-connect-error.ts';
import { ConfigError } from './config-error.ts';
import { ConfigSchema, type Config } from './config-schema.ts';
import { configuredConsoleOrigins } from './console-origins.ts';
import { defaultConfig } from './defaults.ts';
import { compileProxyTrust } from './proxy-trust.ts';

export { ConfigError };

type Env = Record<string, string | undefined>;

/** Settings whose values are credentials, with what a valid one looks like. */
const SECRET_SETTINGS: Readonly<Record<string, string>> = {
  masterKey: 'must be 32 bytes as 64 hex characters or base64',
  serverToken: 'must be at least 16 characters',
  'metrics.token': 'must be at least 16 characters',
};

type EnvKind = 'string' | 'int' | 'bool' | 'json' | 'list';

/** Environment variables and the config path each one sets. */
const ENV_SETTINGS: ReadonlyArray<[env: string, path: string, kind: EnvKind]> = [
  ['KEYGATE_HOST', 'host', 'string'],
  // PORT (what most hosts set) first, so an explicit KEYGATE_PORT wins when both are present.
  ['PORT', 'port', 'int'],
  ['KEYGATE_PORT', 'port', 'int'],
  ['KEYGATE_DATA_DIR', 'dataDir', 'string'],
  ['DATABASE_URL', 'databaseUrl', 'string'],
  ['REDIS_URL', 'redisUrl', 'string'],
  ['KEYGATE_MASTER_KEY', 'masterKey', 'string'],
  ['KEYGATE_SERVER_TOKEN', 'serverToken', 'string'],
  ['KEYGATE_PUBLIC_URL', 'publicUrl', 'string'],
  ['KEYGATE_LOG_LEVEL', 'logLevel', 'string'],
  ['KEYGATE_TRUST_PROXY', 'trustProxy', 'json'],
  ['KEYGATE_KEY_PREFIX', 'keys.opaquePrefix', 'string'],
  ['KEYGATE_MAX_UUID_KEYS_PER_USER', 'keys.maxKeysPerUser.hmac', 'json'],
  ['KEYGATE_MAX_OPAQUE_KEYS_PER_USER', 'keys.maxKeysPerUser.opaque', 'json'],
  ['KEYGATE_MAX_RSA_KEYS_PER_USER', 'keys.maxKeysPerUser.rsa', 'json'],
  ['KEYGATE_MAX_ED25519_KEYS_PER_USER', 'keys.maxKeysPerUser.ed25519', 'json'],
  ['KEYGATE_DEFAULT_TIER', 'keys.defaultTier', 'string'],
  ['KEYGATE_MAX_ROLL_GRACE_SECONDS', 'keys.maxRollGraceSeconds', 'int'],
  ['KEYGATE_POSITIVE_CACHE_TTL_MS', 'verify.positiveCacheTtlMs', 'int'],
  ['KEYGATE_LAST_USED_FLUSH_MS', 'verify.lastUsedFlushMs', 'int'],
  ['KEYGATE_PRESENCE_TTL_SECONDS', 'realtime.presenceTtlSeconds', 'int'],
  ['KEYGATE_NEGATIVE_CACHE_TTL_MS', 'verify.negativeCacheTtlMs', 'int'],
  ['KEYGATE_FAILURES_PER_MINUTE_PER_IP', 'verify.failuresPerMinutePerIp', 'int'],
  ['KEYGATE_SIGNATURE_WINDOW_MS', 'verify.signatureWindowMs', 'int'],
  ['KEYGATE_SIGNATURE_FUTURE_MS', 'verify.signatureFutureMs', 'int'],
  ['KEYGATE_WALLET_ORGANIZATION', 'wallets.organizationName', 'string'],
  ['KEYGATE_PING_INTERVAL_SECONDS', 'realtime.pingIntervalSeconds', 'int'],
  ['KEYGATE_HISTORY_SIZE', 'realtime.historySize', 'int'],
  ['KEYGATE_HISTORY_TTL_SECONDS', 'realtime.historyTtlSeconds', 'int'],
  ['KEYGATE_CONSOLE_SESSION_TTL_SECONDS', 'console.sessionTtlSeconds', 'int'],
  ['KEYGATE_CONSOLE_DIST_DIR', 'console.distDir', 'string'],
  ['KEYGATE_CONSOLE_ORIGINS', 'console.origins', 'list'],
  ['KEYGATE_FORWARD_AUTH_PROXY', 'forwardAuth.proxy', 'string'],
  ['KEYGATE_FORWARD_AUTH_IDENTITY_HEADERS', 'forwardAuth.identityHeaders', 'list'],
  ['KEYGATE_TOKEN_TTL_DAYS', 'tokens.defaultTtlDays', 'json'],
  ['KEYGATE_METRICS_TOKEN', 'metrics.token', 'string'],
  ['KEYGATE_DEMO', 'demo', 'bool'],
];

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (Array.isArray(override) || typeof override !== 'object' || override === null) return override;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return override;
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(merged[key], value);
  return merged;
}

function parseEnvValue(env: string, raw: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${env} must be a whole number, got ${JSON.stringify(raw)}`);
      return Number(raw);
    case 'bool':
      if (!/^(1|0|true|false|yes|no)$/i.test(raw)) throw new ConfigError(`${env} must be true or false, got ${JSON.stringify(raw)}`);
      return /^(1|true|yes)$/i.test(raw);
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    case 'list':
      // A JSON array, or the friendlier comma-separated form.
      if (raw.trim().startsWith('[')) {
        try {
          return JSON.parse(raw);
        } catch {
          throw new ConfigError(`${env} must be a JSON array or a comma-separated list, got ${JSON.stringify(raw)}`);
        }
      }
      return raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  }
}

/** Checks that need more than the schema: settings that must parse into something (proxies, origins). */
function checkSettings(config: Config): void {
  const { signatureWindowMs, signatureFutureMs } = config.verify;
  if (signatureFutureMs > signatureWindowMs) {
    throw new ConfigError(`invalid setting verify.signatureFutureMs: a timestamp may be at most verify.signatureWindowMs (${signatureWindowMs}) ahead, got ${signatureFutureMs}`);
  }
  compileProxyTrust(config.trustProxy);
  configuredConsoleOrigins(config);
}

/** Builds the configuration: defaults ← config file (KEYGATE_CONFIG or `file`) ← environment ← overrides. */
export function loadConfig(options: { env?: Env; file?: string | null; overrides?: Record<string, unknown> } = {}): Config {
  const env = options.env ?? process.env;
  let merged: unknown = defaultConfig();
  const file = options.file ?? env.KEYGATE_CONFIG ?? null;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new ConfigError(`cannot read config file ${file} (${code ? `${code}: ${message.split(',')[0].replace(`${code}: `, '')}` : message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
    merged = deepMerge(merged, parsed);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, path, kind] of ENV_SETTINGS) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(fromEnv, path, parseEnvValue(name, raw, kind));
  }
  merged = deepMerge(merged, fromEnv);
  if (options.overrides) merged = deepMerge(merged, options.overrides);
  const first = Value.Errors(ConfigSchema, merged).First();
  if (first) {
    const setting = first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const secret = SECRET_SETTINGS[setting];
    // A secret never reaches the terminal or a log: say what is wrong with it, not what it is.
    if (secret) throw new ConfigError(`invalid setting ${setting}: ${secret} (got ${typeof first.value === 'string' ? `${first.value.length} characters` : typeof first.value})`);
    const shown = typeof first.value === 'string' && /Url$/.test(setting) ? hidePassword(first.value) : first.value;
    throw new ConfigError(`invalid setting ${setting}: ${first.message} (got ${JSON.stringify(shown)})`);
  }
  checkSettings(merged as Config);
  return merged as Config;
}
