import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Broker, StreamMessage } from '../../src/bus/broker.ts';
import { MemoryBroker } from '../../src/bus/broker-memory.ts';
import { RedisBroker } from '../../src/bus/broker-redis.ts';
import { ManualClock, type Clock } from '../../src/core/clock.ts';

/** Every broker implementation, each made fresh (Redis under a random prefix) for one suite. */
const implementations: Array<{ name: string; make: (clock?: Clock) => Promise<Broker> }> = [{ name: 'memory', make: async (clock) => new MemoryBroker(clock) }];
if (process.env.REDIS_URL) {
  const url = process.env.REDIS_URL;
  implementations.push({ name: 'redis', make: (clock) => RedisBroker.connect(url, { prefix: `kgtest:${randomBytes(4).toString('hex')}:`, clock }) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stream = { size: 3, ttlMs: 60_000, metaTtlMs: 60_000 };

/** Collects what a topic delivers. */
async function collect(broker: Broker, topic: string): Promise<{ seen: unknown[]; stop: () => Promise<void> }> {
  const seen: unknown[] = [];
  const stop = await broker.subscribe(topic, (message) => seen.push(message));
  return { seen, stop };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

for (const { name, make } of implementations) {
  describe(`broker contract (${name})`, () => {
    let broker: Broker;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock(Date.now());
      broker = await make(clock);
    });
    after(async () => broker.close());

    it('delivers publications to every subscriber, not after unsubscribing', async () => {
      const a = await collect(broker, 'topic-a');
      const b = await collect(broker, 'topic-a');
      await broker.publish('topic-a', { n: 1 });
      await until(() => a.seen.length === 1 && b.seen.length === 1);
      assert.deepEqual(a.seen, [{ n: 1 }]);
      await a.stop();
      await broker.publish('topic-a', { n: 2 });
      await until(() => b.seen.length === 2);
      await sleep(20);
      assert.equal(a.seen.length, 1);
      await b.stop();
    });

    it('grants at most `limit` slots per key, re-grants to a holder, releases and lists holders', async () => {
      assert.equal(await broker.acquireSlot('k1', 'h1', 2, 10_000), true);
      assert.equal(await broker.acquireSlot('k1', 'h2', 2, 10_000), true);
      assert.equal(await broker.acquireSlot('k1', 'h3', 2, 10_000), false);
      assert.equal(await broker.acquireSlot('k1', 'h1', 2, 10_000), true, 'a holder keeps its slot');
      assert.equal(await broker.countSlots('k1'), 2);
      assert.deepEqual((await broker.slotHolders('k1')).sort(), ['h1', 'h2']);
      await broker.releaseSlot('k1', 'h1');
      assert.equal(await broker.acquireSlot('k1', 'h3', 2, 10_000), true);
      assert.deepEqual((await broker.slotHolders('k1')).sort(), ['h2', 'h3']);
    });

    it('lets slots lapse after their TTL unless refreshed', async () => {
      await broker.acquireSlot('k2', 'alive', 2, 1_000);
      await broker.acquireSlot('k2', 'dead', 2, 1_000);
      clock.advance(600);
      await broker.refreshSlots([{ key: 'k2', holder: 'alive' }], 1_000);
      clock.advance(600);
      assert.deepEqual(await broker.slotHolders('k2'), ['alive']);
      assert.equal(await broker.countSlots('k2'), 1);
      assert.equal(await broker.acquireSlot('k2', 'new', 2, 1_000), true);
    });

    it('keeps counting hits in a window however many other calls the broker serves', async () => {
      const key = 'hits-' + randomBytes(4).toString('hex');
      for (let i = 0; i < 1500; i++) await broker.hit(key, 60_000);
      assert.equal(await broker.hits(key, 60_000), 1500);
    });

    it('claims a key once within its TTL', async () => {
      const key = `nonce-${randomBytes(4).toString('hex')}`;
      assert.equal(await broker.claimOnce(key, 60_000), true);
      assert.equal(await broker.claimOnce(key, 60_000), false);
    });

    it('counts hits per fixed window', async () => {
      const key = `hits-${randomBytes(4).toString('hex')}`;
      assert.equal(await broker.hits(key, 60_000), 0);
      assert.equal(await broker.hit(key, 60_000), 1);
      assert.equal(await broker.hit(key, 60_000), 2);
      assert.equal(await broker.hits(key, 60_000), 2);
      clock.advance(60_000);
      assert.equal(await broker.hits(key, 60_000), 0);
    });

    it('numbers stream publications from 1 under one epoch, keeps the last `size`, and publishes each on the topic', async () => {
      const listener = await collect(broker, 'pubs');
      const empty = await broker.readStream('chan:1', stream);
      assert.equal(empty.offset, 0);
      assert.deepEqual(empty.publications, []);
      const positions = [];
      for (let n = 1; n <= 5; n++) positions.push(await broker.publishToStream('pubs', 'chan:1', { n }, stream));
      assert.deepEqual(positions.map((p) => p.offset), [1, 2, 3, 4, 5]);
      assert.ok(positions.every((p) => p.epoch === empty.epoch), 'reading fixed the epoch');
      const state = await broker.readStream('chan:1', stream);
      assert.equal(state.offset, 5);
      assert.deepEqual(state.publications, [
        { offset: 3, data: { n: 3 } },
        { offset: 4, data: { n: 4 } },
        { offset: 5, data: { n: 5 } },
      ]);
      const positionOnly = await broker.readStream('chan:1', { ...stream, withPublications: false });
      assert.deepEqual(positionOnly, { offset: 5, epoch: empty.epoch, publications: [] });
      await until(() => listener.seen.length === 5);
      const messages = listener.seen as StreamMessage[];
      assert.deepEqual(messages[0], { channel: 'chan:1', offset: 1, epoch: empty.epoch, data: { n: 1 } });
      assert.deepEqual(messages.map((m) => m.offset), [1, 2, 3, 4, 5]);
      await listener.stop();
    });

    it('gives concurrent publishers distinct, gap-free offsets delivered in order', async () => {
      const listener = await collect(broker, 'pubs-2');
      const positions = await Promise.all(Array.from({ length: 50 }, (_, n) => broker.publishToStream('pubs-2', 'chan:2', { n }, stream)));
      assert.deepEqual(positions.map((p) => p.offset).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
      await until(() => listener.seen.length === 50);
      assert.deepEqual((listener.seen as StreamMessage[]).map((m) => m.offset), Array.from({ length: 50 }, (_, i) => i + 1));
      await listener.stop();
    });

    it('reads a stream nobody published to as position 0 without creating it; the first publish keeps the epoch readers saw', async () => {
      const reads = [await broker.readStream('chan:quiet', stream), await broker.readStream('chan:quiet', stream)];
      assert.deepEqual(reads[0], { offset: 0, epoch: reads[0].epoch, publications: [] });
      assert.equal(reads[1].epoch, reads[0].epoch, 'stable while nothing is published');
      assert.notEqual(reads[0].epoch, (await broker.readStream('chan:quiet-other', stream)).epoch, 'per channel');
      // Nothing was stored: once the window passes, the same channel reads under another epoch.
      clock.advance(stream.metaTtlMs);
      const later = await broker.readStream('chan:quiet', stream);
      assert.notEqual(later.epoch, reads[0].epoch);
      const first = await broker.publishToStream('pubs-quiet', 'chan:quiet', { n: 1 }, stream);
      assert.deepEqual(first, { offset: 1, epoch: later.epoch });
    });

    it('keeps no publications with size 0 but still counts offsets; channels are independent', async () => {
      await broker.publishToStream('pubs-3', 'chan:3', 'a', { ...stream, size: 0 });
      const position = await broker.publishToStream('pubs-3', 'chan:3', 'b', { ...stream, size: 0 });
      assert.equal(position.offset, 2);
      assert.deepEqual((await broker.readStream('chan:3', stream)).publications, []);
      assert.equal((await broker.readStream('chan:other', stream)).offset, 0);
    });
  });

  describe(`broker streams lapse (${name}, real time)`, () => {
    let broker: Broker;
    before(async () => {
      broker = await make();
    });
    after(async () => broker.close());

    it('drops publications after their TTL and starts a new epoch once the stream lapses', async () => {
      const short = { size: 10, ttlMs: 50, metaTtlMs: 600 };
      const first = await broker.publishToStream('lapse', 'chan:lapse', { n: 1 }, short);
      await sleep(150);
      const kept = await broker.readStream('chan:lapse', short);
      assert.equal(kept.epoch, first.epoch);
      assert.equal(kept.offset, 1);
      assert.deepEqual(kept.publications, []);
      await sleep(900);
      const fresh = await broker.readStream('chan:lapse', short);
      assert.notEqual(fresh.epoch, first.epoch);
      assert.equal(fresh.offset, 0);
    });
  });
}
