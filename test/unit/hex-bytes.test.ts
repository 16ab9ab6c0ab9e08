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

  it('agrees with the shape\'s regular expression and Node\'s decoder on 20,000 strings, valid and not', () => {
    const shape = /^[0-9a-fA-F]{64}$/;
    const alphabet = '0123456789abcdefABCDEFgGxX -\u00e9\u0100\u4e00';
    for (let n = 0; n < 20_000; n++) {
      let text: string;
      if (n % 2 === 0) text = randomBytes(32).toString('hex');
      else {
        const length = 60 + (n % 9);
        text = Array.from({ length }, () => alphabet[randomBytes(1)[0] % (n % 4 === 1 ? 22 : alphabet.length)]).join('');
      }
      if (n % 3 === 0) text = text.toUpperCase();
      const expected = shape.test(text) ? Buffer.from(text, 'hex') : null;
      assert.deepEqual(decode(text), expected, JSON.stringify(text));
    }
  });

  it('refuses an odd number of digits when made', () => {
    assert.throws(() => fixedHexDecoder(63), /odd/);
  });
});
