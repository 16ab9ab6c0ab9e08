import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox } from '../../src/core/secret-box.ts';
import { hmacScheme } from '../../src/schemes/hmac-scheme.ts';
import { SchemeIndex } from '../../src/schemes/scheme-index.ts';
import { buildCachedKey } from '../../src/verify/cached-key.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';

describe('buildCachedKey: a key whose stored material cannot be used', () => {
  it('holds no material and says so in one warning naming the key, never the sealed secret', () => {
    const schemes = new SchemeIndex([hmacScheme({ key: 'API-KEY', timestamp: 'API-TIMESTAMP', signature: 'API-SIGNATURE' })]);
    // Sealed under another master key: what a node with the wrong KEYGATE_MASTER_KEY reads.
    const sealed = new SecretBox(randomBytes(32)).seal('hmac private key');
    const key = apiKeyRecord({ organizationId: 'org', userId: 'user' }, { scheme: 'hmac', secretCiphertext: sealed });
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) };

    const entry = buildCachedKey(key, [], { schemes, secrets: new SecretBox(randomBytes(32)), identityHeaders: [], tiers: {} as never, log });

    assert.equal(entry.material, null);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].fields.keyId, key.id);
    assert.equal(warnings[0].fields.scheme, 'hmac');
    assert.match(warnings[0].message, /cannot be used.*INVALID_SIGNATURE/);
    assert.equal(JSON.stringify(warnings).includes(sealed), false, 'the sealed secret is never logged');
  });
});
