import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeMasterKey } from '../../src/runtime/bootstrap-secrets.ts';

describe('the master key setting', () => {
  const key = randomBytes(32);

  it('accepts 32 bytes as 64 hex digits (either case) or as standard base64, padded or not, around whitespace', () => {
    for (const text of [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64').replace(/=+$/, ''), `  ${key.toString('base64')}\n`]) {
      assert.deepEqual(decodeMasterKey(text), key, text);
    }
  });

  it('refuses a key with a stray character, which a lenient decoder would have read as other bytes', () => {
    const base64 = key.toString('base64');
    const stray = base64.slice(0, 20) + '!' + base64.slice(20);
    assert.equal(Buffer.from(stray, 'base64').length, 32, 'Node\'s decoder skips the stray character');
    // Base64url (`-` and `_` for `+` and `/`) is another alphabet: refused, not guessed at.
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    for (const text of [stray, base64.slice(0, 20) + ' ' + base64.slice(20), urlSafe]) {
      assert.equal(decodeMasterKey(text), null, text);
    }
  });

  it('refuses other lengths', () => {
    for (const bytes of [16, 31, 33, 64]) assert.equal(decodeMasterKey(randomBytes(bytes).toString('base64')), null, `${bytes} bytes`);
    assert.equal(decodeMasterKey(key.toString('hex').slice(1)), null, '63 hex digits');
    assert.equal(decodeMasterKey(''), null);
  });
});
