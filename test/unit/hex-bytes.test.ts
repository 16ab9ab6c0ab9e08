import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fixedHexDecoder } from '../../src/core/hex-bytes.ts';

describe('fixedHexDecoder: exactly N hex digits, either case', () => {
  const decode = fixedHexDecoder(64);

  it('decodes exactly 64 hex digits in either case to their 32 bytes', () => {
    const bytes = randomBytes(32);
    assert.deepEqual(decode(bytes.toString('hex')), bytes);
    assert.deepEqual(decode(bytes.toString('hex').toUpperCase()), bytes);
  });

  it('refuses any other length or character, where Node would decode part of it', () => {
    const hex = randomBytes(32).toString('hex');
    for (const text of ['', hex.slice(1), hex + '0', `${hex.slice(0, 63)}g`, ` ${hex.slice(1)}`, `0x${hex.slice(2)}`]) assert.equal(decode(text), null, JSON.stringify(text));
  });
});
