import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { claimKey } from '../../src/schemes/replay-guard.ts';

describe('replay claim keys', () => {
  it('are one per distinct signature: equal bytes give one key, any changed byte another', () => {
    for (const length of [32, 64, 256, 512]) {
      const signature = randomBytes(length);
      assert.equal(claimKey('rsa', signature), claimKey('rsa', Buffer.from(signature)), `${length} bytes: same bytes, same claim`);
      const keys = new Set<string>();
      for (let at = 0; at < length; at += 1) {
        const changed = Buffer.from(signature);
        changed[at] ^= 1;
        keys.add(claimKey('rsa', changed));
      }
      keys.add(claimKey('rsa', signature));
      assert.equal(keys.size, length + 1, `${length} bytes: every one-bit change is a fresh claim`);
    }
  });

  it('stay short whatever the signature length, and never collide across schemes', () => {
    assert.equal(claimKey('hmac', randomBytes(32)).length, 'replay:hmac:'.length + 44);
    assert.equal(claimKey('rsa', randomBytes(512)).length, 'replay:rsa:'.length + 44);
    const same = randomBytes(64);
    assert.notEqual(claimKey('ed25519', same), claimKey('rsa', same));
  });
});
