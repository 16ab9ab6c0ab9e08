import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MemoryBroker } from '../../src/bus/broker-memory.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { KeyEvent, KeyEventChange } from '../../src/core/key-event.ts';
import { KeyEventFollower } from '../../src/service/key-event-follower.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { waitFor } from '../support/wait-for.ts';

const change = (): KeyEventChange => ({ type: 'revoked', keyId: randomUUID(), userId: 'u', scheme: 'opaque', lookup: randomUUID(), reason: 'key_revoked' });
const silentLogger = { warn: () => undefined, error: () => undefined };

for (const dialect of dialects()) {
  describe(`the key event follower (${dialect})`, () => {
    let database: TestDatabase;
    let store: Store;
    /** Another process writing the same store (the CLI, a script). */
    let writer: Store;
    const followers: KeyEventFollower[] = [];
    before(async () => {
      database = await createTestDatabase(dialect);
      store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      writer = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrate: false });
    });
    after(async () => {
      for (const follower of followers) await follower.stop();
      await writer.close();
      await store.close();
      await database.drop();
    });

    /** A follower of `store` whose store fast path is switched off (`fastPath: false`), so only catch-up and the bus remain. */
    const follow = async (options: { fastPath?: boolean; catchUpEveryMs?: number; resync?: () => void } = {}) => {
      const applied: KeyEvent[] = [];
      const followed = options.fastPath === false ? { ...store, listenForKeyEvents: async () => ({ close: async () => undefined }) } : store;
      const follower = await KeyEventFollower.start({
        store: followed,
        broker: new MemoryBroker(),
        apply: (event) => applied.push(event),
        resync: options.resync ?? (() => undefined),
        clock: systemClock,
        logger: silentLogger,
        catchUpEveryMs: options.catchUpEveryMs,
      });
      followers.push(follower);
      return { follower, applied };
    };
    const write = async (count: number) => {
      const written: KeyEvent[] = [];
      for (let i = 0; i < count; i++) written.push(await writer.transaction((tx) => tx.keyEvents.append(change(), Date.now())));
      return written;
    };

    it('applies what another process writes through the store\'s fast path, in order, once each', async () => {
      const { follower, applied } = await follow();
      const written = await write(5);
      await waitFor(() => applied.length >= 5, 'the five events', 2000);
      await follower.catchUp();
      assert.deepEqual(applied.map((e) => e.seq), written.map((e) => e.seq));
      assert.equal(follower.position().appliedSeq, written.at(-1)!.seq);
    });

    it('misses nothing without any fast path: the catch-up timer reads the log', async () => {
      const { follower, applied } = await follow({ fastPath: false, catchUpEveryMs: 200 });
      const written = await write(3);
      await waitFor(() => applied.length >= 3, 'catch-up to apply the events', 2000);
      assert.deepEqual(applied.map((e) => e.seq), written.map((e) => e.seq));
      assert.equal(follower.position().behind, 0);
    });

    it('applies its own commits at once, an event ahead of a gap at once too, and fills the gap from the log without repeats', async () => {
      const { follower, applied } = await follow({ fastPath: false, catchUpEveryMs: 60_000 });
      const [first, second, third] = await write(3);
      follower.committed([third]); // heard before the two before it (say, over the bus)
      assert.deepEqual(applied.map((e) => e.seq), [third.seq], 'applied without waiting');
      assert.equal(follower.position().appliedSeq < third.seq, true, 'but the position stays before the gap');
      await follower.catchUp();
      assert.deepEqual(applied.map((e) => e.seq), [third.seq, first.seq, second.seq]);
      assert.equal(follower.position().appliedSeq, third.seq);
      follower.committed([third]);
      await follower.catchUp();
      assert.equal(applied.length, 3, 'an event is applied once');
    });

    it('resyncs (drops every cache) when the log was pruned past its position', async () => {
      await write(1);
      let resynced = 0;
      const { follower } = await follow({ fastPath: false, catchUpEveryMs: 60_000, resync: () => (resynced += 1) });
      const later = await write(3);
      // Everything up to the last one is pruned before this node read it.
      await writer.transaction((tx) => tx.keyEvents.append(change(), Date.now() + 60_000));
      await writer.keyEvents.pruneBefore(Date.now() + 1000);
      await follower.catchUp();
      assert.equal(resynced, 1);
      assert.ok(follower.position().appliedSeq > later.at(-1)!.seq);
    });
  });
}
