import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REQUESTS_PER_MINUTE as API_MAX } from '../../src/core/api-key.ts';
import { MAX_REQUESTS_PER_MINUTE, parseRequestLimit, requestLimitLabel } from '../../web/src/request-limit.ts';

describe('the console\'s request-limit field', () => {
  it('reads a whole number within the API\'s bounds, and empty as the tier\'s limit', () => {
    assert.deepEqual(parseRequestLimit(' 600 '), { limit: 600 });
    assert.deepEqual(parseRequestLimit(''), { limit: null });
    assert.deepEqual(parseRequestLimit('   '), { limit: null });
    assert.deepEqual(parseRequestLimit(String(MAX_REQUESTS_PER_MINUTE)), { limit: MAX_REQUESTS_PER_MINUTE });
  });

  it('says what is wrong with anything else', () => {
    for (const text of ['lots', '1.5', '-3', '1e3', '0x10']) assert.match((parseRequestLimit(text) as { error: string }).error, /whole number/, text);
    for (const text of ['0', String(MAX_REQUESTS_PER_MINUTE + 1)]) assert.match((parseRequestLimit(text) as { error: string }).error, /from 1 to 10,000,000/, text);
  });

  it('keeps the console\'s bound the API\'s (the console is built apart from the server, so it holds a copy)', () => {
    assert.equal(MAX_REQUESTS_PER_MINUTE, API_MAX);
  });

  it('labels a key\'s own limit per minute and the tier\'s as Tier', () => {
    assert.equal(requestLimitLabel(null), 'Tier');
    assert.equal(requestLimitLabel(12000), '12,000/min');
  });
});
