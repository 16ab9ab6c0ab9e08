import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { withTimeout } from '../support/wait-for.ts';
import { mustOpenFeed } from '../faults/fault-fixtures.ts';
import { createKey, WALLET } from './realtime-fixtures.ts';

// The periodic re-check is the last line of defence: here the store is changed behind Keygate's back
// (no key event at all, as a bug or a hand-edited row would), and one sweep must still end the sessions.
for (const dialect of dialects()) {
  describe(`the periodic re-check of live keys (${dialect})`, () => {
    let node: TestNode;
    let owner: TestUser;
    before(async () => {
      node = await startNode({ dialect });
      owner = await node.addUser({ wallets: [WALLET] });
    });
    after(async () => node.stop());

    it('ends the sessions of a key revoked without any event, and leaves the others alone', async () => {
      const revoked = await createKey(node, owner.token);
      const untouched = await createKey(node, owner.token);
      const [gone, kept] = [await mustOpenFeed(node, revoked.key), await mustOpenFeed(node, untouched.key)];
      await sql`update api_keys set revoked_at = ${Date.now() - 1} where id = ${revoked.id}`.execute(node.keygate.store.db);
      const result = await node.keygate.keySweep.run();
      assert.deepEqual(result, { checked: 2, stale: 1, ended: 0 });
      const ended = await withTimeout(gone.closed, 'the revoked key\'s session to end', 2000);
      assert.deepEqual([ended.code, ended.reason], [1000, 'key_revoked']);
      assert.equal(kept.ended, null);
      kept.ws.close();
    });

    it('ends a session whose key lost an exchange it relies on', async () => {
      const narrowed = await createKey(node, owner.token);
      const feed = await mustOpenFeed(node, narrowed.key);
      await sql`update api_keys set allowed_exchanges = ${JSON.stringify(['binance'])} where id = ${narrowed.id}`.execute(node.keygate.store.db);
      await node.keygate.keySweep.run();
      const ended = await withTimeout(feed.closed, 'the session to end', 2000);
      assert.deepEqual([ended.code, ended.reason], [1000, 'key_invalidated']);
    });
  });
}
