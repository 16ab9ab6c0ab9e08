import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { askAsNginx, seedHmacPair } from '../support/seed.ts';
import { signHmac } from '../support/signers.ts';

// On the default set-up (one node, the in-memory bus) replay claims live in the node's process, so a
// restarted node comes back without them. A request signed before the restart, captured and sent again
// inside its signature window, must not count as new; a request signed after the restart must pass.
describe('a signed request cannot be replayed across a restart of a node on the in-memory bus', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode({ config: { verify: { failuresPerMinutePerIp: 3 } } });
  });
  after(async () => node.stop());

  const check = askAsNginx;

  it('refuses, on the restarted node, every request signed before the restart, and accepts one signed after it', async () => {
    const { publicKey, privateKey } = await seedHmacPair(node);
    const captured = signHmac(publicKey, privateKey, 'GET', '/api/balance');
    const neverUsed = signHmac(publicKey, privateKey, 'GET', '/api/orders');
    assert.equal((await check(node, captured)).status, 200);
    assert.equal((await check(node, captured)).headers.get('x-keygate-code'), 'REPLAYED');

    // The restarted process: a node on the same database with a bus of its own, made a moment later.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const restarted = await startNode({ joinOf: node, config: { verify: { failuresPerMinutePerIp: 3 } } });
    try {
      // Five refusals, beyond a budget of 3: they are not the client's doing, so the address stays unthrottled.
      for (let i = 0; i < 5; i++) {
        const replay = await check(restarted, captured);
        assert.equal(replay.status, 401);
        assert.equal(replay.headers.get('x-keygate-code'), 'REPLAYED');
        assert.match(replay.headers.get('x-keygate-reason') ?? '', /sign it again with a fresh timestamp/);
      }
      // Whether it was used cannot be known after the restart: the price of never accepting a replay.
      assert.equal((await check(restarted, neverUsed)).headers.get('x-keygate-code'), 'REPLAYED');
      const fresh = signHmac(publicKey, privateKey, 'GET', '/api/balance');
      assert.equal((await check(restarted, fresh)).status, 200, 'a request signed after the restart passes');
      assert.equal((await check(restarted, fresh)).headers.get('x-keygate-code'), 'REPLAYED', 'and is claimed like any other');
    } finally {
      await restarted.stop();
    }
  });

  it('refuses, on the restarted node, a request from a client whose clock runs ahead, captured just before the restart', async () => {
    // The allowance is widened to 5 s here (the default is 1 s), so that the next process surely
    // starts before the timestamp of a request from a clock 4.5 s fast, even on a busy machine.
    const ahead5s = { verify: { failuresPerMinutePerIp: 3, signatureFutureMs: 5_000 } };
    const first = await startNode({ joinOf: node, config: ahead5s });
    const { publicKey, privateKey } = await seedHmacPair(first);
    const ahead = signHmac(publicKey, privateKey, 'GET', '/api/balance', '', String(Date.now() + 4_500));
    assert.equal((await check(first, ahead)).status, 200);
    await first.stop();
    const restarted = await startNode({ joinOf: node, config: ahead5s });
    try {
      assert.ok(Number(ahead.headers['API-Timestamp']) > restarted.keygate.broker.claimsSince, 'signed for a moment after the new process began');
      const replay = await check(restarted, ahead);
      assert.deepEqual([replay.status, replay.headers.get('x-keygate-code')], [401, 'REPLAYED']);
      assert.equal((await check(restarted, signHmac(publicKey, privateKey, 'GET', '/api/balance'))).status, 200, 'a request signed now passes');
    } finally {
      await restarted.stop();
    }
  });
});
