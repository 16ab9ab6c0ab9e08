import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';

/**
 * Sends a WebSocket upgrade to `path` (with `headers`) and resets the TCP connection (RST) as soon as
 * the server has had it, or `afterMs` later: the server is then answering it, or still deciding.
 */
function upgradeThenReset(node: TestNode, path: string, headers: string, afterMs: number): Promise<void> {
  const { port } = new URL(node.url);
  const request = `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n`;
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(request);
      setTimeout(() => socket.resetAndDestroy(), afterMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

// Node stops listening for errors on a socket once it hands it to the 'upgrade' event: a client that
// reset its connection while the answer was being written ended the whole process.
describe('a client that resets its connection during a WebSocket handshake', () => {
  let node: TestNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.stop());

  for (const [what, path, headers] of [
    ['an unknown path (404)', '/nope', ''],
    ['the feed without a key (401)', '/', ''],
    ['the feed with an unknown key (403)', '/', `X-API-Key: dsk_${'0'.repeat(64)}\r\n`],
    ['the Centrifuge endpoint', '/connection/websocket', ''],
  ] as const) {
    it(`leaves the server serving: ${what}`, async () => {
      for (let i = 0; i < 30; i++) await upgradeThenReset(node, path, headers, i % 3);
      const health = await node.request('GET', '/healthz');
      assert.equal(health.status, 200);
    });
  }
});
