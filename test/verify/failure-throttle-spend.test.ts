import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBroker } from '../../src/bus/broker-memory.ts';
import type { Broker } from '../../src/bus/broker.ts';
import { FailureThrottle } from '../../src/verify/failure-throttle.ts';

/** The in-memory broker answering after a round trip, as Redis does: concurrent callers interleave. */
function slowBroker(): Pick<Broker, 'hit' | 'hits'> {
  const broker = new MemoryBroker();
  const later = <T>(value: Promise<T>) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 2));
  return { hit: (key, windowMs) => later(broker.hit(key, windowMs)), hits: (key, windowMs) => later(broker.hits(key, windowMs)) };
}

async function outcomes(attempt: () => Promise<void>, count: number): Promise<{ passed: number; refused: number }> {
  const results = await Promise.allSettled(Array.from({ length: count }, attempt));
  return { passed: results.filter((r) => r.status === 'fulfilled').length, refused: results.filter((r) => r.status === 'rejected').length };
}

describe('FailureThrottle.spend', () => {
  it('lets exactly the budget through when twenty requests from one address race, where a check then a count lets them all', async () => {
    const spent = new FailureThrottle(slowBroker(), 4);
    assert.deepEqual(await outcomes(() => spent.spend('nonce', '192.0.2.7', 'too many'), 20), { passed: 4, refused: 16 });

    // The pattern spend() replaces, on the same slow broker: every check runs before any count lands.
    const checked = new FailureThrottle(slowBroker(), 4);
    const checkThenCount = async () => {
      await checked.assertAllowed('nonce', '192.0.2.7', 'too many');
      await checked.recordFailure('nonce', '192.0.2.7');
    };
    assert.equal((await outcomes(checkThenCount, 20)).passed, 20);
  });

  it('counts an IPv6 /64 as one address, and spends nothing for a caller without one', async () => {
    const throttle = new FailureThrottle(slowBroker(), 2);
    const addresses = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2::3'];
    assert.deepEqual(await outcomes(async () => throttle.spend('nonce', addresses.shift()!, 'too many'), 3), { passed: 2, refused: 1 });
    assert.deepEqual(await outcomes(() => throttle.spend('nonce', null, 'too many'), 5), { passed: 5, refused: 0 });
  });
});
