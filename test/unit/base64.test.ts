import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { isBase64 } from '../../src/core/base64.ts';

/** The pattern the check replaces: both must agree on every input. */
const PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

describe('isBase64: the shape of a base64 signature, without a regular expression', () => {
  it('accepts real signatures, padded, unpadded and with spare bits', () => {
    for (const size of [1, 2, 3, 255, 256, 512]) {
      const text = randomBytes(size).toString('base64');
      assert.equal(isBase64(text), true, text);
      assert.equal(isBase64(text.replace(/=+$/, '')), true);
    }
    assert.equal(isBase64('QQ'), true);
    assert.equal(isBase64('QR=='), true);
  });

  it('refuses what the pattern refuses, naming no exceptions', () => {
    for (const text of ['', '=', '==', 'A===', '=A', 'A=A', 'A-B_', 'AB\n', '\nAB', 'AB ', 'AÄ', 'A\u0000', 'A+/=\u200b', 'YQ==\r\n']) {
      assert.equal(isBase64(text), PATTERN.test(text), JSON.stringify(text));
      assert.equal(isBase64(text), false, JSON.stringify(text));
    }
  });

  it('agrees with /^[A-Za-z0-9+/]+={0,2}$/ on 50,000 random strings near the alphabet', () => {
    const pool = 'AZaz09+/==-_ \n\t.Ä€\u0000\u007f\u0080';
    for (let n = 0; n < 50_000; n += 1) {
      let text = '';
      const length = randomInt(0, 9);
      for (let i = 0; i < length; i += 1) text += pool[randomInt(pool.length)];
      assert.equal(isBase64(text), PATTERN.test(text), JSON.stringify(text));
    }
  });
});
