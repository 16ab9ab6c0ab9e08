import type { BackendHealth } from '../core/backend-health.ts';
import type { Clock } from '../core/clock.ts';
import type { Broker } from './broker.ts';
import { MemoryBroker } from './broker-memory.ts';

/** The Redis broker when a URL is configured, else the in-memory one. ioredis loads only in the first case. */
export async function openBroker(options: { redisUrl: string | null; prefix?: string; clock?: Clock; health?: BackendHealth }): Promise<Broker> {
  if (options.redisUrl) {
    const { RedisBroker } = await import('./broker-redis.ts');
    return RedisBroker.connect(options.redisUrl, { prefix: options.prefix, clock: options.clock, health: options.health });
  }
  return new MemoryBroker(options.clock);
}
