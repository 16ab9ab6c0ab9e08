// The forward-auth answer (src/http/forward-auth/forward-auth-answer.ts) as both front ends write it:
// a header list in a fixed order, and refusal reasons made safe for a header value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardAuthAnswer, headerSafeReason } from '../../src/http/forward-auth/forward-auth-answer.ts';
import { refuse } from '../../src/core/verdict.ts';

describe('forward-auth answer', () => {
  it('keeps a printable reason as it is, replaces anything else with ?, and shortens a long one', () => {
    assert.equal(headerSafeReason('unknown API key'), 'unknown API key');
    assert.equal(headerSafeReason('requests from ::1 are not allowed'), 'requests from ::1 are not allowed');
    assert.equal(headerSafeReason('snow\u2603man\r\nX-Injected: 1\ttab'), 'snow?man??X-Injected: 1?tab');
    const long = headerSafeReason('x'.repeat(500));
    assert.equal(long.length, 160);
    assert.ok(long.endsWith('...'));
  });

  it('answers a refusal with its code, reason and challenge as a header list, and a body only on the JSON opt-in', () => {
    const plain = forwardAuthAnswer(refuse('NOT_FOUND', 'unknown \u2603 key'), false);
    assert.equal(plain.status, 401);
    assert.deepEqual(plain.headers, ['x-keygate-code', 'NOT_FOUND', 'x-keygate-reason', 'unknown ? key', 'www-authenticate', 'ApiKey realm="keygate"']);
    assert.equal(plain.body, undefined);
    const json = forwardAuthAnswer(refuse('NOT_FOUND', 'unknown API key'), true);
    assert.deepEqual(json.headers.slice(-2), ['content-type', 'application/json; charset=utf-8']);
    assert.deepEqual(JSON.parse(json.body!), { error: { code: 'NOT_FOUND', message: 'unknown API key' } });
  });
});
