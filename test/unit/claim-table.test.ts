import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ClaimTable } from '../../src/bus/claim-table.ts';

describe('the in-memory claim table', () => {
  const TTL = 31_000;
  const start = 1_700_000_000_000;

  it('accepts each of 50,000 signatures once, across its growth from 1,024 slots, and refuses every repeat', () => {
    const table = new ClaimTable(start);
    const signatures = Array.from({ length: 50_000 }, () => randomBytes(32));
    for (const signature of signatures) assert.equal(table.claim('hmac:k', signature, TTL, start + 1), true);
    let repeats = 0;
    for (const signature of signatures) if (!table.claim('hmac:k', Buffer.from(signature), TTL, start + 2)) repeats += 1;
    assert.equal(repeats, 50_000);
    assert.equal(table.size, 50_000);
  });

  it('keeps spaces apart even when their signatures end in the same 32 bytes', () => {
    const table = new ClaimTable(start);
    const tail = randomBytes(32);
    const spaces = Array.from({ length: 200 }, (_, i) => `rsa:key-${i}`);
    for (const space of spaces) assert.equal(table.claim(space, Buffer.concat([randomBytes(224), tail]), TTL, start), true, space);
    for (const space of spaces) assert.equal(table.claim(space, Buffer.concat([randomBytes(224), tail]), TTL, start), false, space);
  });

  it('counts a claim for exactly its TTL, then accepts it anew', () => {
    const table = new ClaimTable(start);
    const signature = randomBytes(64);
    assert.equal(table.claim('ed25519:k', signature, TTL, start), true);
    assert.equal(table.claim('ed25519:k', signature, TTL, start + TTL - 1), false);
    assert.equal(table.claim('ed25519:k', signature, TTL, start + TTL), true);
    assert.equal(table.claim('ed25519:k', signature, TTL, start + TTL + 1), false, 'claimed again from then');
  });

  it('keeps a claim made at the end of a generation for its whole TTL after the generation retires', () => {
    const table = new ClaimTable(start);
    table.claim('hmac:k', randomBytes(32), TTL, start);
    const late = randomBytes(32);
    assert.equal(table.claim('hmac:k', late, TTL, start + TTL - 1), true);
    // The generation it was made in retires at start + TTL; the claim lives until start + 2·TTL - 1.
    assert.equal(table.claim('hmac:k', randomBytes(32), TTL, start + TTL), true);
    assert.equal(table.claim('hmac:k', late, TTL, start + 2 * TTL - 2), false);
    assert.equal(table.claim('hmac:k', late, TTL, start + 2 * TTL - 1), true);
  });

  it('honours a longer TTL than the ones before it', () => {
    const table = new ClaimTable(start);
    table.claim('hmac:k', randomBytes(32), 1_000, start);
    const long = randomBytes(32);
    assert.equal(table.claim('hmac:k', long, 10_000, start + 900), true);
    for (const at of [start + 1_000, start + 2_500, start + 5_000, start + 10_899]) assert.equal(table.claim('hmac:k', long, 10_000, at), false, `at +${at - start}`);
    assert.equal(table.claim('hmac:k', long, 10_000, start + 10_900), true);
  });

  it('holds memory for the recent rate of claims, not their history: two TTLs on, a burst is gone', () => {
    const table = new ClaimTable(start);
    for (let i = 0; i < 20_000; i++) table.claim('hmac:k', randomBytes(32), TTL, start + i);
    assert.equal(table.size, 20_000);
    table.claim('hmac:k', randomBytes(32), TTL, start + TTL);
    assert.ok(table.size <= 20_001, 'the burst is the previous generation now');
    table.claim('hmac:k', randomBytes(32), TTL, start + 2 * TTL);
    assert.ok(table.size <= 2, `only the claims of the last two generations are held (${table.size})`);
    table.claim('hmac:k', randomBytes(32), TTL, start + 10 * TTL);
    assert.equal(table.size, 1, 'after a long quiet spell both generations were stale');
  });

  it('re-accepts a lapsed claim in the current generation while the previous one is kept, and only once', () => {
    const table = new ClaimTable(start);
    table.claim('hmac:k', randomBytes(32), TTL, start);
    // A new generation opens at start + TTL; this short claim lapses inside it.
    const short = randomBytes(32);
    assert.equal(table.claim('hmac:k', short, 1_000, start + TTL), true);
    assert.equal(table.claim('hmac:k', short, 1_000, start + TTL + 999), false);
    assert.equal(table.claim('hmac:k', short, 1_000, start + TTL + 1_000), true, 'lapsed, so accepted anew');
    assert.equal(table.claim('hmac:k', short, 1_000, start + TTL + 1_001), false, 'and claimed again');
  });

  it('keeps every live claim across a growth that drops lapsed ones', () => {
    const table = new ClaimTable(start);
    const lapsing = Array.from({ length: 400 }, () => randomBytes(32));
    for (const signature of lapsing) table.claim('hmac:k', signature, 100, start);
    const live = Array.from({ length: 5_000 }, () => randomBytes(32));
    // Made after the first 400 lapsed: the table grows several times with them still in its slots.
    for (const signature of live) assert.equal(table.claim('hmac:k', signature, TTL, start + 200), true);
    for (const signature of live) assert.equal(table.claim('hmac:k', signature, TTL, start + 300), false);
    for (const signature of lapsing) assert.equal(table.claim('hmac:k', signature, TTL, start + 300), true, 'a lapsed claim is accepted anew');
  });

  it('refuses a signature shorter than the 32 bytes a claim names', () => {
    assert.throws(() => new ClaimTable(start).claim('hmac:k', randomBytes(16), TTL, start), /at least 32 bytes/);
  });
});
