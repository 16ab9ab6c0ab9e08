import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApiKey } from '../../src/core/api-key.ts';
import type { EndReason } from '../../src/core/codes.ts';
import type { Principal } from '../../src/core/principal.ts';
import type { LiveSession } from '../../src/realtime/live-session.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import WebSocket from 'ws';
import { createKey, eventually, nextEvent, officialClient } from './realtime-fixtures.ts';

/**
 * A session as the hub and key watch see it, recording how it ended; ending it does what a real
 * session's clean-up does (leave the hub, let the key watch drop the key).
 */
class RecordingSession implements LiveSession {
  readonly protocol = 'feed' as const;
  readonly id = randomBytes(8).toString('hex');
  readonly ip = '127.0.0.1';
  readonly ended: EndReason[] = [];
  key: ApiKey;
  readonly #node: TestNode;
  constructor(node: TestNode, key: ApiKey) {
    this.#node = node;
    this.key = key;
  }
  get closed(): boolean {
    return this.ended.length > 0;
  }
  requiredPermission(): string | undefined {
    return undefined;
  }
  adoptKey(fresh: ApiKey): EndReason | null {
    this.key = fresh;
    return fresh.allowedExchanges.includes('binance') || fresh.allowedExchanges.includes('*') ? null : 'key_invalidated';
  }
  end(reason: EndReason): void {
    this.ended.push(reason);
    const { hub, keyWatch } = this.#node.keygate.realtime.context;
    hub.removeSession(this);
    keyWatch.unwatch(this.key.id);
  }
  keepAlive(): boolean {
    return true;
  }
}

describe('key watch', () => {
  let node: TestNode;
  let admin: Principal;
  const context = () => node.keygate.realtime.context;

  before(async () => {
    node = await startNode();
    admin = await node.keygate.tokens.principalFor(node.admin.user.id, 'test', '127.0.0.1');
  });
  after(async () => node.stop());

  const create = async (input: Record<string, unknown> = {}) =>
    (await node.keygate.keys.create(admin, { name: `kw-${randomBytes(3).toString('hex')}`, permissions: ['read'], ...input })).key;

  /** Starts `count` sessions of a key the way a front end does: verified key, hub, watch, settle. */
  const sessionsOf = async (key: ApiKey, count = 2): Promise<RecordingSession[]> => {
    const { hub, keyWatch } = context();
    const sessions = Array.from({ length: count }, () => new RecordingSession(node, key));
    for (const session of sessions) {
      hub.addSession(session);
      keyWatch.watch(key);
    }
    return sessions;
  };

  /** Makes the store's key reads throw `times` times (the store is down for those calls). */
  const storeFails = (times: number) => {
    const repository = node.keygate.store.keys;
    const original = { findByLookup: repository.findByLookup, findById: repository.findById };
    let left = times;
    const failing = <T extends (...args: never[]) => Promise<unknown>>(real: T): T =>
      (async (...args: Parameters<T>) => {
        if (left > 0) {
          left -= 1;
          throw new Error('connection to the database was lost');
        }
        return real.apply(repository, args);
      }) as T;
    repository.findByLookup = failing(original.findByLookup);
    repository.findById = failing(original.findById);
    return () => Object.assign(repository, original);
  };

  it('re-checks a key after its event and ends its sessions with the reason the key gives', async () => {
    const revoked = await create();
    const narrowed = await create({ allowedExchanges: ['binance', 'okx'] });
    const revokedSessions = await sessionsOf(revoked);
    const narrowedSessions = await sessionsOf(narrowed);
    await node.keygate.keys.revoke(admin, revoked.id);
    await node.keygate.keys.update(admin, narrowed.id, { allowedExchanges: ['okx'] });
    await eventually(() => [...revokedSessions, ...narrowedSessions].every((s) => s.closed), 2000, 'sessions ended');
    assert.deepEqual(revokedSessions.map((s) => s.ended), [['key_revoked'], ['key_revoked']]);
    assert.deepEqual(narrowedSessions.map((s) => s.ended), [['key_invalidated'], ['key_invalidated']]);
  });

  it('keeps sessions a changed key still allows, with the fresh key', async () => {
    const key = await create({ allowedExchanges: ['binance'] });
    const [session] = await sessionsOf(key, 1);
    await node.keygate.keys.update(admin, key.id, { allowedExchanges: ['binance', 'okx'] });
    await eventually(() => session.key.allowedExchanges.includes('okx'), 2000, 'fresh key adopted');
    assert.equal(session.closed, false);
    session.end('force_disconnect');
  });

  it('fails closed: when the re-check cannot reach the store, every session of the key ends (key_check_failed), logged once', async () => {
    const key = await create();
    const sessions = await sessionsOf(key, 3);
    const logged: unknown[] = [];
    const logger = context().logger;
    const error = logger.error.bind(logger);
    logger.error = ((...args: unknown[]) => void logged.push(args[0])) as typeof logger.error;
    // An event from elsewhere drops the cached key; the re-check must load it and the store is down.
    node.keygate.verifier.onKeyEvent({ type: 'updated', keyId: key.id, userId: key.userId, scheme: key.scheme, lookup: key.lookup, seq: 0, at: Date.now() });
    const restore = storeFails(1);
    try {
      context().keyWatch.onKeyEvent({ type: 'updated', keyId: key.id, userId: key.userId, scheme: key.scheme, lookup: key.lookup, seq: 0, at: Date.now() });
      await eventually(() => sessions.every((s) => s.closed), 2000, 'sessions ended');
    } finally {
      restore();
      logger.error = error;
    }
    assert.deepEqual(sessions.map((s) => s.ended), [['key_check_failed'], ['key_check_failed'], ['key_check_failed']]);
    assert.equal(logged.length, 1, 'one log line for the key');
    assert.equal((logged[0] as { keyId: string }).keyId, key.id);
    assert.equal(context().hub.hasSessions(key.id), false);
  });

  it('ends real sessions it cannot re-check with codes that make clients come back: Centrifuge 3011 (reconnects, retries until the store answers), feed 1001', async () => {
    const owner = await node.addUser();
    const { key, id } = await createKey(node, owner.token);
    const c = officialClient(node, { token: key });
    const disconnects: Array<{ code: number }> = [];
    c.on('connecting', (ctx) => disconnects.push(ctx));
    const temporary: unknown[] = [];
    c.on('error', (ctx) => ctx.type === 'connect' && temporary.push(ctx.error));
    c.connect();
    await nextEvent(c, 'connected');
    const feed = new WebSocket(node.url.replace(/^http/, 'ws') + '/', { headers: { 'X-API-Key': key } });
    const feedClosed = new Promise<[number, string]>((resolve) => feed.once('close', (code, reason) => resolve([code, reason.toString()])));
    await new Promise((resolve, reject) => feed.once('open', resolve).once('error', reject));
    await eventually(() => context().hub.sessionsOf(id).length === 2, 2000, 'both sessions');

    const apiKey = context().hub.sessionsOf(id)[0].key;
    const restore = storeFails(Number.POSITIVE_INFINITY);
    try {
      node.keygate.verifier.onKeyEvent({ type: 'updated', keyId: id, userId: apiKey.userId, scheme: apiKey.scheme, lookup: apiKey.lookup, seq: 0, at: Date.now() });
      context().keyWatch.onKeyEvent({ type: 'updated', keyId: id, userId: apiKey.userId, scheme: apiKey.scheme, lookup: apiKey.lookup, seq: 0, at: Date.now() });
      assert.deepEqual(await feedClosed, [1001, 'key_check_failed']);
      await eventually(() => disconnects.some((ctx) => ctx.code === 3011), 2000, 'the Centrifuge client reconnecting');
      await eventually(() => temporary.length > 0, 5000, 'a temporary connect error while the store is down');
      assert.equal((temporary[0] as { code: number; temporary: boolean }).temporary, true);
    } finally {
      restore();
    }
    await nextEvent(c, 'connected', 5000);
    c.disconnect();
  });

  it('ends the sessions at the key\'s expiry, on its own timer', async () => {
    const key = await create({ expiresAt: Date.now() + 300 });
    const sessions = await sessionsOf(key);
    assert.equal(context().keyWatch.isWatching(key.id), true);
    await eventually(() => sessions.every((s) => s.closed), 2000, 'sessions ended at expiry');
    assert.deepEqual(sessions.map((s) => s.ended), [['key_expired'], ['key_expired']]);
    assert.equal(context().keyWatch.isWatching(key.id), false);
  });

  it('ends the sessions when a revocation scheduled by a roll takes effect', async () => {
    const key = await create();
    const sessions = await sessionsOf(key);
    await node.keygate.keys.roll(admin, key.id, 1);
    // The roll's event re-checks the key: still valid for its grace second, now with an end timer.
    await eventually(() => context().keyWatch.isWatching(key.id), 2000, 'timer for the scheduled revocation');
    assert.ok(sessions.every((s) => !s.closed));
    await eventually(() => sessions.every((s) => s.closed), 3000, 'sessions ended at the end of the grace period');
    assert.deepEqual(sessions.map((s) => s.ended), [['key_revoked'], ['key_revoked']]);
  });

  it('drops a key\'s timer when its last session goes, not before', async () => {
    const key = await create({ expiresAt: Date.now() + 3_600_000 });
    const [first, second] = await sessionsOf(key);
    first.end('force_disconnect');
    assert.equal(context().keyWatch.isWatching(key.id), true, 'a session remains');
    second.end('force_disconnect');
    assert.equal(context().keyWatch.isWatching(key.id), false);
  });

  it('settles a session whose setup raced an event: re-checked after the mark, not before', async () => {
    const { keyWatch, hub } = context();
    const raced = await create();
    const mark = keyWatch.mark();
    // The session authenticated with the key; the revocation's event arrives before it is in the hub.
    await node.keygate.keys.revoke(admin, raced.id);
    await eventually(() => keyWatch.changedSince(raced, mark), 2000, 'event seen');
    const [late] = await sessionsOf(raced, 1);
    assert.equal(late.closed, false);
    keyWatch.settle(raced, mark);
    await eventually(() => late.closed, 2000, 'late session ended');
    assert.deepEqual(late.ended, ['key_revoked']);

    // An event before the mark concerns facts the setup already read: nothing to settle.
    const calm = await create();
    await node.keygate.keys.update(admin, calm.id, { name: 'renamed' });
    await eventually(() => keyWatch.changedSince(calm, 0), 2000, 'event seen');
    const afterEvent = keyWatch.mark();
    assert.equal(keyWatch.changedSince(calm, afterEvent), false);
    const [session] = await sessionsOf(calm, 1);
    keyWatch.settle(calm, afterEvent);
    assert.equal(session.closed, false);
    session.end('force_disconnect');
    assert.equal(hub.hasSessions(calm.id), false);
  });

  it('settles a session whose setup raced a change of its owner\'s wallets, though the key had no session yet', async () => {
    const { keyWatch } = context();
    const owner = await node.addUser({ wallets: ['0x' + randomBytes(20).toString('hex')] });
    const principal = await node.keygate.tokens.principalFor(owner.user.id, 'test', '127.0.0.1');
    const mine = (await node.keygate.keys.create(principal, { name: 'mine', permissions: ['read'] })).key;
    const others = await create();
    const mark = keyWatch.mark();
    await node.keygate.directory.removeWallet(owner.user.id, owner.user.wallets[0]);
    await eventually(() => keyWatch.changedSince(mine, mark), 2000, 'the owner\'s change seen for a key without sessions');
    assert.equal(keyWatch.changedSince(others, mark), false, 'another user\'s key is not concerned');
  });
});
