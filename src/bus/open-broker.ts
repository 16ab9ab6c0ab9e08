import type { Clock } from '../core/clock.ts';
import type { Broker } from './broker.ts';
import { MemoryBroker } from './broker-memory.ts';

/** The Redis broker when a URL is configured, else the in-memory one. ioredis loads only in the first case. */
export async function openBroker(options: { redisUrl: string | null; prefix?: string; clock?: Clock }): Promise<Broker> {
  if (options.redisUrl) return (await import('./broker-redis.ts')).RedisBroker.connect(options.redisUrl, { prefix: options.prefix, clock: options.clock });
  return new MemoryBroker(options.clock);
}
