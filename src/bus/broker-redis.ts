import type { Redis } from 'ioredis';
import { BackendHealth } from '../core/backend-health.ts';
import { backendUnavailable, isBackendUnavailable } from '../core/backend-unavailable.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { connectRedis } from './connect-redis.ts';
import { ClaimHorizon } from './claim-horizon.ts';
import { claimKey } from './signature-claim.ts';
import type { Broker, BrokerHandler, StreamOptions, StreamPosition, StreamPublication, StreamState } from './broker.ts';
import { streamEpoch } from './stream-epoch.ts';

// Counts one hit in a window and keeps the counter two windows: one script, so a rejected
// command is always the caller's (ioredis's MULTI and pipelines can leave per-command promises
// rejecting unhandled when the connection closes under them).
const HIT = `
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return count`;

// Re-asserts slots: KEYS are slot sets, ARGV[1] the score (held until), ARGV[2] the sets' TTL, then
// one holder per key. No XX: a slot Redis lost (a restart without persistence) is created again.
const REFRESH_SLOTS = `
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[1], ARGV[i + 2])
  redis.call('PEXPIRE', key, ARGV[2])
end
return #KEYS`;

/** Slots re-asserted per script call: bounded so one call never holds Redis for long. */
const REFRESH_CHUNK = 1000;

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

// KEYS: meta hash, publication list. ARGV: epoch for a new stream, size, ttl ms, meta ttl ms, channel (JSON), data (JSON), topic.
// Offsets come from HINCRBY on the meta hash and the StreamMessage is published from inside the
// script, so concurrent publishers on different nodes get gap-free offsets delivered in order.
const PUBLISH_TO_STREAM = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
  redis.call('DEL', KEYS[2])
end
local offset = redis.call('HINCRBY', KEYS[1], 'top', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if tonumber(ARGV[2]) > 0 then
  redis.call('RPUSH', KEYS[2], offset .. ' ' .. ARGV[6])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('PUBLISH', ARGV[7], '{"channel":' .. ARGV[5] .. ',"offset":' .. offset .. ',"epoch":"' .. epoch .. '","data":' .. ARGV[6] .. '}')
return {offset, epoch}
`;

// KEYS: meta hash, publication list. ARGV: epoch of a stream not created yet, meta ttl ms, '1' to return publications.
// A missing stream is position 0 and creates nothing (see stream-epoch.ts); reading an existing one
// keeps its epoch alive, as a subscriber's position must stay valid until the stream lapses.
const READ_STREAM = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return {'0', ARGV[1], {}} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local top = redis.call('HGET', KEYS[1], 'top') or '0'
if ARGV[3] ~= '1' then return {top, epoch, {}} end
return {top, epoch, redis.call('LRANGE', KEYS[2], 0, -1)}
`;

/** How long a command may wait for Redis before it fails (a Redis that accepts but never answers). */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * The many-node broker over Redis: pub/sub for fan-out, sorted sets for slots, SET NX for claims.
 * While either connection is down, every command fails at once with KeygateError UNAVAILABLE (never a
 * raw driver error, never a wait in the offline queue), and `health` logs the outage once.
 */
export class RedisBroker implements Broker {
  readonly kind = 'redis' as const;
  readonly health: BackendHealth;
  readonly #command: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #clock: Clock;
  readonly #handlers = new Map<string, Set<BrokerHandler>>();
  /** The SUBSCRIBE in flight or done per channel, so every caller waits until the channel is live. */
  readonly #subscribed = new Map<string, Promise<unknown>>();
  #closing = false;
  readonly #horizon: ClaimHorizon;
  /** Counts the command link's reconnects, so a late answer about an earlier link is ignored. */
  #links = 0;

  private constructor(command: Redis, subscriber: Redis, prefix: string, clock: Clock, health: BackendHealth) {
    this.#command = command;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
    this.#clock = clock;
    this.health = health;
    this.#horizon = new ClaimHorizon(clock.now());
    this.#command.options.commandTimeout ??= COMMAND_TIMEOUT_MS;
    this.#subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.#deliver(channel.toString(), payload.toString()));
    this.#watch(command);
    this.#watch(subscriber);
    // Connected (and subscribed to nothing yet) when constructed: each later 'ready' is a reconnect.
    this.#subscriber.on('ready', () => this.#resubscribe());
    // The command link came back, maybe to a Redis that restarted empty: earlier replay claims may be
    // gone. Set as the link turns ready, before any command can run on it; then moved back to when
    // this Redis started, when it did not restart (a dropped connection keeps every claim).
    this.#command.on('ready', () => {
      this.#links += 1;
      this.#horizon.linkReady(this.#clock.now());
      void this.#learnClaimsSince();
    });
  }

  /**
   * Asks the server behind the current link what it is (run id) and how long it has been up, for the
   * claim horizon (claim-horizon.ts): a node that starts beside a Redis that just restarted (a host
   * reboot) thereby refuses signatures from before that restart, whose claims are gone, and a node
   * whose reconnect reached another server refuses those from before the reconnect.
   */
  async #learnClaimsSince(): Promise<void> {
    const link = this.#links;
    const info = await this.#command.info('server').catch(() => null);
    // Read after the answer: Redis measured its uptime at some moment before it, never after.
    const asked = this.#clock.now();
    // An answer from a link that has since dropped may describe a Redis that has since restarted.
    if (link !== this.#links) return;
    const uptime = info === null ? null : /^uptime_in_seconds:(\d+)/m.exec(info);
    const runId = info === null ? '' : (/^run_id:(\w+)/m.exec(info)?.[1] ?? '');
    this.#horizon.learnt(runId, uptime ? Number(uptime[1]) : null, asked);
  }

  get claimsSince(): number {
    return this.#horizon.since;
  }

  /**
   * Connects both Redis clients (failing fast at start-up when Redis cannot be reached); `prefix`
   * namespaces every key and channel (tests use a random one); `health` hears when Redis goes and comes back.
   */
  static async connect(url: string, options: { prefix?: string; clock?: Clock; health?: BackendHealth } = {}): Promise<RedisBroker> {
    const clientOptions = { maxRetriesPerRequest: 3, enableAutoPipelining: true };
    const command = await connectRedis(url, clientOptions);
    // Channels are subscribed again by the broker itself on reconnect: ioredis's own resubscribe leaves
    // its SUBSCRIBE promise unhandled, which rejects ('Connection is closed.') if the link drops again.
    const subscriber = await connectRedis(url, { ...clientOptions, autoResubscribe: false }).catch((error: unknown) => {
      command.disconnect();
      throw error;
    });
    command.defineCommand('keygateAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    command.defineCommand('keygateHit', { numberOfKeys: 1, lua: HIT });
    command.defineCommand('keygateRefreshSlots', { lua: REFRESH_SLOTS });
    command.defineCommand('keygatePublishToStream', { numberOfKeys: 2, lua: PUBLISH_TO_STREAM });
    command.defineCommand('keygateReadStream', { numberOfKeys: 2, lua: READ_STREAM });
    const broker = new RedisBroker(command, subscriber, options.prefix ?? 'keygate:', options.clock ?? systemClock, options.health ?? new BackendHealth('bus', 'Redis'));
    await broker.#learnClaimsSince();
    return broker;
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.#call(() => this.#command.publish(this.#prefix + topic, JSON.stringify(message)));
  }

  async subscribe(topic: string, handler: BrokerHandler): Promise<() => Promise<void>> {
    const channel = this.#prefix + topic;
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      this.#handlers.set(channel, (handlers = new Set()));
      this.#subscribed.set(channel, this.#subscriber.subscribe(channel));
    }
    handlers.add(handler);
    await this.#subscribed.get(channel);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.#handlers.get(channel) === handlers) {
        this.#handlers.delete(channel);
        this.#subscribed.delete(channel);
        // With Redis away there is nothing to tell it; the handler is gone, so anything still delivered is dropped.
        if (this.#subscriber.status === 'ready') await this.#subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async acquireSlot(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const run = (this.#command as unknown as { keygateAcquireSlot: (...args: unknown[]) => Promise<number> }).keygateAcquireSlot;
    const granted = await this.#call(() => run.call(this.#command, this.#prefix + 'slots:' + key, now, limit, holder, now + ttlMs, ttlMs * 2));
    return granted === 1;
  }

  async refreshSlots(slots: ReadonlyArray<{ key: string; holder: string }>, ttlMs: number): Promise<void> {
    if (slots.length === 0) return;
    const until = this.#clock.now() + ttlMs;
    // Slot sets go in KEYS, each with its holder at the same place in ARGV (one Redis, not a Cluster:
    // a script over keys of several hash slots would be refused there).
    const refresh = this.#script<number>('keygateRefreshSlots');
    const calls: Array<Promise<number>> = [];
    for (let start = 0; start < slots.length; start += REFRESH_CHUNK) {
      const chunk = slots.slice(start, start + REFRESH_CHUNK);
      const keys = chunk.map(({ key }) => this.#prefix + 'slots:' + key);
      calls.push(this.#call(() => refresh(keys.length, ...keys, until, ttlMs * 2, ...chunk.map(({ holder }) => holder))));
    }
    await Promise.all(calls);
  }

  async releaseSlot(key: string, holder: string): Promise<void> {
    await this.#call(() => this.#command.zrem(this.#prefix + 'slots:' + key, holder));
  }

  async countSlots(key: string): Promise<number> {
    return this.#call(() => this.#command.zcount(this.#prefix + 'slots:' + key, `(${this.#clock.now()}`, '+inf'));
  }

  async claimOnce(space: string, signature: Buffer, ttlMs: number): Promise<boolean> {
    const key = this.#prefix + 'once:' + claimKey(space, signature);
    const result = await this.#call(() => this.#command.set(key, '1', 'PX', ttlMs, 'NX'));
    return result === 'OK';
  }

  async hit(key: string, windowMs: number): Promise<number> {
    const name = `${this.#prefix}hits:${key}:${Math.floor(this.#clock.now() / windowMs)}`;
    const hit = this.#script<number>('keygateHit');
    return Number(await this.#call(() => hit(name, windowMs * 2)));
  }

  async hits(key: string, windowMs: number): Promise<number> {
    const value = await this.#call(() => this.#command.get(`${this.#prefix}hits:${key}:${Math.floor(this.#clock.now() / windowMs)}`));
    return value === null ? 0 : Number(value);
  }

  async slotHolders(key: string): Promise<string[]> {
    return this.#call(() => this.#command.zrangebyscore(this.#prefix + 'slots:' + key, `(${this.#clock.now()}`, '+inf'));
  }

  async publishToStream(topic: string, channel: string, data: unknown, options: StreamOptions): Promise<StreamPosition> {
    const [meta, list] = this.#streamKeys(channel);
    const run = this.#script<[number, string]>('keygatePublishToStream');
    const [offset, epoch] = await this.#call(() => run(meta, list, streamEpoch(channel, this.#clock.now(), options.metaTtlMs), options.size, options.ttlMs, options.metaTtlMs, JSON.stringify(channel), JSON.stringify(data ?? null), this.#prefix + topic));
    return { offset: Number(offset), epoch };
  }

  async readStream(channel: string, options: Pick<StreamOptions, 'metaTtlMs'> & { readonly withPublications?: boolean }): Promise<StreamState> {
    const [meta, list] = this.#streamKeys(channel);
    const run = this.#script<[string, string, string[]]>('keygateReadStream');
    const [top, epoch, entries] = await this.#call(() => run(meta, list, streamEpoch(channel, this.#clock.now(), options.metaTtlMs), options.metaTtlMs, options.withPublications === false ? '0' : '1'));
    const publications: StreamPublication[] = entries.map((entry) => {
      const space = entry.indexOf(' ');
      return { offset: Number(entry.slice(0, space)), data: JSON.parse(entry.slice(space + 1)) as unknown };
    });
    return { offset: Number(top), epoch, publications };
  }

  async ping(): Promise<void> {
    await this.#call(() => this.#command.ping());
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#handlers.clear();
    this.#subscribed.clear();
    await Promise.allSettled([this.#subscriber.quit(), this.#command.quit()]);
  }

  /**
   * Runs one command: at once UNAVAILABLE when the command connection is not ready (no waiting in
   * ioredis's offline queue), and a connection failure while it runs becomes UNAVAILABLE too.
   */
  async #call<T>(command: () => Promise<T>): Promise<T> {
    if (this.#command.status !== 'ready') throw backendUnavailable('the bus (Redis)');
    try {
      const result = await command();
      if (!this.health.up && this.#bothReady()) this.health.ok();
      return result;
    } catch (error) {
      if (!isBackendUnavailable(error)) throw error;
      this.health.failed(error);
      throw backendUnavailable('the bus (Redis)');
    }
  }

  // Both connections report here, so an outage is one "unavailable" line and one "back" line, never
  // ioredis's raw per-retry output (which it prints only when no 'error' listener is attached).
  #watch(client: Redis): void {
    client.on('error', (error: Error) => {
      if (!this.#closing) this.health.failed(error);
    });
    client.on('close', () => {
      if (!this.#closing) this.health.failed(new Error('connection closed'));
    });
    client.on('ready', () => {
      if (!this.#closing && this.#bothReady()) this.health.ok();
    });
  }

  // A failure means the link dropped again; its next 'ready' tries again, and the key-event catch-up
  // covers what the channel missed meanwhile.
  #resubscribe(): void {
    const channels = [...this.#handlers.keys()];
    if (this.#closing || channels.length === 0) return;
    this.#subscriber.subscribe(...channels).catch(() => undefined);
  }

  #bothReady(): boolean {
    return this.#command.status === 'ready' && this.#subscriber.status === 'ready';
  }

  #streamKeys(channel: string): [string, string] {
    // The hash tag keeps both keys of a stream in one slot should Redis run as a cluster.
    return [`${this.#prefix}stream:{${channel}}:meta`, `${this.#prefix}stream:{${channel}}:pubs`];
  }

  #script<T>(name: string): (...args: unknown[]) => Promise<T> {
    const command = this.#command as unknown as Record<string, (...args: unknown[]) => Promise<T>>;
    return (...args) => command[name].call(this.#command, ...args);
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
