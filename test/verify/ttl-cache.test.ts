import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtlCache } from '../../src/verify/ttl-cache.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('TtlCache', () => {
  it('returns what was set, and nothing for a key never set', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 1_000, maxSize: 10 });
    cache.set('a', 1, T0);
    assert.equal(cache.get('a', T0), 1);
    assert.equal(cache.get('b', T0), undefined);
    assert.equal(cache.size, 1);
  });

  it('says when no entry can be live, although lapsed entries stay counted until read', () => {
    const cache = new TtlCache<string, true>({ ttlMs: 60_000, maxSize: 10 });
    assert.equal(cache.mayHold(T0), false, 'empty');
    cache.set('203.0.113.7', true, T0);
    assert.equal(cache.mayHold(T0 + 59_999), true);
    assert.equal(cache.mayHold(T0 + 60_000), false, 'every entry has lapsed');
    assert.equal(cache.size, 1, 'the lapsed entry is still held: size alone cannot tell');
    cache.set('203.0.113.8', true, T0 + 90_000);
    assert.equal(cache.mayHold(T0 + 100_000), true);
  });

  it('keeps an entry until exactly ttl after it was set, not a millisecond longer', () => {
    const cache = new TtlCache<string, string>({ ttlMs: 30_000, maxSize: 10 });
    cache.set('k', 'v', T0);
    assert.equal(cache.get('k', T0 + 29_999), 'v');
    assert.equal(cache.get('k', T0 + 30_000), undefined);
  });

  it('restarts the ttl when a key is set again, and keeps the newest value', () => {
    const cache = new TtlCache<string, string>({ ttlMs: 1_000, maxSize: 10 });
    cache.set('k', 'old', T0);
    cache.set('k', 'new', T0 + 900);
    assert.equal(cache.size, 1);
    assert.equal(cache.get('k', T0 + 1_500), 'new');
    assert.equal(cache.get('k', T0 + 1_900), undefined);
  });

  it('holds at most maxSize entries, evicting the oldest first', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 60_000, maxSize: 3 });
    cache.set('a', 1, T0);
    cache.set('b', 2, T0 + 1);
    cache.set('c', 3, T0 + 2);
    cache.set('d', 4, T0 + 3);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('a', T0 + 3), undefined, 'the oldest went');
    assert.deepEqual(['b', 'c', 'd'].map((k) => cache.get(k, T0 + 3)), [2, 3, 4]);
    cache.set('e', 5, T0 + 4);
    assert.equal(cache.get('b', T0 + 4), undefined, 'then the next oldest');
    assert.equal(cache.size, 3);
  });

  it('counts a key set again as new, so it is evicted last', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 60_000, maxSize: 2 });
    cache.set('a', 1, T0);
    cache.set('b', 2, T0);
    cache.set('a', 10, T0 + 1);
    assert.equal(cache.size, 2, 'setting a key that is already there evicts nothing');
    cache.set('c', 3, T0 + 2);
    assert.equal(cache.get('b', T0 + 2), undefined);
    assert.equal(cache.get('a', T0 + 2), 10);
    assert.equal(cache.get('c', T0 + 2), 3);
  });

  it('caches nothing when ttl is 0', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 0, maxSize: 10 });
    cache.set('a', 1, T0);
    assert.equal(cache.get('a', T0), undefined);
    assert.equal(cache.size, 0);
  });

  it('forgets one key on delete and every key on clear', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 60_000, maxSize: 10 });
    cache.set('a', 1, T0);
    cache.set('b', 2, T0);
    cache.delete('a');
    cache.delete('never-set');
    assert.equal(cache.get('a', T0), undefined);
    assert.equal(cache.get('b', T0), 2);
    assert.equal(cache.size, 1);
    cache.set('c', 3, T0);
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.get('b', T0), undefined);
    assert.equal(cache.get('c', T0), undefined);
    cache.set('b', 20, T0);
    assert.equal(cache.get('b', T0), 20, 'usable again after clear');
  });

  it('stores falsy values as values, not as misses', () => {
    const cache = new TtlCache<string, number | string | boolean | null>({ ttlMs: 1_000, maxSize: 10 });
    for (const [key, value] of [['zero', 0], ['empty', ''], ['false', false], ['null', null]] as const) {
      cache.set(key, value, T0);
      assert.equal(cache.get(key, T0), value, key);
    }
  });
});
