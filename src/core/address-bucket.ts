import ipaddr from 'ipaddr.js';

/** The IPv6 prefix one subscriber is usually given (RFC 6177): every address in it is one client. */
export const IPV6_CLIENT_PREFIX = 64;

/**
 * The name a per-address limit counts a client address under. An IPv6 client holds a whole /64 and
 * can send from any of its 2^64 addresses, so a limit per full IPv6 address limits nothing: IPv6
 * counts per /64 (`2001:db8:1:2::/64`). An IPv4-mapped address (`::ffff:1.2.3.4`, in any spelling)
 * counts as its IPv4 address, so one client is not two. Anything unparsable is kept as it is.
 */
export function addressBucket(address: string): string {
  // Hot path (every verification's throttle check): a dotted IPv4 address is its own bucket.
  if (!address.includes(':')) return address;
  const text = address.trim().replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(text)) return address;
  const parsed = ipaddr.process(text); // unwraps IPv4-mapped IPv6
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, IPV6_CLIENT_PREFIX / 16);
  const network = new ipaddr.IPv6([...parts, 0, 0, 0, 0]);
  return `${network.toString()}/${IPV6_CLIENT_PREFIX}`;
}
