import { Redis } from 'ioredis';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Broker, BrokerHandler } from './broker.ts';

const ACQUIRE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** The many-node broker over Redis: pub/sub for fan-out, sorted sets for slots, SET NX for claims. */
export class RedisBroker implements Broker {
  readonly kind = 'redis' as const;
  readonly #command: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #clock: Clock;
  readonly #handlers = new Map<string, Set<BrokerHandler>>();

  private constructor(command: Redis, subscriber: Redis, prefix: string, clock: Clock) {
    this.#command = command;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
    this.#clock = clock;
    this.#subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.#deliver(channel.toString(), payload.toString()));
  }

  /** Connects both Redis clients; `prefix` namespaces every key and channel (tests use a random one). */
  static async connect(url: string, options: { prefix?: string; clock?: Clock } = {}): Promise<RedisBroker> {
    const make = () => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    const command = make();
    const subscriber = make();
    await Promise.all([command.connect(), subscriber.connect()]);
    command.defineCommand('keygateAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    return new RedisBroker(command, subscriber, options.prefix ?? 'keygate:', options.clock ?? systemClock);
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.#command.publish(this.#prefix + topic, JSON.stringify(message));
  }

  async subscribe(topic: string, handler: BrokerHandler): Promise<() => Promise<void>> {
    const channel = this.#prefix + topic;
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      this.#handlers.set(channel, (handlers = new Set()));
      await this.#subscriber.subscribe(channel);
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.#handlers.get(channel) === handlers) {
        this.#handlers.delete(channel);
        await this.#subscriber.unsubscribe(channel);
      }
    };
  }

  async acquireSlot(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const run = (this.#command as unknown as { keygateAcquireSlot: (...args: unknown[]) => Promise<number> }).keygateAcquireSlot;
    const granted = await run.call(this.#command, this.#prefix + 'slots:' + key, now, limit, holder, now + ttlMs, ttlMs * 2);
    return granted === 1;
  }

  async refreshSlots(slots: ReadonlyArray<{ key: string; holder: string }>, ttlMs: number): Promise<void> {
    if (slots.length === 0) return;
    const until = this.#clock.now() + ttlMs;
    const pipeline = this.#command.pipeline();
    for (const { key, holder } of slots) {
      pipeline.zadd(this.#prefix + 'slots:' + key, 'XX', until, holder);
      pipeline.pexpire(this.#prefix + 'slots:' + key, ttlMs * 2);
    }
    await pipeline.exec();
  }

  async releaseSlot(key: string, holder: string): Promise<void> {
    await this.#command.zrem(this.#prefix + 'slots:' + key, holder);
  }

  async countSlots(key: string): Promise<number> {
    return this.#command.zcount(this.#prefix + 'slots:' + key, `(${this.#clock.now()}`, '+inf');
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const result = await this.#command.set(this.#prefix + 'once:' + key, '1', 'PX', ttlMs, 'NX');
    return result === 'OK';
  }

  async hit(key: string, windowMs: number): Promise<number> {
    const name = `${this.#prefix}hits:${key}:${Math.floor(this.#clock.now() / windowMs)}`;
    const results = await this.#command.multi().incr(name).pexpire(name, windowMs * 2).exec();
    return Number(results?.[0]?.[1] ?? 0);
  }

  async hits(key: string, windowMs: number): Promise<number> {
    const value = await this.#command.get(`${this.#prefix}hits:${key}:${Math.floor(this.#clock.now() / windowMs)}`);
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    await Promise.allSettled([this.#subscriber.quit(), this.#command.quit()]);
  }

  #deliver(channel: string, payload: string): void {
    const handlers = this.#handlers.get(channel);
    if (!handlers) return;
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    for (const handler of handlers) handler(message);
  }
}
