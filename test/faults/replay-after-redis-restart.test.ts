import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { hasRedisServer, nodeOnOwnRedis, TestRedisServer } from '../support/redis-server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { askAsNginx, seedHmacPair } from '../support/seed.ts';
import { signHmac, type SignedRequest } from '../support/signers.ts';
import { waitFor } from '../support/wait-for.ts';

// Replay claims live in Redis, and a Redis restarted without persistence comes back without them.
// A request signed before the restart, captured and sent again inside the signature window, must
// not count as new; a request signed after it must pass.
describe('a signed request cannot be replayed across a Redis restart', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  // A small failure budget: refusals that are not the client's doing must not spend it.
  const own = nodeOnOwnRedis({ verify: { failuresPerMinutePerIp: 3 } });

  it('refuses the old signature as REPLAYED once Redis is back, and accepts a freshly signed request', async () => {
    const { publicKey, privateKey } = await seedHmacPair(own.node);
    const check = (signed: SignedRequest) => askAsNginx(own.node, signed);

    const captured = signHmac(publicKey, privateKey, 'GET', '/api/balance');
    assert.equal((await check(captured)).status, 200);
    assert.equal((await check(captured)).headers.get('x-keygate-code'), 'REPLAYED');

    await own.redis.kill();
    await own.redis.restart();
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

// A client whose clock runs ahead stamps its requests for a moment after the restart. The allowance is
// widened to 5 s here (the default is 1 s) so that the restart surely falls inside it on a busy machine.
describe('a request from a client whose clock runs ahead cannot be replayed across a Redis restart', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  const own = nodeOnOwnRedis({ verify: { signatureFutureMs: 5_000 } });

  it('refuses it as REPLAYED once Redis is back, and accepts requests signed after the allowance', async () => {
    const { publicKey, privateKey } = await seedHmacPair(own.node);
    const check = (signed: SignedRequest) => askAsNginx(own.node, signed);
    const ahead = signHmac(publicKey, privateKey, 'GET', '/api/balance', '', String(Date.now() + 4_500));
    assert.equal((await check(ahead)).status, 200);
    await own.redis.kill();
    await own.redis.restart();
    await waitFor(async () => (await check(signHmac(publicKey, privateKey, 'GET', '/api/ping'))).status === 200, 'the node to use the restarted Redis', 15_000);
    assert.ok(Number(ahead.headers['API-Timestamp']) > own.node.keygate.broker.claimsSince, 'stamped for a moment after Redis came back');
    const replay = await check(ahead);
    assert.deepEqual([replay.status, replay.headers.get('x-keygate-code')], [401, 'REPLAYED']);
  });
});

// A host reboot restarts the node and Redis together: the new node must know the claims are gone. And
// a dropped connection to a Redis that did not restart loses nothing: nothing is refused for it.
describe('replay claims when the node restarts with Redis, and when only the connection drops', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  const own = nodeOnOwnRedis();

  const check = askAsNginx;

  it('keeps every claim across a dropped connection, refusing no request signed before it', async () => {
    // Redis reports its uptime in whole seconds, so the node counts it a second short: let it be up a while before signing.
    await waitFor(async () => Number(/uptime_in_seconds:(\d+)/.exec(await own.redis.command('INFO server'))?.[1]) >= 3, 'Redis to be up for 3 s', 6000);
    const { publicKey, privateKey } = await seedHmacPair(own.node);
    const claimed = signHmac(publicKey, privateKey, 'GET', '/api/a');
    const unused = signHmac(publicKey, privateKey, 'GET', '/api/b');
    assert.equal((await check(own.node, claimed)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const dropped = waitFor(() => !own.node.keygate.broker.health.up, 'the node to notice the dropped connection');
    await own.redis.command('CLIENT KILL TYPE normal');
    await dropped.catch(() => undefined);
    await waitFor(async () => (await check(own.node, signHmac(publicKey, privateKey, 'GET', '/api/ping'))).status === 200, 'the node to use Redis again', 10_000);
    assert.equal((await check(own.node, claimed)).headers.get('x-keygate-code'), 'REPLAYED', 'the claim made before the drop still holds');
    assert.equal((await check(own.node, unused)).status, 200, 'a request signed before the drop and never used passes');
  });

  it('refuses, on a node started beside a Redis that restarted, a request captured before the restart', async () => {
    const { publicKey, privateKey } = await seedHmacPair(own.node);
    const captured = signHmac(publicKey, privateKey, 'GET', '/api/balance');
    assert.equal((await check(own.node, captured)).status, 200);
    await own.redis.kill();
    await own.redis.restart();
    // A node that starts now, on the same store and Redis, has never seen Redis before the restart.
    const fresh = await startNode({ joinOf: own.node, config: { redisUrl: own.redis.url } });
    try {
      const replay = await check(fresh, captured);
      assert.equal(replay.status, 401);
      assert.equal(replay.headers.get('x-keygate-code'), 'REPLAYED');
      assert.equal((await check(fresh, signHmac(publicKey, privateKey, 'GET', '/api/balance'))).status, 200, 'a request signed now passes');
    } finally {
      await fresh.stop();
    }
  });
});

// A failover: the address Redis is reached at now leads to another server (a promoted replica) that has
// been up for a while but never held the claims the node made on the old one.
describe('a signed request cannot be replayed after a failover to another Redis server', { skip: hasRedisServer ? false : 'redis-server is not installed' }, () => {
  let standby: TestRedisServer;
  let primary: TestRedisServer;
  let proxy: TcpProxy;
  let node: TestNode;
  before(async () => {
    standby = await TestRedisServer.start();
    primary = await TestRedisServer.start();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: primary.port });
    node = await startNode({ config: { redisUrl: `redis://127.0.0.1:${proxy.port}` } });
  });
  after(async () => {
    await node?.stop();
    await proxy?.stop();
    await primary?.kill();
    await standby?.kill();
  });

  it('refuses, on the new server, a request used on the old one, however long the new one has been up and however often the node reconnects to it', async () => {
    // Up for seconds before the request is signed: its uptime alone would vouch for the request.
    await waitFor(async () => Number(/uptime_in_seconds:(\d+)/.exec(await standby.command('INFO server'))?.[1]) >= 3, 'the standby to be up for 3 s', 6000);
    const { publicKey, privateKey } = await seedHmacPair(node);
    const captured = signHmac(publicKey, privateKey, 'GET', '/api/balance');
    assert.equal((await askAsNginx(node, captured)).status, 200);
    await proxy.switchTo({ host: '127.0.0.1', port: standby.port });
    // Past the second after the reconnect in which no request can be vouched for (signatureFutureMs),
    // and until the node has asked the standby what it is: then its uptime would speak, if anything did.
    const switched = Date.now();
    await waitFor(async () => Date.now() > switched + 1_500 && (await askAsNginx(node, signHmac(publicKey, privateKey, 'GET', '/api/ping'))).status === 200, 'the node to use the standby', 10_000);
    const replay = await askAsNginx(node, captured);
    assert.deepEqual([replay.status, replay.headers.get('x-keygate-code')], [401, 'REPLAYED']);
    assert.equal((await askAsNginx(node, signHmac(publicKey, privateKey, 'GET', '/api/balance'))).status, 200, 'a request signed now passes');

    // A blip on the standby: the node reconnects to the same server, which still never got the claim.
    const blipped = Date.now();
    await standby.command('CLIENT KILL TYPE normal');
    await waitFor(async () => Date.now() > blipped + 1_500 && (await askAsNginx(node, signHmac(publicKey, privateKey, 'GET', '/api/ping'))).status === 200, 'the node to use the standby again', 10_000);
    const again = await askAsNginx(node, captured);
    assert.deepEqual([again.status, again.headers.get('x-keygate-code')], [401, 'REPLAYED'], 'still refused after a reconnect to the same standby');
  });
});
