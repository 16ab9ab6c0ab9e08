import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { TalliedHistogram } from '../../src/runtime/tallied-histogram.ts';

describe('TalliedHistogram', () => {
  it("renders exactly what prom-client's Histogram renders for the same observations", async () => {
    const buckets = [0.0001, 0.001, 0.01, 0.1, 1];
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ name: 'h_seconds', help: 'help text', labelNames: ['scheme'], buckets, registers: [theirs] });
    const tallied = new TalliedHistogram({ name: 'h_seconds', help: 'help text', label: 'scheme', buckets, registers: [ours] });
    const observations: Array<[string, number]> = [
      ['opaque', 0.00005],
      ['opaque', 0.0001],
      ['opaque', 0.0005],
      ['hmac', 0.002],
      ['hmac', 5],
      ['rsa', 0.1],
      ['opaque', 0.00002],
    ];
    for (const [scheme, value] of observations) {
      reference.observe({ scheme }, value);
      tallied.observe(scheme, value);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
  });

  it('renders nothing but its help and type before the first observation, as prom-client does', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    new Histogram({ name: 'empty_seconds', help: 'h', labelNames: ['scheme'], buckets: [1], registers: [theirs] });
    new TalliedHistogram({ name: 'empty_seconds', help: 'h', label: 'scheme', buckets: [1], registers: [ours] });
    assert.equal(await ours.metrics(), await theirs.metrics());
  });
});
