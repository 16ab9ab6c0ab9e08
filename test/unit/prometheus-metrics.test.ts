import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusMetrics } from '../../src/runtime/prometheus-metrics.ts';

/** The value of one series line in an exposition, or undefined when it is absent. */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('verification counts in the exposition', () => {
  it('counts every scheme and code apart, cumulatively across scrapes', async () => {
    const metrics = new PrometheusMetrics();
    const calls: Array<[string, string]> = [['opaque', 'VALID'], ['opaque', 'VALID'], ['opaque', 'NOT_FOUND'], ['hmac', 'VALID'], ['hmac', 'REPLAYED'], ['unknown', 'MALFORMED'], ['rsa', 'VALID']];
    for (const [scheme, code] of calls) metrics.verified(scheme, code, 0.00001);
    let text = await metrics.render();
    assert.equal(series(text, 'keygate_verifications_total{scheme="opaque",code="VALID"}'), 2);
    assert.equal(series(text, 'keygate_verifications_total{scheme="opaque",code="NOT_FOUND"}'), 1);
    assert.equal(series(text, 'keygate_verifications_total{scheme="hmac",code="VALID"}'), 1);
    assert.equal(series(text, 'keygate_verifications_total{scheme="hmac",code="REPLAYED"}'), 1);
    assert.equal(series(text, 'keygate_verifications_total{scheme="unknown",code="MALFORMED"}'), 1);
    assert.equal(series(text, 'keygate_verifications_total{scheme="rsa",code="VALID"}'), 1);
    assert.equal(series(text, 'keygate_verification_duration_seconds_count{scheme="opaque"}'), 3);

    metrics.verified('opaque', 'VALID', 0.00001);
    metrics.verified('ed25519', 'EXPIRED', 0.00001);
    text = await metrics.render();
    assert.equal(series(text, 'keygate_verifications_total{scheme="opaque",code="VALID"}'), 3, 'counts add up across scrapes, never reset');
    assert.equal(series(text, 'keygate_verifications_total{scheme="hmac",code="VALID"}'), 1);
    assert.equal(series(text, 'keygate_verifications_total{scheme="ed25519",code="EXPIRED"}'), 1);
  });
});
