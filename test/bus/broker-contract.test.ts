import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Broker, StreamMessage } from '../../src/bus/broker.ts';
import { MemoryBroker } from '../../src/bus/broker-memory.ts';
import { RedisBroker } from '../../src/bus/broker-redis.ts';
import { ManualClock, systemClock, type Clock } from '../../src/core/clock.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Every broker implementation, each made fresh (Redis under a random prefix) for one suite.
 * `streamsExpireOnClock` says whether stream TTLs follow the injected clock: the memory broker's
 * do; Redis expires keys on its own clock, which no test can move.
 */
const implementations: Array<{ name: string; streamsExpireOnClock: boolean; make: (clock?: Clock) => Promise<Broker> }> = [
  { name: 'memory', streamsExpireOnClock: true, make: async (clock) => new MemoryBroker(clock) },
];
if (process.env.REDIS_URL) {
  const url = process.env.REDIS_URL;
  implementations.push({ name: 'redis', streamsExpireOnClock: false, make: (clock) => RedisBroker.connect(url, { prefix: `kgtest:${randomBytes(4).toString('hex')}:`, clock }) });
}

const stream = { size: 3, ttlMs: 60_000, metaTtlMs: 60_000 };

/** Collects what a topic delivers. */
async function collect(broker: Broker, topic: string): Promise<{ seen: unknown[]; stop: () => Promise<void> }> {
  const seen: unknown[] = [];
  const stop = await broker.subscribe(topic, (message) => seen.push(message));
  return { seen, stop };
}

for (const { name, streamsExpireOnClock, make } of implementations) {
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
      await waitFor(() => a.seen.length === 1 && b.seen.length === 1, 'both subscribers to receive n: 1');
      assert.deepEqual(a.seen, [{ n: 1 }]);
      await a.stop();
      await broker.publish('topic-a', { n: 2 });
      await waitFor(() => b.seen.length === 2, 'the remaining subscriber to receive n: 2');
      // No wait needed to prove a's absence: both brokers hand one message to a topic's subscribers in
      // one pass, in subscription order, so had a still been subscribed it would have n: 2 before b.
      assert.deepEqual(a.seen, [{ n: 1 }]);
      assert.deepEqual(b.seen, [{ n: 1 }, { n: 2 }]);
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

    it('re-asserting slots creates again the ones the broker lost (a restart) and answers PING', async () => {
      await broker.acquireSlot('k3', 'held', 5, 10_000);
      await broker.releaseSlot('k3', 'held'); // as a bus that restarted empty would have lost it
      await broker.refreshSlots([{ key: 'k3', holder: 'held' }, { key: 'k3b', holder: 'other' }], 10_000);
      assert.deepEqual(await broker.slotHolders('k3'), ['held']);
      assert.equal(await broker.countSlots('k3b'), 1);
      await broker.ping();
      assert.equal(broker.health.up, true);
    });

    it('keeps counting hits in a window however many other calls the broker serves', async () => {
      const key = 'hits-' + randomBytes(4).toString('hex');
      for (let i = 0; i < 1500; i++) await broker.hit(key, 60_000);
      assert.equal(await broker.hits(key, 60_000), 1500);
    });

    it('claims a signature once within its TTL, in its own space only, by its last 32 bytes', async () => {
      const space = `rsa:${randomBytes(4).toString('hex')}`;
      const signature = randomBytes(256);
      assert.equal(await broker.claimOnce(space, signature, 60_000), true);
      assert.equal(await broker.claimOnce(space, Buffer.from(signature), 60_000), false, 'the same bytes again');
      assert.equal(await broker.claimOnce(`${space}x`, signature, 60_000), true, 'another space is another key');
      const samePart = Buffer.concat([randomBytes(224), signature.subarray(224)]);
      assert.equal(await broker.claimOnce(space, samePart, 60_000), false, 'only the last 32 bytes name a claim');
      const lastByte = Buffer.from(signature);
      lastByte[255] ^= 1;
      assert.equal(await broker.claimOnce(space, lastByte, 60_000), true);
      await assert.rejects(async () => broker.claimOnce(space, randomBytes(31), 60_000), /at least 32 bytes/);
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
      await waitFor(() => listener.seen.length === 5, 'five stream messages');
      const messages = listener.seen as StreamMessage[];
      assert.deepEqual(messages[0], { channel: 'chan:1', offset: 1, epoch: empty.epoch, data: { n: 1 } });
      assert.deepEqual(messages.map((m) => m.offset), [1, 2, 3, 4, 5]);
      await listener.stop();
    });

    it('gives concurrent publishers distinct, gap-free offsets delivered in order', async () => {
      const listener = await collect(broker, 'pubs-2');
      const positions = await Promise.all(Array.from({ length: 50 }, (_, n) => broker.publishToStream('pubs-2', 'chan:2', { n }, stream)));
      assert.deepEqual(positions.map((p) => p.offset).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
      await waitFor(() => listener.seen.length === 50, 'fifty stream messages');
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

  describe(`broker streams lapse (${name}, ${streamsExpireOnClock ? 'injected clock' : 'real time'})`, () => {
    let broker: Broker;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock(Date.now());
      // A broker whose streams expire in real time (Redis) must also read real time: its epochs are
      // derived from the clock, and a frozen clock would keep deriving the lapsed stream's epoch.
      broker = await make(streamsExpireOnClock ? clock : systemClock);
    });
    after(async () => broker.close());

    /**
     * Lets `ms` pass for the stream's TTLs: on the injected clock when the broker follows it; else in
     * real time, a little longer than `ms` since nothing announces an expiry (Redis counts from when
     * it ran the command, which was before this wait began).
     */
    const elapse = async (ms: number) => (streamsExpireOnClock ? clock.advance(ms) : sleep(ms + 10));

    it('lets each claim lapse after its own TTL, whatever was claimed after it, and then claims it anew', async () => {
      const space = `hmac:${randomBytes(4).toString('hex')}`;
      const first = randomBytes(32);
      const second = randomBytes(32);
      assert.equal(await broker.claimOnce(space, first, 200), true);
      await elapse(100);
      assert.equal(await broker.claimOnce(space, second, 400), true);
      assert.equal(await broker.claimOnce(space, first, 200), false);
      await elapse(150);
      assert.equal(await broker.claimOnce(space, first, 200), true, 'the first claim lapsed');
      assert.equal(await broker.claimOnce(space, second, 400), false, 'the second has not');
      await elapse(300);
      assert.equal(await broker.claimOnce(space, second, 400), true, 'the second lapsed too');
    });

    it('drops publications after their TTL and starts a new epoch once the stream lapses', async () => {
      const short = { size: 10, ttlMs: 50, metaTtlMs: 600 };
      const first = await broker.publishToStream('lapse', 'chan:lapse', { n: 1 }, short);
      if (streamsExpireOnClock) {
        clock.advance(short.ttlMs - 1);
        assert.deepEqual((await broker.readStream('chan:lapse', short)).publications, [{ offset: 1, data: { n: 1 } }], 'kept until the TTL');
        clock.advance(1);
      } else {
        await elapse(short.ttlMs);
      }
      const kept = await broker.readStream('chan:lapse', short);
      assert.equal(kept.epoch, first.epoch);
      assert.equal(kept.offset, 1);
      assert.deepEqual(kept.publications, []);
      // The read above kept the epoch alive; it lapses metaTtlMs after it.
      await elapse(short.metaTtlMs);
      const fresh = await broker.readStream('chan:lapse', short);
      assert.notEqual(fresh.epoch, first.epoch);
      assert.equal(fresh.offset, 0);
    });
  });
}
