import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startDemoPublisher } from '../../src/demo/demo-publisher.ts';
import { startNode, type TestNode, type TestUser } from '../support/harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { createKey, nextEvent, officialClient, WALLET } from './realtime-fixtures.ts';

describe('demo publications reach both protocols through keygate.publish', () => {
  let node: TestNode;
  let owner: TestUser;
  before(async () => {
    node = await startNode();
    owner = await node.addUser({ wallets: [WALLET] });
  });
  after(async () => node.stop());

  it('delivers a maintenance update to a Centrifuge subscriber and listings to Centrifuge and the feed alike', async () => {
    const { key } = await createKey(node, owner.token, { allowedExchanges: ['binance'] });
    const client = officialClient(node, { token: key });
    const maintenance = client.newSubscription(`maintenance:wallet:${WALLET}`);
    const listings = client.newSubscription('listings:binance');
    maintenance.subscribe();
    listings.subscribe();
    client.connect();
    await Promise.all([nextEvent(maintenance, 'subscribed'), nextEvent(listings, 'subscribed')]);

    const feedMessages: any[] = [];
    const feed = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
    feed.on('message', (data) => feedMessages.push(JSON.parse(data.toString())));
    await waitFor(() => feedMessages.some((m) => m.type === 'welcome'), 'the feed\'s welcome');

    const update = nextEvent(maintenance, 'publication');
    const listing = nextEvent(listings, 'publication');
    const demo = startDemoPublisher({ publish: node.keygate.publish, wallets: [WALLET.toLowerCase()], exchanges: ['binance', 'okx'] });
    await demo.tick();
    await demo.stop();

    assert.equal(typeof (await update).data, 'object');
    const published = (await listing).data;
    assert.equal(published.publisher, 'binance');
    await waitFor(() => feedMessages.some((m) => m.type === 'announcement'), 'an announcement on the feed');
    const announcements = feedMessages.filter((m) => m.type === 'announcement');
    assert.deepEqual(announcements, [published], 'the feed gets the same announcement, and none for okx');
    client.disconnect();
    feed.close();
  });
});
