import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBase64 } from '../../src/core/base64.ts';

/** What a base64 signature may look like: decodeBase64 accepts exactly this. */
const PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** `length` characters drawn at random from `pool`. */
function randomText(pool: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += pool[randomInt(pool.length)];
  return text;
}

/** decodeBase64 against the pattern (what it accepts) and Node's decoder (what it gives). */
function agrees(text: string): void {
  const decoded = decodeBase64(text);
  assert.equal(decoded !== null, PATTERN.test(text), JSON.stringify(text));
  if (decoded) assert.deepEqual(decoded, Buffer.from(text, 'base64'), JSON.stringify(text));
}

describe('decodeBase64: a base64 signature checked and decoded in one pass', () => {
  it('decodes real signatures, padded, unpadded and with spare bits, to the bytes encoded', () => {
    for (const size of [1, 2, 3, 4, 255, 256, 512]) {
      const bytes = randomBytes(size);
      const text = bytes.toString('base64');
      assert.deepEqual(decodeBase64(text), bytes, text);
      assert.deepEqual(decodeBase64(text.replace(/=+$/, '')), bytes);
    }
    assert.deepEqual(decodeBase64('QQ'), Buffer.from('A'));
    assert.deepEqual(decodeBase64('QR=='), Buffer.from('A'));
    assert.deepEqual(decodeBase64('QUJD'), Buffer.from('ABC'));
    assert.deepEqual(decodeBase64('A'), Buffer.alloc(0));
  });

  it('refuses what the pattern refuses, naming no exceptions', () => {
    for (const text of ['', '=', '==', 'A===', '=A', 'A=A', 'A-B_', 'AB\n', '\nAB', 'AB ', 'AÄ', 'A\u0000', 'A+/=\u200b', 'YQ==\r\n', 'QUJD\u0141', 'QU\u0100D']) {
      assert.equal(decodeBase64(text), null, JSON.stringify(text));
      agrees(text);
    }
  });

  it('agrees with the pattern and with Node on 50,000 random strings near the alphabet', () => {
    for (let n = 0; n < 50_000; n += 1) agrees(randomText('AZaz09+/==-_ \n\t.Ä€\u0000\u007f\u0080', randomInt(0, 13)));
  });

  it('agrees with Node on 5,000 random valid strings of every length up to 40', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (let n = 0; n < 5_000; n += 1) agrees(randomText(alphabet, randomInt(1, 41)) + '='.repeat(randomInt(0, 3)));
  });
});
