import { ConfigError } from './config-error.ts';

/**
 * Reads one console origin (`scheme://host[:port]`, as a browser's `location.origin` shows it) and
 * returns it normalised; anything with a path, query, credentials or another scheme is a ConfigError
 * naming the setting.
 */
export function parseConsoleOrigin(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`invalid setting ${setting}: ${JSON.stringify(value)} is not a URL; write an origin such as https://keys.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`invalid setting ${setting}: ${JSON.stringify(value)} must start with https:// or http://`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new ConfigError(`invalid setting ${setting}: ${JSON.stringify(value)} must be an origin only (scheme://host[:port]), no path, query or credentials`);
  }
  return url.origin;
}

/**
 * The origins the console's Sign-In with Ethereum accepts by configuration: `console.origins`, else
 * the origin of `publicUrl`; an empty list means none is configured (the node derives them from the
 * address it listens on).
 */
export function configuredConsoleOrigins(config: { publicUrl: string | null; console: { origins: readonly string[] } }): string[] {
  if (config.console.origins.length > 0) return [...new Set(config.console.origins.map((o, i) => parseConsoleOrigin(o, `console.origins[${i}]`)))];
  if (config.publicUrl !== null) {
    let url: URL;
    try {
      url = new URL(config.publicUrl);
    } catch {
      throw new ConfigError(`invalid setting publicUrl: ${JSON.stringify(config.publicUrl)} is not a URL (e.g. https://keys.example.com)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`invalid setting publicUrl: ${JSON.stringify(config.publicUrl)} must start with https:// or http://`);
    return [url.origin];
  }
  return [];
}
