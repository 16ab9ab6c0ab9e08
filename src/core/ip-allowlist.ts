import { BlockList, isIP } from 'node:net';
import { badInput } from './errors.ts';

/** A parsed IP allowlist; empty means every address is allowed. */
export interface IpAllowlist {
  readonly entries: readonly string[];
  allows(ip: string | undefined): boolean;
}

function normaliseIp(ip: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  let address = ip.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  // IPv4-mapped IPv6 (::ffff:1.2.3.4) is how dual-stack sockets report IPv4 peers.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  const version = isIP(address);
  if (version === 4) return { address, family: 'ipv4' };
  if (version === 6) return { address, family: 'ipv6' };
  return null;
}

/** Validates one allowlist entry (address or CIDR); returns its canonical text or null. */
export function parseAllowlistEntry(entry: string): { address: string; family: 'ipv4' | 'ipv6'; prefix: number | null } | null {
  if (typeof entry !== 'string') return null;
  const [addressPart, prefixPart, ...rest] = entry.trim().split('/');
  if (rest.length > 0) return null;
  const ip = normaliseIp(addressPart ?? '');
  if (!ip) return null;
  if (prefixPart === undefined) return { ...ip, prefix: null };
  if (!/^\d{1,3}$/.test(prefixPart)) return null;
  const prefix = Number(prefixPart);
  if (prefix > (ip.family === 'ipv4' ? 32 : 128)) return null;
  return { ...ip, prefix };
}

/** Checks and canonicalises a list of entries, naming the first bad one. */
export function validateAllowlist(entries: readonly unknown[], field = 'ipAllowlist'): string[] {
  return entries.map((entry, index) => {
    const parsed = typeof entry === 'string' ? parseAllowlistEntry(entry) : null;
    if (!parsed) {
      const problem = `${field}[${index}] is not an IPv4/IPv6 address or CIDR range`;
      throw badInput(field, `${problem}: ${JSON.stringify(entry)}`, problem);
    }
    return parsed.prefix === null ? parsed.address : `${parsed.address}/${parsed.prefix}`;
  });
}

/** Builds a matcher over validated entries using node's BlockList (CIDR-aware, both families). */
export function compileAllowlist(entries: readonly string[]): IpAllowlist {
  if (entries.length === 0) return { entries, allows: () => true };
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseAllowlistEntry(entry);
    if (!parsed) continue;
    if (parsed.prefix === null) list.addAddress(parsed.address, parsed.family);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return {
    entries,
    allows(ip) {
      if (!ip) return false;
      const parsed = normaliseIp(ip);
      if (!parsed) return false;
      return list.check(parsed.address, parsed.family);
    },
  };
}
