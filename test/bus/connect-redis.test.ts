import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connectRedis } from '../../src/bus/connect-redis.ts';
import { BackendConnectError } from '../../src/core/backend-connect-error.ts';

const url = process.env.REDIS_URL;

describe('connectRedis', { skip: url ? false : 'REDIS_URL is not set' }, () => {
  it('still reconnects by itself after a ready connection drops (only the first connection is bounded)', async () => {
    const client = await connectRedis(url!, {});
    const admin = new Redis(url!);
    try {
      const id = await client.client('ID');
      const reconnected = once(client, 'ready');
      await admin.client('KILL', 'ID', String(id));
      await reconnected;
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.disconnect();
      admin.disconnect();
    }
  });

  it('a refusal fails at once, without waiting for the start-up budget', async () => {
    const wrong = new URL(url!);
    wrong.username = 'no-such-user';
    wrong.password = 'secret';
    const started = Date.now();
    await assert.rejects(connectRedis(wrong.toString(), {}), (error: unknown) => {
      assert.ok(error instanceof BackendConnectError);
      assert.match(error.message, /^Redis at redis:\/\/no-such-user:\*\*\*@.* refused the connection: /);
      return true;
    });
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  });
});
