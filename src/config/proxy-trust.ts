import { isIP } from 'node:net';
import proxyaddr from '@fastify/proxy-addr';
import { ConfigError } from './config-error.ts';

/**
 * Whether the peer at `hop` of a request may speak for the client (X-Forwarded-For, X-Real-IP).
 * Hop 0 is the socket's peer, hop 1 the address it forwarded for, and so on: the client address is
 * the first one, walking X-Forwarded-For from the right, that this says no to.
 */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** The `trustProxy` setting as written: true (every hop), false (none), or proxy addresses and ranges. */
export type TrustProxySetting = boolean | string | readonly string[];

/** Range names proxy-addr understands, besides addresses and CIDR ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** The default: proxies on this machine only (nginx or Traefik on the same host, as the README shows). */
export const DEFAULT_TRUST_PROXY = 'loopback';

/** The entries of a `trustProxy` list ("a, b" or ["a", "b"]), or null for true/false. */
function entriesOf(setting: TrustProxySetting): string[] | null {
  if (typeof setting === 'boolean') return null;
  const list = typeof setting === 'string' ? setting.split(',') : [...setting];
  return list.map((entry) => String(entry).trim());
}

/** Why one entry is not a proxy address, CIDR range or range name; null when it is one. */
function entryProblem(entry: string): string | null {
  if (entry === '') return 'an entry is empty';
  if (RANGE_NAMES.includes(entry)) return null;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return `${JSON.stringify(entry)} is not an IP address, a CIDR range or one of ${RANGE_NAMES.join(', ')}`;
  if (slash !== -1) {
    const bits = entry.slice(slash + 1);
    const max = version === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) < 1 || Number(bits) > max) return `${JSON.stringify(entry)} has a bad prefix length (1–${max})`;
  }
  return null;
}

/**
 * Compiles the `trustProxy` setting once for every surface that reads a client address (HTTP routes
 * through Fastify, WebSocket handshakes, forward-auth's X-Real-IP), so they always agree. A value
 * that names no valid proxy is a ConfigError naming the setting, never a stack trace at start-up.
 */
export function compileProxyTrust(setting: TrustProxySetting): ProxyTrust {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  const entries = entriesOf(setting)!;
  const where = '(KEYGATE_TRUST_PROXY or the config file; e.g. loopback, 10.0.0.5, 10.0.0.0/8, or false)';
  if (entries.length === 0 || (entries.length === 1 && entries[0] === '')) {
    throw new ConfigError(`invalid setting trustProxy: names no proxy; use false to trust none ${where}`);
  }
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem) throw new ConfigError(`invalid setting trustProxy: ${problem} ${where}`);
  }
  try {
    return proxyaddr.compile(entries);
  } catch (error) {
    throw new ConfigError(`invalid setting trustProxy: ${(error as Error).message} ${where}`);
  }
}

/** Says in a few words whom a `trustProxy` setting trusts (start-up banner). */
export function describeProxyTrust(setting: TrustProxySetting): string {
  if (setting === true) return 'every peer (any client can claim any address)';
  if (setting === false) return 'none (X-Forwarded-For and X-Real-IP are ignored)';
  return entriesOf(setting)!.join(', ');
}
