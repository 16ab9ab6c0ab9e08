import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';

const WALLET = '0x' + 'ab'.repeat(20);

describe('wallet changes are key events', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());

  it('adding and removing a wallet writes a user event to the log, applied on this node at once', async () => {
    const { user } = await node.addUser();
    const head = node.keygate.keyEvents.position().appliedSeq;
    assert.deepEqual((await node.keygate.directory.addWallet(user.id, WALLET)).wallets, [WALLET]);
    assert.deepEqual((await node.keygate.directory.removeWallet(user.id, WALLET)).wallets, []);
    const events = await node.keygate.store.keyEvents.after(head, 10);
    assert.deepEqual(events.map((e) => [e.type, e.userId]), [['user_changed', user.id], ['user_changed', user.id]]);
    assert.equal(node.keygate.keyEvents.position().appliedSeq, events.at(-1)!.seq, 'applied without waiting for any bus');
    await assert.rejects(node.keygate.directory.removeWallet(user.id, WALLET), /has no wallet/);
    assert.equal((await node.keygate.store.keyEvents.after(events.at(-1)!.seq, 10)).length, 0, 'a refused change writes no event');
  });
});
