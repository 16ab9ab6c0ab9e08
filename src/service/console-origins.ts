import type { NetworkInterfaceInfo } from 'node:os';

/** The address a node's HTTP server is bound to, as `server.address()` reports it. */
export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

const LOOPBACK_FORMS = ['127.0.0.1', 'localhost', '[::1]'];

function hostOf(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === 'localhost' || address === '::ffff:127.0.0.1';
}

/**
 * The origins a browser can reach a node at, from the address it is bound to: a loopback bind in its
 * 127.0.0.1, localhost and [::1] forms; a wildcard bind (0.0.0.0, ::) at each interface address and
 * localhost; any other address as itself. Plain http: Keygate does not terminate TLS.
 */
export function originsForBoundAddress(bound: BoundAddress, interfaces: Record<string, NetworkInterfaceInfo[] | undefined>): string[] {
  const hosts = new Set<string>();
  if (bound.address === '0.0.0.0' || bound.address === '::') {
    for (const info of Object.values(interfaces).flat()) {
      if (!info || (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80:'))) continue;
      if (bound.address === '0.0.0.0' && info.family !== 'IPv4') continue;
      hosts.add(hostOf(info.address));
    }
    LOOPBACK_FORMS.forEach((host) => hosts.add(host));
  } else if (isLoopback(bound.address)) {
    hosts.add(hostOf(bound.address.replace(/^::ffff:/, '')));
    LOOPBACK_FORMS.forEach((host) => hosts.add(host));
  } else {
    hosts.add(hostOf(bound.address));
  }
  return [...hosts].map((host) => `http://${host}:${bound.port}`);
}

/**
 * Where the web console is served, the one source of the EIP-4361 `domain` and `uri` a wallet
 * sign-in may name. Request headers (Host, X-Forwarded-Host) never count: a page on another site
 * could otherwise relay a signature its visitor made for that site. Configured origins
 * (`console.origins`, else `publicUrl`) win; without them the node derives them from the address it
 * listens on, and says so at start-up.
 */
export class ConsoleOrigins {
  #origins: readonly string[];
  #domains: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #configured: boolean;

  constructor(configured: readonly string[]) {
    this.#configured = configured.length > 0;
    this.#origins = [];
    this.#domains = new Map();
    this.#set(configured);
  }

  /** True when the origins come from configuration rather than the listening address. */
  get configured(): boolean {
    return this.#configured;
  }

  /** The accepted origins, the preferred one first; empty until the node listens, when none is configured. */
  get origins(): readonly string[] {
    return this.#origins;
  }

  /** The EIP-4361 domains (host[:port]) of the accepted origins, the preferred one first. */
  get domains(): string[] {
    return [...this.#domains.keys()];
  }

  /** Derives the origins from the address the node listens on, unless they are configured. */
  useBoundAddress(bound: BoundAddress, interfaces: Record<string, NetworkInterfaceInfo[] | undefined>): void {
    if (!this.#configured) this.#set(originsForBoundAddress(bound, interfaces));
  }

  /** True when a sign-in message's `domain` and `uri` both name one accepted origin. */
  accepts(domain: string, uri: string | undefined): boolean {
    const origins = this.#domains.get(domain.toLowerCase());
    if (!origins || uri === undefined) return false;
    let origin: string;
    try {
      origin = new URL(uri).origin;
    } catch {
      return false;
    }
    return origins.has(origin);
  }

  #set(origins: readonly string[]): void {
    const domains = new Map<string, Set<string>>();
    for (const origin of origins) {
      const host = new URL(origin).host;
      domains.set(host, (domains.get(host) ?? new Set()).add(origin));
    }
    this.#origins = [...origins];
    this.#domains = domains;
  }
}
