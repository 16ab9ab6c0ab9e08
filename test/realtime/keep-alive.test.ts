import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { centrifugeUrl, createKey, nextEvent, officialClient } from './realtime-fixtures.ts';

describe('keep-alive on both protocols', () => {
  let node: TestNode;
  let user: TestUser;
  let key: string;
  before(async () => {
    node = await startNode({ config: { realtime: { pingIntervalSeconds: 1 } } });
    user = await node.addUser();
    key = (await createKey(node, user.token)).key;
  });
  after(async () => node.stop());

  it('keeps an official client that answers pings, and closes a Centrifuge client that does not (3012)', async () => {
    const official = officialClient(node, { token: key });
    let disconnects = 0;
    official.on('disconnected', () => disconnects++);
    official.connect();
    await nextEvent(official, 'connected');

    const silent = new WebSocket(centrifugeUrl(node));
    const pings: string[] = [];
    silent.on('message', (data) => pings.push(data.toString()));
    await new Promise((resolve) => silent.once('open', resolve));
    silent.send(JSON.stringify({ id: 1, connect: { token: key } }));
    const [code] = await new Promise<[number, Buffer]>((resolve) => silent.once('close', (...args) => resolve(args)));
    assert.equal(code, 3012);
    assert.ok(pings.includes('{}'), 'the server pinged with {}');
    assert.equal(disconnects, 0, 'the official client stayed connected');
    official.disconnect();
  });

  it('pings feed clients with WebSocket ping frames', async () => {
    const ws = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
    const pinged = new Promise((resolve) => ws.once('ping', resolve));
    await pinged;
    ws.close();
  });
});
