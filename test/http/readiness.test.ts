import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyError, FastifyRequest } from 'fastify';
import { BackendHealth } from '../../src/core/backend-health.ts';
import { errorReply } from '../../src/http/error-handler.ts';
import { startNode, type TestNode } from '../support/harness.ts';

describe('GET /readyz on the default set-up', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());

  it('answers 200 with a small body when the store and the bus answer', async () => {
    const response = await node.request('GET', '/readyz');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { ready: true, store: 'ok', bus: 'ok' });
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });
});

describe('errors of a backend that cannot be reached', () => {
  const request = { log: { error: () => assert.fail('a backend outage is not logged per request') } } as unknown as FastifyRequest;

  it('map to 503 UNAVAILABLE, not 500, and are reported to the store health once', () => {
    const lines: string[] = [];
    const health = new BackendHealth('store', 'PostgreSQL', { warn: (_f, message) => lines.push(message), info: (_f, message) => lines.push(message) });
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      Object.assign(new Error('the database system is shutting down'), { code: '57P01' }),
    ]) {
      const reply = errorReply(error as FastifyError, request, health);
      assert.equal(reply.status, 503, error.message);
      assert.equal(reply.body.error.code, 'UNAVAILABLE');
    }
    assert.equal(lines.length, 1, 'one line for the outage, not one per request');
    health.ok();
    assert.deepEqual(lines, ['PostgreSQL is unavailable; working without it until it answers again', 'PostgreSQL is back']);
  });
});
