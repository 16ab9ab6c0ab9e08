import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Broker } from '../../src/bus/broker.ts';
import { MemoryBroker } from '../../src/bus/broker-memory.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { claimKey } from '../../src/bus/signature-claim.ts';
import { claimSignature, claimSpace } from '../../src/schemes/replay-guard.ts';

describe('replay claim keys', () => {
  const lookup = '6f1c1a52-0d5e-4b8f-9a51-1d2f1c0f2b7e';

  it('names the scheme, the key and the last 32 bytes of the signature', () => {
    for (const [scheme, length] of [['hmac', 32], ['rsa', 256], ['rsa', 512], ['ed25519', 64]] as const) {
      const signature = randomBytes(length);
      assert.equal(claimKey(claimSpace(scheme, lookup), signature), `replay:${scheme}:${lookup}:${signature.subarray(length - 32).toString('hex')}`);
    }
  });

  it('tells apart two signatures that differ in any one of the claimed bytes', () => {
    const signature = randomBytes(256);
    const keys = new Set([claimKey(claimSpace('rsa', lookup), signature)]);
    for (let at = 256 - 32; at < 256; at++) {
      const other = Buffer.from(signature);
      other[at] ^= 0x01;
      keys.add(claimKey(claimSpace('rsa', lookup), other));
    }
    assert.equal(keys.size, 33);
  });

  it('never lets one scheme or one key claim for another', () => {
    const signature = randomBytes(32);
    assert.notEqual(claimKey(claimSpace('hmac', lookup), signature), claimKey(claimSpace('ed25519', lookup), signature));
    assert.notEqual(claimKey(claimSpace('rsa', lookup), signature), claimKey(claimSpace('rsa', '0b1c1a52-0d5e-4b8f-9a51-1d2f1c0f2b7e'), signature));
  });

  const window = { pastMs: 30_000, futureMs: 1_000 };

  it('accepts a signature once and refuses its replay, on the in-memory bus', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const broker = new MemoryBroker(clock);
    clock.advance(window.futureMs + 1);
    const signature = randomBytes(256);
    assert.equal(await claimSignature(broker, claimSpace('rsa', lookup), signature, window, clock.now()), null);
    assert.equal((await claimSignature(broker, claimSpace('rsa', lookup), Buffer.from(signature), window, clock.now()))?.code, 'REPLAYED');
    assert.equal(await claimSignature(broker, claimSpace('rsa', lookup), randomBytes(256), window, clock.now()), null);
  });

  it('claims the same bytes under another key as a claim of that key: a key crafted to match cannot spend another key\'s request', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const broker = new MemoryBroker(clock);
    clock.advance(window.futureMs + 1);
    const signature = randomBytes(256);
    assert.equal(await claimSignature(broker, claimSpace('rsa', '0b1c1a52-0d5e-4b8f-9a51-1d2f1c0f2b7e'), signature, window, clock.now()), null);
    assert.equal(await claimSignature(broker, claimSpace('rsa', lookup), signature, window, clock.now()), null, 'the victim\'s request still passes');
    assert.equal((await claimSignature(broker, claimSpace('rsa', lookup), signature, window, clock.now()))?.code, 'REPLAYED');
  });

  it('keeps a claim until its timestamp has left the window, then lets it lapse', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const broker = new MemoryBroker(clock);
    clock.advance(window.futureMs);
    // Signed a second ahead of the server: accepted until 30 s after its timestamp, 31 s from now.
    const signedAt = clock.now() + window.futureMs;
    const signature = randomBytes(64);
    assert.equal(await claimSignature(broker, claimSpace('ed25519', lookup), signature, window, signedAt), null);
    clock.advance(window.futureMs + window.pastMs);
    assert.equal((await claimSignature(broker, claimSpace('ed25519', lookup), signature, window, signedAt))?.code, 'REPLAYED', 'still claimed at the window\'s end');
    clock.advance(1_001);
    assert.equal(await claimSignature(broker, claimSpace('ed25519', lookup), signature, window, signedAt), null, 'lapsed once the timestamp is out of the window');
  });

  it('cannot vouch for a request timestamped less than futureMs after the replay store began, and says so without blaming the caller', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const broker = new MemoryBroker(clock);
    // A request accepted just before the store (re)started could have carried any of these timestamps.
    for (const signedAt of [broker.claimsSince - 1, broker.claimsSince, broker.claimsSince + window.futureMs]) {
      const refusal = await claimSignature(broker, claimSpace('hmac', lookup), randomBytes(32), window, signedAt);
      assert.equal(refusal?.code, 'REPLAYED');
      assert.equal(refusal?.callerFailure, false);
      assert.match(refusal?.message ?? '', /sign it again with a fresh timestamp/);
    }
    assert.equal(await claimSignature(broker, claimSpace('hmac', lookup), randomBytes(32), window, broker.claimsSince + window.futureMs + 1), null);
  });

  it('asks the shared bus again once a claim is answered: a claim resent on a reconnect to another server vouches for nothing before it', async () => {
    const signedAt = 1_700_000_000_000;
    // The claim was checked against the old link and answered by the server behind the new one.
    const reconnecting = { claimsSince: signedAt - 60_000, claimOnce: async () => ((reconnecting.claimsSince = signedAt + 5), true) };
    const refusal = await claimSignature(reconnecting as unknown as Broker, claimSpace('hmac', lookup), randomBytes(32), window, signedAt);
    assert.equal(refusal?.code, 'REPLAYED');
    assert.equal(refusal?.callerFailure, false);
    const steady = { claimsSince: signedAt - 60_000, claimOnce: async () => true };
    assert.equal(await claimSignature(steady as unknown as Broker, claimSpace('hmac', lookup), randomBytes(32), window, signedAt), null);
  });
});
