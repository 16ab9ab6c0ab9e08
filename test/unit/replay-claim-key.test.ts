import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MemoryBroker } from '../../src/bus/broker-memory.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { claimKey, claimSignature } from '../../src/schemes/replay-guard.ts';

describe('replay claim keys', () => {
  it('keeps an HMAC-SHA256 claim exactly as earlier versions spelled it (the whole 32-byte signature)', () => {
    const signature = randomBytes(32);
    assert.equal(claimKey('hmac', signature), `replay:hmac:${signature.toString('hex')}`);
  });

  it('keys an RSA or Ed25519 claim on the last 32 bytes, so a claim stays 64 hex digits long', () => {
    for (const [scheme, length] of [['rsa', 256], ['rsa', 512], ['ed25519', 64]] as const) {
      const signature = randomBytes(length);
      assert.equal(claimKey(scheme, signature), `replay:${scheme}:${signature.subarray(length - 32).toString('hex')}`);
    }
  });

  it('tells apart two signatures that differ in any one of the claimed bytes', () => {
    const signature = randomBytes(256);
    const keys = new Set([claimKey('rsa', signature)]);
    for (let at = 256 - 32; at < 256; at++) {
      const other = Buffer.from(signature);
      other[at] ^= 0x01;
      keys.add(claimKey('rsa', other));
    }
    assert.equal(keys.size, 33);
  });

  it('never lets one scheme claim for another', () => {
    const signature = randomBytes(32);
    assert.notEqual(claimKey('hmac', signature), claimKey('ed25519', signature));
  });

  it('accepts a signature once and refuses its replay, on the in-memory bus', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const broker = new MemoryBroker(clock);
    const signature = randomBytes(256);
    assert.equal(await claimSignature(broker, 'rsa', signature, 30_000, clock.now()), null);
    assert.equal((await claimSignature(broker, 'rsa', Buffer.from(signature), 30_000, clock.now()))?.code, 'REPLAYED');
    assert.equal(await claimSignature(broker, 'rsa', randomBytes(256), 30_000, clock.now()), null);
  });
});
