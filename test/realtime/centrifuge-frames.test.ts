import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodOf, parseCommands, publicationPush } from '../../src/realtime/centrifuge-frames.ts';
import { ConnectionTokens } from '../../src/realtime/connection-token.ts';
import { historyWindow, recoverFrom } from '../../src/realtime/recovery.ts';

describe('Centrifuge frames', () => {
  it('splits batched commands, one JSON object per line, and refuses anything else', () => {
    assert.deepEqual(parseCommands('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"c"}}'), [
      { id: 1, connect: {} },
      { id: 2, subscribe: { channel: 'c' } },
    ]);
    assert.equal(parseCommands('{"id":1}\nnot json'), null);
    assert.equal(parseCommands('[1,2]'), null);
  });

  it('names the method of a command; an empty object is the pong', () => {
    assert.equal(methodOf({ id: 3, presence_stats: {} }), 'presence_stats');
    assert.equal(methodOf({}), null);
    assert.equal(methodOf({ id: 4, bogus: {} }), 'unknown');
  });

  it('serializes a publication push in the shape the client reads', () => {
    assert.deepEqual(JSON.parse(publicationPush('c', { a: 1 }, 7)), { push: { channel: 'c', pub: { data: { a: 1 }, offset: 7 } } });
  });
});

describe('recovery', () => {
  const stream = { epoch: 'e1', offset: 5, publications: [3, 4, 5].map((offset) => ({ offset, data: offset })) };

  it('recovers the publications after the position when all are kept', () => {
    assert.deepEqual(recoverFrom(stream, 3, 'e1'), { recovered: true, publications: stream.publications.slice(1) });
    assert.deepEqual(recoverFrom(stream, 5, 'e1'), { recovered: true, publications: [] });
  });

  it('does not recover across a gap, another epoch or a position from the future', () => {
    assert.equal(recoverFrom(stream, 1, 'e1').recovered, false);
    assert.equal(recoverFrom(stream, 4, 'e0').recovered, false);
    assert.equal(recoverFrom(stream, 9, 'e1').recovered, false);
  });

  it('windows history by position, direction and limit', () => {
    assert.deepEqual(historyWindow(stream, { limit: 0 }), []);
    assert.deepEqual(historyWindow(stream, { limit: -1, sinceOffset: 3 }).map((p) => p.offset), [4, 5]);
    assert.deepEqual(historyWindow(stream, { limit: 2, reverse: true }).map((p) => p.offset), [5, 4]);
  });
});

describe('connection tokens', () => {
  const tokens = new ConnectionTokens(Buffer.alloc(32, 7));

  it('are bound to a key id and an expiry, and refuse tampering', () => {
    const { token, expiresAt } = tokens.mint('key-1', 10_000_000);
    assert.deepEqual(tokens.check(token, 9_000_000), { kind: 'valid', keyId: 'key-1', expiresAt });
    assert.deepEqual(tokens.check(token, expiresAt), { kind: 'expired', keyId: 'key-1' });
    assert.equal(tokens.check(token.replace('key-1', 'key-2'), 0).kind, 'invalid');
    assert.equal(new ConnectionTokens(Buffer.alloc(32, 8)).check(token, 0).kind, 'invalid');
  });
});
