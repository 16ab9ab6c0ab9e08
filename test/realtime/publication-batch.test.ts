import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { PublicationBatch } from '../../src/realtime/publication-batch.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { centrifugeUrl, createKey, nextEvent, officialClient, WALLET } from './realtime-fixtures.ts';

const CHANNEL = `maintenance:wallet:${WALLET}`;

/** The push lines of a frame, parsed. */
const pushes = (frame: Buffer) => frame.toString().split('\n').map((line) => JSON.parse(line).push.pub);

describe('a channel batch: the publications of one turn of the event loop in one frame', () => {
  it('frames every publication once, in order, and gives every new subscriber the same bytes', () => {
    const batch = new PublicationBatch(CHANNEL);
    batch.add({ n: 1 }, 11, 'e');
    batch.add({ n: 2 }, 12, 'e');
    const a = batch.deliveryAfter('e', 10)!;
    const b = batch.deliveryAfter('', 0)!;
    assert.equal(a.frame, b.frame, 'one frame object shared by both subscribers');
    assert.deepEqual(pushes(a.frame.payload), [{ data: { n: 1 }, offset: 11 }, { data: { n: 2 }, offset: 12 }]);
    assert.deepEqual([a.offset, a.epoch], [12, 'e']);
    assert.equal(batch.count, 2);
  });

  it('leaves out what a subscriber already had by offset in its epoch, and nothing at all when it had everything', () => {
    const batch = new PublicationBatch(CHANNEL);
    for (const offset of [5, 6, 7]) batch.add({ offset }, offset, 'e');
    const rest = batch.deliveryAfter('e', 6)!;
    assert.deepEqual(pushes(rest.frame.payload).map((p) => p.offset), [7]);
    assert.equal(batch.deliveryAfter('e', 7), null);
    assert.deepEqual(pushes(batch.deliveryAfter('other', 100)!.frame.payload).map((p) => p.offset), [5, 6, 7], 'another epoch: all of it is new');
  });

  it('applies the rule publication by publication when the stream was reset within the batch', () => {
    const batch = new PublicationBatch(CHANNEL);
    batch.add({}, 8, 'old');
    batch.add({}, 1, 'new');
    batch.add({}, 2, 'new');
    const delivery = batch.deliveryAfter('old', 8)!;
    assert.deepEqual(pushes(delivery.frame.payload).map((p) => p.offset), [1, 2]);
    assert.deepEqual([delivery.offset, delivery.epoch], [2, 'new']);
  });
});

describe('a burst of publications on the wire', () => {
  let node: TestNode;
  let owner: TestUser;
  before(async () => {
    node = await startNode();
    owner = await node.addUser({ wallets: [WALLET] });
  });
  after(async () => node.stop());

  it('reaches a raw socket in fewer frames than publications, and the official client in full and in order', async () => {
    const { key } = await createKey(node, owner.token);
    const official = officialClient(node, { token: key });
    const received: number[] = [];
    const sub = official.newSubscription(CHANNEL);
    sub.on('publication', (ctx) => received.push(ctx.data.n));
    official.connect();
    sub.subscribe();
    await nextEvent(sub, 'subscribed');

    const raw = new WebSocket(centrifugeUrl(node));
    const frames: string[] = [];
    raw.on('message', (data) => frames.push(data.toString()));
    await new Promise((resolve, reject) => raw.once('open', resolve).once('error', reject));
    raw.send(`{"id":1,"connect":{"token":"${key}"}}\n{"id":2,"subscribe":{"channel":"${CHANNEL}"}}`);
    await waitFor(() => frames.some((f) => f.includes('"id":2')), 'the raw subscribe reply');
    frames.length = 0;

    await Promise.all(Array.from({ length: 20 }, (_, n) => node.keygate.publish(CHANNEL, { n })));
    const lines = () => frames.flatMap((f) => f.split('\n')).filter((l) => l.startsWith('{"push"'));
    await waitFor(() => lines().length === 20 && received.length === 20, 'all 20 publications at both clients');
    assert.deepEqual(received, Array.from({ length: 20 }, (_, n) => n), 'the official client got every publication once, in order');
    assert.deepEqual(lines().map((l) => JSON.parse(l).push.pub.data.n), received);
    assert.ok(frames.length < 20, `${frames.length} frames carried 20 publications`);
    raw.close();
    official.disconnect();
  });
});
