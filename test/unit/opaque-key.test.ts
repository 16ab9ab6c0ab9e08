import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { isOpaqueKeyFormat, keyTail, mintOpaqueKey } from '../../src/core/opaque-key.ts';
import { safeEqual, sha256Hex } from '../../src/core/secret-hash.ts';
import { bearerToken, opaqueScheme } from '../../src/schemes/opaque-scheme.ts';

describe('opaque key format (spec 002: dsk_ + 64 hex from 32 random bytes)', () => {
  it('mints dsk_ followed by 64 lowercase hex characters', () => {
    const minted = mintOpaqueKey('dsk_');
    assert.match(minted.secret, /^dsk_[0-9a-f]{64}$/);
    assert.equal(minted.tail, minted.secret.slice(-6));
  });

  it('draws the body from 32 bytes of the random source', () => {
    const bytes = Buffer.alloc(32, 0xab);
    const minted = mintOpaqueKey('dsk_', (n) => {
      assert.equal(n, 32);
      return bytes;
    });
    assert.equal(minted.secret, 'dsk_' + 'ab'.repeat(32));
  });

  it('never mints the same key twice in a thousand draws', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => mintOpaqueKey('dsk_').secret));
    assert.equal(seen.size, 1000);
  });

  it('keeps only the SHA-256 of the key, as lowercase hex', () => {
    const minted = mintOpaqueKey('dsk_');
    assert.equal(minted.hash, createHash('sha256').update(minted.secret).digest('hex'));
    assert.match(minted.hash, /^[0-9a-f]{64}$/);
    assert.equal(minted.hash.includes(minted.secret.slice(4)), false);
  });

  it('honours a configured prefix', () => {
    const minted = mintOpaqueKey('acme_');
    assert.match(minted.secret, /^acme_[0-9a-f]{64}$/);
    assert.equal(isOpaqueKeyFormat(minted.secret, 'acme_'), true);
    assert.equal(isOpaqueKeyFormat(minted.secret, 'dsk_'), false);
  });

  it('accepts exactly the documented shape and nothing else', () => {
    const body = randomBytes(32).toString('hex');
    assert.equal(isOpaqueKeyFormat('dsk_' + body, 'dsk_'), true);
    const bad = [
      '',
      'dsk_',
      body,
      'dsk_' + body.slice(1),
      'dsk_' + body + '0',
      'dsk_' + body.toUpperCase(),
      'DSK_' + body,
      'dsk-' + body,
      'dsk_' + body.slice(0, 63) + 'g',
      ' dsk_' + body,
      'dsk_' + body.slice(0, 63) + '\n',
      // The example in spec 002 has 66 hex characters: it is illustrative, not a valid key.
      'dsk_a1b2c3d4e5f67890abcdef1234567890abcdef1234567890abcdef1234567890ab',
    ];
    for (const candidate of bad) assert.equal(isOpaqueKeyFormat(candidate, 'dsk_'), false, JSON.stringify(candidate));
  });

  it('shows the last six characters as the tail', () => {
    assert.equal(keyTail('dsk_0123456789abcdef'), 'abcdef');
  });
});

describe('secret hashing and comparison', () => {
  it('hashes with SHA-256 over UTF-8', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex('é'), createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
  });

  it('compares in constant time and handles different lengths', () => {
    assert.equal(safeEqual('same', 'same'), true);
    assert.equal(safeEqual('same', 'sane'), false);
    assert.equal(safeEqual('short', 'longer value'), false);
    assert.equal(safeEqual('', ''), true);
  });
});

describe('opaque scheme extraction', () => {
  const scheme = opaqueScheme('dsk_');
  const key = mintOpaqueKey('dsk_');
  const facts = (headers: Record<string, string>, url = '/') => ({ method: 'GET', url, headers });

  it('reads X-API-Key, then Authorization: Bearer, then the api_key query parameter', () => {
    for (const [headers, url, source] of [
      [{ 'x-api-key': key.secret }, '/', 'x-api-key'],
      [{ authorization: `Bearer ${key.secret}` }, '/', 'bearer'],
      [{}, `/feed?cex=binance&api_key=${key.secret}`, 'query'],
    ] as const) {
      const found = scheme.extract(facts({ ...headers }, url));
      assert.equal(found.kind, 'claim');
      if (found.kind === 'claim') {
        assert.equal(found.claim.source, source);
        assert.equal(found.lookup, key.hash, 'the lookup is the SHA-256 of the key');
      }
    }
  });

  it('reports a malformed key without a lookup and an absent one as absent', () => {
    assert.equal(scheme.extract(facts({ 'x-api-key': 'dsk_nothex' })).kind, 'malformed');
    assert.equal(scheme.extract(facts({ authorization: 'Basic abc' })).kind, 'absent');
    assert.equal(scheme.extract(facts({})).kind, 'absent');
  });
});

describe('Authorization: Bearer reading', () => {
  // The expression the reader replaced, with its match trimmed: the two agree on every value below.
  const byExpression = (value: string) => /^Bearer\s+(.+)$/i.exec(value.trim())?.[1].trim() ?? null;

  it('takes the token after the scheme name in any case and any whitespace, trimmed', () => {
    assert.equal(bearerToken('Bearer dsk_abc'), 'dsk_abc');
    assert.equal(bearerToken('bearer dsk_abc'), 'dsk_abc');
    assert.equal(bearerToken('BEARER\tdsk_abc'), 'dsk_abc');
    assert.equal(bearerToken('  Bearer    dsk_abc  '), 'dsk_abc');
    assert.equal(bearerToken('Bearer a b'), 'a b', 'the rest of the value, inner spaces kept (the format check refuses it)');
  });

  it('gives nothing for another scheme, a bare scheme name or no space after it', () => {
    for (const value of ['', ' ', 'Bearer', 'Bearer   ', 'Bearerdsk_abc', 'Basic abc', 'Bear dsk_abc', 'xBearer dsk_abc', 'Token dsk_abc']) {
      assert.equal(bearerToken(value), null, JSON.stringify(value));
    }
  });

  it("agrees with /^Bearer\\s+(.+)$/i on every value without a line break (all Node's HTTP parser delivers)", () => {
    const parts = ['', ' ', '\t', '  ', 'Bearer', 'bearer', 'BeArEr', 'Bearer ', 'dsk_', 'x', 'a b', '\u00a0', 'Basic'];
    for (const a of parts) for (const b of parts) for (const c of parts) {
      const value = a + b + c;
      assert.equal(bearerToken(value), byExpression(value), JSON.stringify(value));
    }
  });

  it('takes a token with a line break inside as given, so the verify API refuses it as malformed', () => {
    assert.equal(bearerToken('Bearer dsk_abc\ndef'), 'dsk_abc\ndef');
    assert.equal(byExpression('Bearer dsk_abc\ndef'), null, 'where the expression read no Bearer key at all');
    const scheme = opaqueScheme('dsk_');
    const key = mintOpaqueKey('dsk_');
    const found = scheme.extract({ method: 'GET', url: '/', headers: { authorization: `Bearer ${key.secret}\u2028` } });
    assert.equal(found.kind, 'claim', 'a trailing line separator is trimmed like any whitespace');
    assert.equal(scheme.extract({ method: 'GET', url: '/', headers: { authorization: `Bearer ${key.secret.slice(0, 10)}\n${key.secret.slice(10)}` } }).kind, 'malformed');
  });
});
