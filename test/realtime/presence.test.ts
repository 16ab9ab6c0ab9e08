import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { createKey, eventually, rawCentrifuge, type RawCentrifuge } from './realtime-fixtures.ts';

const SHARED = 'listings:binance';

describe('presence shows a client only its own organization', () => {
  let node: TestNode;
  let ours: { token: string; userId: string };
  let theirs: { token: string; userId: string };
  before(async () => {
    node = await startNode();
    const member = await node.addUser();
    ours = { token: member.token, userId: member.user.id };
    const org = await node.keygate.directory.createOrganization(`other-${randomBytes(3).toString('hex')}`);
    const user = await node.keygate.directory.createUser({ organizationId: org.id, name: 'other-member', role: 'member' });
    theirs = { token: (await node.keygate.tokens.create(user, 'test')).token, userId: user.id };
  });
  after(async () => node.stop());

  const serverPresence = async () =>
    (await node.request('POST', '/api/presence', { headers: { authorization: `apikey ${node.keygate.serverToken}` }, body: { channel: SHARED } })).body.result.presence as Record<string, { user: string }>;

  /** A raw client of `who` subscribed to the shared channel; resolves with it and its client id. */
  const subscribed = async (who: { token: string }): Promise<{ client: RawCentrifuge; id: string }> => {
    const { key } = await createKey(node, who.token, { allowedExchanges: ['*'] });
    const client = await rawCentrifuge(node);
    client.send({ id: 1, connect: { token: key } }, { id: 2, subscribe: { channel: SHARED } });
    const connect = await client.waitFor((line) => line.id === 1);
    await client.waitFor((line) => line.id === 2);
    return { client, id: connect.connect.client };
  };

  it('lists and counts only the caller\'s organization on a shared listings channel; the server API sees everyone', async () => {
    const a = await subscribed(ours);
    const b = await subscribed(theirs);
    a.client.send({ id: 3, presence: { channel: SHARED } }, { id: 4, presence_stats: { channel: SHARED } });
    const presence = (await a.client.waitFor((line) => line.id === 3)).presence.presence;
    assert.deepEqual(presence, { [a.id]: { client: a.id, user: ours.userId } });
    assert.deepEqual((await a.client.waitFor((line) => line.id === 4)).presence_stats, { num_clients: 1, num_users: 1 });
    b.client.send({ id: 3, presence: { channel: SHARED } });
    assert.deepEqual(Object.keys((await b.client.waitFor((line) => line.id === 3)).presence.presence), [b.id]);

    assert.deepEqual(Object.keys(await serverPresence()).sort(), [a.id, b.id].sort());

    // Entries go with the subscription: on unsubscribe, and when the connection closes.
    a.client.send({ id: 5, unsubscribe: { channel: SHARED } });
    await a.client.waitFor((line) => line.id === 5);
    await eventually(async () => JSON.stringify(Object.keys(await serverPresence())) === JSON.stringify([b.id]), 2000, 'presence without a');
    b.client.ws.close();
    await eventually(async () => Object.keys(await serverPresence()).length === 0, 2000, 'presence emptied');
    a.client.ws.close();
  });
});
