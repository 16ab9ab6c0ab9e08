import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaimHorizon } from '../../src/bus/claim-horizon.ts';

// What a node may vouch for after each sequence of reconnects: the run ids and uptimes are what the
// links' INFO answers would say. A is a Redis up for a day; B a replica, also up for a day, that a
// failover promotes (it lacks the claims made on A since its last replication).
describe('the claim horizon of a Redis-backed node', () => {
  const DAY = 86_400;
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const t0 = 1_700_000_000_000;

  it('trusts the uptime of the first server it meets, and of the same server after a dropped link', () => {
    const horizon = new ClaimHorizon(t0);
    assert.equal(horizon.since, t0, 'nothing vouched for before the first answer');
    horizon.learnt(A, DAY, t0 + 5);
    assert.equal(horizon.since, t0 + 5 - (DAY - 1) * 1000);
    horizon.linkReady(t0 + 10_000);
    assert.equal(horizon.since, t0 + 10_000, 'nothing vouched for until the new link says what it reached');
    horizon.learnt(A, DAY + 10, t0 + 10_005);
    assert.equal(horizon.since, t0 + 10_005 - (DAY + 9) * 1000);
  });

  it('vouches on another server only for what came after the reconnect to it, on every later reconnect too', () => {
    const horizon = new ClaimHorizon(t0);
    horizon.learnt(A, DAY, t0);
    const failover = t0 + 10_000;
    horizon.linkReady(failover);
    horizon.learnt(B, DAY, failover + 5);
    assert.equal(horizon.since, failover + 5);
    horizon.linkReady(failover + 2_000);
    horizon.learnt(B, DAY + 2, failover + 2_005);
    assert.equal(horizon.since, failover, 'a blip on B: B still lacks what A held before the failover');
    horizon.linkReady(failover + 60_000);
    horizon.learnt(A, DAY + 60, failover + 60_005);
    assert.equal(horizon.since, failover + 60_005, 'back on A, which lacks what was claimed on B');
  });

  it('takes no server it could not identify for the one before it', () => {
    const horizon = new ClaimHorizon(t0);
    horizon.learnt(A, DAY, t0);
    horizon.linkReady(t0 + 1_000);
    horizon.learnt('', null, t0 + 1_005);
    assert.equal(horizon.since, t0 + 1_005, 'INFO failed');
    horizon.linkReady(t0 + 2_000);
    horizon.learnt(B, DAY, t0 + 2_005);
    assert.equal(horizon.since, t0 + 2_005, 'the server after an unknown one is a new one');
    horizon.linkReady(t0 + 3_000);
    horizon.learnt(B, DAY, t0 + 3_005);
    assert.equal(horizon.since, t0 + 2_000, 'and stays so across a blip');
  });

  it('treats a link that dropped before its server answered as an unknown server', () => {
    const horizon = new ClaimHorizon(t0);
    horizon.learnt(A, DAY, t0);
    // A link to B whose INFO answer never came (the link dropped first), claims made on it; then A again.
    horizon.linkReady(t0 + 1_000);
    horizon.linkReady(t0 + 2_000);
    horizon.learnt(A, DAY, t0 + 2_005);
    assert.equal(horizon.since, t0 + 2_005);
  });

  it('never vouches for a claim before the start of a server that restarted', () => {
    const horizon = new ClaimHorizon(t0);
    horizon.learnt(A, DAY, t0);
    const restart = t0 + 60_000;
    horizon.linkReady(restart + 500);
    horizon.learnt('c'.repeat(40), 0, restart + 505);
    assert.ok(horizon.since >= restart);
  });
});
