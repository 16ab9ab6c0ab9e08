import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { capturedLogger } from '../support/captured-log.ts';
import { startNode, type TestNode } from '../support/harness.ts';

/** Sends a whole request and resets the connection at once: the server handles it with the client gone. */
function sendThenReset(node: TestNode, method: string, path: string, body: unknown): Promise<void> {
  const { port } = new URL(node.url);
  const json = JSON.stringify(body);
  const request = `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(request);
      socket.resetAndDestroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

// Once a client has reset its connection, Fastify's request.ip is undefined: it reached the failure
// throttle as a TypeError, logged as an unhandled error with its stack for every such request.
describe('requests whose client reset the connection right after sending them', () => {
  const log = capturedLogger();
  let node: TestNode;
  before(async () => {
    node = await startNode({ logger: log.logger });
  });
  after(async () => node.stop());

  it('are handled without an error in the log, on every route that counts the client address', async () => {
    const wallet = { address: '0x' + '1'.repeat(40), publicKey: 'ab'.repeat(32), apiWalletName: 'w', signature: { r: '0x' + '2'.repeat(64), s: '0x' + '3'.repeat(64), v: 27 } };
    for (let i = 0; i < 10; i++) {
      await sendThenReset(node, 'POST', '/v1/createApiKey', wallet);
      await sendThenReset(node, 'POST', '/v1/revokeApiKey', wallet);
      await sendThenReset(node, 'POST', '/v1/console/siwe/nonce', {});
      await sendThenReset(node, 'POST', '/v1/console/token', { token: 'kgm_' + '0'.repeat(64) });
      await sendThenReset(node, 'POST', '/v1/keys/verify', { key: 'dsk_' + '0'.repeat(64) });
    }
    await sleep(500);
    const errors = log.lines.filter((line) => line.level >= 50);
    assert.deepEqual(errors.map((line) => line.msg), []);
    assert.equal((await node.request('GET', '/healthz')).status, 200);
  });
});
