import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Broker } from '../../src/bus/broker.ts';
import { RedisBroker } from '../../src/bus/broker-redis.ts';
import { BackendHealth } from '../../src/core/backend-health.ts';
import { systemClock } from '../../src/core/clock.ts';
import { ConnectionSlots } from '../../src/realtime/connection-slots.ts';
import { hasRedisServer, TestRedisServer } from '../support/redis-server.ts';
import { waitFor } from '../support/wait-for.ts';

/** `broker` as a node that does not hear the bus come back sees it: its slots are re-asserted only when the test says. */
function deafTo(broker: RedisBroker): Broker {
  const health = new BackendHealth('bus', 'a node paused while Redis restarts');
  return new Proxy(broker, {
    get(target, property) {
      if (property === 'health') return health;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Broker;
}

// Two nodes share a Redis; a key may hold 2 connections. Redis restarts empty; one node (paused by its
// garbage collector, say) re-asserts its slots a moment after the other. The other must not let the
// key connect again in that moment: nothing would ever close the connections over the limit.
describe('a connection limit across a Redis restart, with one node late to re-assert', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  const TTL = 3000;
  let redis: TestRedisServer;
  const brokers: RedisBroker[] = [];
  const slots: ConnectionSlots[] = [];
  before(async () => {
    redis = await TestRedisServer.start();
  });
  after(async () => {
    for (const node of slots) node.stop();
    for (const broker of brokers) await broker.close();
    await redis?.kill();
  });

  it('refuses new connections (temporarily) until every live node has had a heartbeat to re-assert, then counts all of them', async () => {
    const prefix = `limit-${randomBytes(4).toString('hex')}:`;
    for (let i = 0; i < 2; i++) brokers.push(await RedisBroker.connect(redis.url, { prefix }));
    const late = new ConnectionSlots(deafTo(brokers[0]), TTL, { nodeId: 'late', clock: systemClock });
    const prompt = new ConnectionSlots(brokers[1], TTL, { nodeId: 'prompt', clock: systemClock });
    slots.push(late, prompt);
    prompt.start(() => undefined);
    await late.reassert();
    assert.equal(await late.acquireConnection('k', 'session-1', 2), true);
    assert.equal(await late.acquireConnection('k', 'session-2', 2), true);
    assert.equal(await prompt.acquireConnection('k', 'session-3', 2), false, 'the limit holds before the restart');

    await redis.kill();
    await waitFor(() => !brokers[1].health.up, 'the prompt node to notice');
    await redis.restart();
    await waitFor(() => brokers[1].health.up, 'the prompt node to reconnect', 10_000);
    // The prompt node has re-asserted its own slots; the late one has not yet.
    const outcomes: string[] = [];
    const until = Date.now() + 800;
    while (Date.now() < until) {
      outcomes.push(await prompt.acquireConnection('k', `early-${outcomes.length}`, 2).then(String, (error: Error) => error.message));
      await sleep(50);
    }
    assert.ok(outcomes.length > 5 && outcomes.every((outcome) => /unavailable/i.test(outcome)), outcomes.join(', '));

    await late.reassert();
    await waitFor(async () => (await prompt.acquireConnection('k', 'after', 2).catch(() => 'wait')) !== 'wait', 'the wait after the restart to end', 10_000).catch(() => undefined);
    assert.equal(await prompt.acquireConnection('k', 'after-2', 2), false, 'both of the late node\'s connections are counted again');
  });
});
