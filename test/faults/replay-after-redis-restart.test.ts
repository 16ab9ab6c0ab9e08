import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { hasRedisServer, TestRedisServer } from '../support/redis-server.ts';
import { signHmac } from '../support/signers.ts';
import { waitFor } from '../support/wait-for.ts';

// Replay claims live in Redis, and a Redis restarted without persistence comes back without them.
// A request signed before the restart, captured and sent again inside the signature window, must
// not count as new; a request signed after it must pass.
describe('a signed request cannot be replayed across a Redis restart', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  let redis: TestRedisServer;
  let node: TestNode;
  before(async () => {
    redis = await TestRedisServer.start();
    // A small failure budget: refusals that are not the client's doing must not spend it.
    node = await startNode({ config: { redisUrl: redis.url, verify: { failuresPerMinutePerIp: 3 } } });
  });
  after(async () => {
    await node?.stop();
    await redis?.kill();
  });

  it('refuses the old signature as REPLAYED once Redis is back, and accepts a freshly signed request', async () => {
    const user = await node.addUser();
    const created = await node.request('POST', '/frontoffice/api/key', { token: user.token, body: { name: 'bot', isInfo: true, isTrade: false, IpWhiteList: [] } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { publicKey, privateKey } = created.body;
    const check = (signed: ReturnType<typeof signHmac>) =>
      fetch(`${node.url}/v1/auth/nginx`, { headers: { ...signed.headers, 'x-original-uri': signed.url, 'x-original-method': signed.method } });

    const captured = signHmac(publicKey, privateKey, 'GET', '/api/balance');
    assert.equal((await check(captured)).status, 200);
    assert.equal((await check(captured)).headers.get('x-keygate-code'), 'REPLAYED');

    await redis.kill();
    await redis.restart();
    // Wait until the node uses Redis again (a fresh request passes), then replay the captured one.
    await waitFor(async () => (await check(signHmac(publicKey, privateKey, 'GET', '/api/ping'))).status === 200, 'the node to use the restarted Redis', 10_000);
    for (let i = 0; i < 5; i++) {
      const replay = await check(captured);
      assert.equal(replay.status, 401);
      assert.equal(replay.headers.get('x-keygate-code'), 'REPLAYED');
    }
    // Five refusals the lost claims caused, beyond a budget of 3: the address is not throttled for them.
    assert.equal((await check(signHmac(publicKey, privateKey, 'GET', '/api/balance'))).status, 200, 'a request signed now passes');
  });
});
