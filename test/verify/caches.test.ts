import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiKey } from '../../src/core/api-key.ts';
import { IDENTITY_HEADER_NAMES } from '../../src/core/identity-headers.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import { ed25519Scheme } from '../../src/schemes/ed25519-scheme.ts';
import { opaqueScheme } from '../../src/schemes/opaque-scheme.ts';
import { SchemeIndex } from '../../src/schemes/scheme-index.ts';
import { buildCachedKey } from '../../src/verify/cached-key.ts';
import { cacheKey, createVerifierCaches } from '../../src/verify/caches.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';

const T0 = Date.UTC(2026, 0, 1);

function apiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return apiKeyRecord(
    { organizationId: 'org-1', userId: 'user-1' },
    { id: 'key-1', name: 'bot', lookup: 'ab'.repeat(32), tail: 'ababab', maxConnections: 5, createdAt: T0, ...overrides },
  );
}

const derivation = {
  schemes: new SchemeIndex([ed25519Scheme({ key: 'X-API-Key', timestamp: 'X-Timestamp', signature: 'X-Signature' }), opaqueScheme('dsk_')]),
  secrets: new SecretBox(Buffer.alloc(32, 7)),
  identityHeaders: IDENTITY_HEADER_NAMES,
  tiers: {
    basic: { maxConnections: 2, requestsPerMinute: 600 },
    premium: { maxConnections: 10, requestsPerMinute: null },
    enterprise: { maxConnections: 100, requestsPerMinute: null },
  },
};
const cacheEntry = (key: ApiKey, wallets: readonly string[]) => buildCachedKey(key, wallets, derivation);

const settings = { negativeCacheTtlMs: 30_000, negativeCacheSize: 2, positiveCacheTtlMs: 60_000, positiveCacheSize: 3 };

describe('verifier caches', () => {
  it('remembers unknown credentials for the negative TTL, bounded by the negative size', () => {
    const { unknown } = createVerifierCaches(settings);
    unknown.set('opaque:a', true, T0);
    assert.equal(unknown.get('opaque:a', T0 + 29_999), true);
    assert.equal(unknown.get('opaque:a', T0 + 30_000), undefined);
    for (const id of ['opaque:b', 'opaque:c', 'opaque:d']) unknown.set(id, true, T0);
    assert.equal(unknown.size, 2);
    assert.equal(unknown.get('opaque:b', T0), undefined, 'the oldest went to make room');
  });

  it('keeps loaded keys for the positive TTL, bounded by the positive size', () => {
    const { known } = createVerifierCaches(settings);
    const entry = cacheEntry(apiKey(), []);
    known.set('opaque:a', entry, T0);
    assert.equal(known.get('opaque:a', T0 + 59_999), entry);
    assert.equal(known.get('opaque:a', T0 + 60_000), undefined);
    for (const id of ['opaque:b', 'opaque:c', 'opaque:d', 'opaque:e']) known.set(id, entry, T0);
    assert.equal(known.size, 3);
    assert.equal(known.get('opaque:b', T0), undefined, 'the oldest went to make room');
  });

  it('caches nothing when a TTL is configured as 0', () => {
    const caches = createVerifierCaches({ ...settings, negativeCacheTtlMs: 0, positiveCacheTtlMs: 0 });
    caches.unknown.set('opaque:a', true, T0);
    caches.known.set('opaque:a', cacheEntry(apiKey(), []), T0);
    assert.equal(caches.unknown.get('opaque:a', T0), undefined);
    assert.equal(caches.known.get('opaque:a', T0), undefined);
  });

  it('throttles an address for one minute, whatever the other settings', () => {
    const { throttled } = createVerifierCaches({ ...settings, negativeCacheTtlMs: 0, positiveCacheTtlMs: 0, negativeCacheSize: 1, positiveCacheSize: 1 });
    throttled.set('203.0.113.7', true, T0);
    throttled.set('203.0.113.8', true, T0);
    assert.equal(throttled.get('203.0.113.7', T0 + 59_999), true);
    assert.equal(throttled.get('203.0.113.8', T0 + 59_999), true);
    assert.equal(throttled.get('203.0.113.7', T0 + 60_000), undefined);
  });

  it('gives every node its own caches', () => {
    const one = createVerifierCaches(settings);
    const two = createVerifierCaches(settings);
    one.unknown.set('opaque:a', true, T0);
    assert.equal(two.unknown.get('opaque:a', T0), undefined);
  });

  it('keys an entry by scheme and lookup, so equal lookups under two schemes never share it', () => {
    const lookup = 'ab'.repeat(32); // an opaque key's SHA-256 and an Ed25519 public key are both 64 hex
    assert.equal(cacheKey('opaque', lookup), cacheKey('opaque', lookup));
    assert.notEqual(cacheKey('opaque', lookup), cacheKey('ed25519', lookup));
    assert.notEqual(cacheKey('opaque', lookup), cacheKey('opaque', 'cd'.repeat(32)));
    const { known } = createVerifierCaches(settings);
    known.set(cacheKey('ed25519', lookup), cacheEntry(apiKey({ scheme: 'ed25519' }), []), T0);
    assert.equal(known.get(cacheKey('opaque', lookup), T0), undefined);
  });

  it('uses an opaque lookup as it is and prefixes every other scheme, so no other key can spell 64 hex digits', () => {
    const lookup = 'ab'.repeat(32);
    assert.equal(cacheKey('opaque', lookup), lookup, 'no second string built on the hot path');
    for (const scheme of ['hmac', 'rsa', 'ed25519']) {
      for (const other of [lookup, 'ca3a03e1-fc5c-4954-99dc-876db3997d8f', '']) {
        assert.doesNotMatch(cacheKey(scheme, other), /^[0-9a-f]{64}$/, `${scheme}:${other}`);
      }
    }
  });

  it('builds an entry holding the key and its compiled allowlist', () => {
    const key = apiKey({ ipAllowlist: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] });
    const entry = cacheEntry(key, []);
    assert.equal(entry.key, key);
    assert.deepEqual(entry.allowlist.entries, key.ipAllowlist);
    for (const ip of ['10.1.2.3', '::ffff:10.9.9.9', '2001:db8::1', '192.0.2.7']) assert.equal(entry.allowlist.allows(ip), true, ip);
    for (const ip of ['11.0.0.1', '2001:db9::1', '192.0.2.8', 'not-an-ip', undefined]) assert.equal(entry.allowlist.allows(ip), false, String(ip));
  });

  it('builds an entry that allows every address when the key has no allowlist', () => {
    const entry = cacheEntry(apiKey({ ipAllowlist: [] }), []);
    for (const ip of ['10.1.2.3', '2001:db8::1', '203.0.113.9']) assert.equal(entry.allowlist.allows(ip), true, ip);
  });

  it("builds forward-auth's 200 headers and the effective request limit once, on the entry", () => {
    const key = apiKey({ permissions: ['read', 'trade'] });
    const entry = cacheEntry(key, []);
    assert.deepEqual(entry.validHeaders, [
      'x-keygate-code', 'VALID',
      'x-keygate-key-id', 'key-1',
      'x-keygate-user-id', key.userId,
      'x-keygate-organization-id', key.organizationId,
      'x-keygate-scheme', key.scheme,
      'x-keygate-permissions', 'read,trade',
      'x-keygate-tier', key.tier,
      'x-keygate-allowed-exchanges', key.allowedExchanges.join(','),
    ]);
    assert.equal(entry.requestsPerMinute, 600, "the tier's limit");
    assert.equal(cacheEntry(apiKey({ requestsPerMinute: 5 }), []).requestsPerMinute, 5, "the key's own limit wins over its tier's");
    assert.equal(cacheEntry(apiKey({ tier: 'premium' }), []).requestsPerMinute, null, 'no limit');
  });
});
