import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createKey, rawCentrifuge, walletOwnerSuite, WALLET } from './realtime-fixtures.ts';

// A subscribe is checked against the key, then waits on the bus (the channel's stream, presence);
// a key event applied meanwhile checks the session's subscriptions, which do not hold this one yet.
// On Redis that wait is a round trip, so narrowing a key while its sessions subscribed left some of
// them receiving a channel the key no longer allowed, for good. The bus's wait is held open here.
describe('a subscribe in flight while its key is narrowed', () => {
  const suite = walletOwnerSuite();

  /** Holds every stream read of the node's bus until the returned `release` is called; `reads` counts them. */
  function holdStreamReads() {
    const broker = suite.node.keygate.realtime.context.broker;
    const original = broker.readStream;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = { reads: 0 };
    broker.readStream = async (...args: Parameters<typeof original>) => {
      held.reads += 1;
      await gate;
      return original.apply(broker, args);
    };
    return {
      held,
      release: () => {
        broker.readStream = original;
        release();
      },
    };
  }

  for (const [what, channel, change] of [
    ['an exchange taken from the key', 'listings:binance', { allowedExchanges: ['okx'] }],
    ['the read permission taken from the key', `maintenance:wallet:${WALLET}`, { permissions: ['trade'] }],
  ] as const) {
    it(`is refused once it completes, never left receiving: ${what}`, async () => {
      const { key, id } = await createKey(suite.node, suite.node.admin.token, { ownerId: suite.owner.user.id, allowedExchanges: ['binance', 'okx'], permissions: ['read', 'trade'] });
      const client = await rawCentrifuge(suite.node);
      client.send({ id: 1, connect: { token: key } });
      await client.waitFor((line) => line.id === 1 && line.connect);
      const hold = holdStreamReads();
      try {
        client.send({ id: 2, subscribe: { channel } });
        while (hold.held.reads === 0) await sleep(5);
        const patched = await suite.node.request('PATCH', `/v1/keys/${id}`, { token: suite.node.admin.token, body: change });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        // Let the key event reach the session (it finds no subscription to end it for).
        await sleep(200);
      } finally {
        hold.release();
      }
      const answer = await client.waitFor((line) => line.id === 2);
      assert.equal(answer.error?.code, 103, JSON.stringify(answer));
      await suite.node.keygate.publish(channel, channel.startsWith('listings') ? { id: 'after', title: 'after the change' } : { riskFactor: '0.5' });
      await sleep(200);
      assert.equal(client.lines.some((line) => line.push), false, 'no publication reaches the session');
      client.ws.close();
    });
  }
});
