import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox } from '../../src/core/secret-box.ts';

const masterKey = randomBytes(32);
const box = new SecretBox(masterKey);

/** The sealed text's dot-separated parts, and a way to put them back with one replaced. */
function parts(sealed: string) {
  const [version, iv, tag, body] = sealed.split('.');
  return { version, iv, tag, body };
}
const join = (p: ReturnType<typeof parts>) => [p.version, p.iv, p.tag, p.body].join('.');
const bytes = (part: string) => Buffer.from(part, 'base64url');
const text = (buffer: Buffer) => buffer.toString('base64url');
/** The same bytes with one bit flipped at `index`. */
function flipped(part: string, index = 0): string {
  const copy = Buffer.from(bytes(part));
  copy[index] ^= 0x01;
  return text(copy);
}

describe('secret box (AES-256-GCM under the master key)', () => {
  it('opens what it sealed, for any text', () => {
    for (const plaintext of ['', 'a', '6f1c2a9e-2b7d-4c55-9a9c-3d4b2e1f0a77', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)]) {
      assert.equal(box.open(box.seal(plaintext)), plaintext, JSON.stringify(plaintext.slice(0, 20)));
    }
  });

  it('opens a secret sealed by another box under the same master key (secrets survive a restart)', () => {
    const sealed = box.seal('hmac private key');
    assert.equal(new SecretBox(Buffer.from(masterKey)).open(sealed), 'hmac private key');
  });

  it('never shows the plaintext in the sealed text', () => {
    const plaintext = 'a-very-recognisable-secret';
    const sealed = box.seal(plaintext);
    assert.ok(!sealed.includes(plaintext));
    assert.ok(!sealed.includes(Buffer.from(plaintext).toString('base64url')));
  });

  it('seals the same text differently each time, under a fresh 96-bit IV', () => {
    const sealed = Array.from({ length: 50 }, () => box.seal('same text'));
    assert.equal(new Set(sealed).size, 50);
    assert.equal(new Set(sealed.map((s) => parts(s).iv)).size, 50);
    for (const s of sealed) {
      assert.equal(bytes(parts(s).iv).length, 12);
      assert.equal(box.open(s), 'same text');
    }
  });

  it('refuses a sealed text whose ciphertext, tag or IV was changed', () => {
    const sealed = parts(box.seal('do not touch'));
    const last = bytes(sealed.body).length - 1;
    const tampered = {
      'ciphertext, first byte': { ...sealed, body: flipped(sealed.body) },
      'ciphertext, last byte': { ...sealed, body: flipped(sealed.body, last) },
      'ciphertext, truncated': { ...sealed, body: text(bytes(sealed.body).subarray(0, last)) },
      'ciphertext, extended': { ...sealed, body: text(Buffer.concat([bytes(sealed.body), Buffer.from([0])])) },
      'tag, first byte': { ...sealed, tag: flipped(sealed.tag) },
      'tag, last byte': { ...sealed, tag: flipped(sealed.tag, 15) },
      'iv, first byte': { ...sealed, iv: flipped(sealed.iv) },
      'iv, last byte': { ...sealed, iv: flipped(sealed.iv, 11) },
    };
    for (const [what, p] of Object.entries(tampered)) assert.throws(() => box.open(join(p)), Error, what);
  });

  it('refuses a truncated or lengthened authentication tag (GCM must check all 16 bytes)', () => {
    const sealed = parts(box.seal('do not touch'));
    const tag = bytes(sealed.tag);
    for (const length of [4, 8, 12, 15]) {
      assert.throws(() => box.open(join({ ...sealed, tag: text(tag.subarray(0, length)) })), Error, `${length}-byte tag`);
    }
    assert.throws(() => box.open(join({ ...sealed, tag: text(Buffer.concat([tag, Buffer.from([0])])) })), Error, '17-byte tag');
  });

  it('refuses a sealed text from another master key', () => {
    const other = new SecretBox(randomBytes(32));
    assert.throws(() => other.open(box.seal('mine')));
    assert.throws(() => box.open(other.seal('theirs')));
  });

  it('refuses a master key that is not exactly 32 bytes', () => {
    for (const length of [0, 16, 31, 33, 64]) assert.throws(() => new SecretBox(randomBytes(length)), /32 bytes/, `${length} bytes`);
  });

  it('refuses malformed sealed text', () => {
    const sealed = box.seal('well formed');
    const p = parts(sealed);
    const malformed = {
      empty: '',
      'version only': 'v1',
      'three parts': [p.version, p.iv, p.tag].join('.'),
      'another version': join({ ...p, version: 'v2' }),
      'no version': ['', p.iv, p.tag, p.body].join('.'),
      'empty IV': join({ ...p, iv: '' }),
      'empty tag': join({ ...p, tag: '' }),
      'a fifth part': `${sealed}.extra`,
      'characters outside base64url': join({ ...p, body: `${p.body}!!` }),
      'standard base64 padding': join({ ...p, tag: `${p.tag}==` }),
      'plain text': 'not a sealed secret',
    };
    for (const [what, candidate] of Object.entries(malformed)) assert.throws(() => box.open(candidate), Error, what);
  });

  it('derives a 32-byte key per purpose: the same every time, different between purposes and master keys', () => {
    const again = new SecretBox(Buffer.from(masterKey));
    const other = new SecretBox(randomBytes(32));
    const derived = box.derive('console-session');
    assert.equal(derived.length, 32);
    assert.deepEqual(box.derive('console-session'), derived);
    assert.deepEqual(again.derive('console-session'), derived, 'deterministic for the same master key');
    assert.notDeepEqual(box.derive('realtime-token'), derived, 'another purpose');
    assert.notDeepEqual(box.derive('console-session '), derived, 'purposes are compared exactly');
    assert.notDeepEqual(other.derive('console-session'), derived, 'another master key');
    assert.notDeepEqual(derived, masterKey, 'never the master key itself');
  });

  it('derives keys that do not open its sealed texts (a derived key is not the master key in disguise)', () => {
    const sealed = box.seal('secret');
    assert.throws(() => new SecretBox(box.derive('any')).open(sealed));
  });
});
