import { addressBucket } from '../core/address-bucket.ts';
import type { TtlCache } from './ttl-cache.ts';

/**
 * A node's own list of addresses refused for failing too often, each until its failure window ends,
 * so a refused address costs no broker round trip. Keyed by address bucket (an IPv6 /64 is one).
 */
export type ThrottledAddresses = TtlCache<string, true>;

/** True while `ip`'s bucket is throttled; when nobody is (nearly always), no address is parsed. */
export function isThrottled(throttled: ThrottledAddresses, ip: string | undefined, now: number): boolean {
  return ip !== undefined && throttled.mayHold(now) && throttled.get(addressBucket(ip), now) === true;
}

/** Throttles `ip`'s bucket until its window ends. */
export function throttleAddress(throttled: ThrottledAddresses, ip: string, now: number): void {
  throttled.set(addressBucket(ip), true, now);
}
