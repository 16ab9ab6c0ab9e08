import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when `ip` (the client as the server resolved it) is this machine: 127.0.0.0/8 or ::1, however written, IPv4-mapped too. */
export function isLoopbackAddress(ip: string | null): boolean {
  const family = ip === null ? 0 : isIP(ip);
  return family !== 0 && LOOPBACK.check(ip!, family === 4 ? 'ipv4' : 'ipv6');
}
