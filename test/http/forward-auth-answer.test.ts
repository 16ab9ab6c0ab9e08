// The forward-auth answer (src/http/forward-auth/forward-auth-answer.ts) as both front ends write it:
// a header list in a fixed order, and refusal reasons made safe for a header value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardAuthAnswer, headerSafeReason } from '../../src/http/forward-auth/forward-auth-answer.ts';
import { refuse, type Verdict } from '../../src/core/verdict.ts';
import { IDENTITY_HEADER_NAMES, validAnswerHeaders } from '../../src/core/identity-headers.ts';
import { requiredPermissions, type ForwardAuthCall } from '../../src/http/forward-auth/forwarded-request.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';

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

  it("hands a valid key's cached 200 list on as it is, and copies it before adding rate-limit or body headers", () => {
    const key = apiKeyRecord({ organizationId: 'org-1', userId: 'user-1' });
    const validHeaders = validAnswerHeaders(key, IDENTITY_HEADER_NAMES);
    const before = [...validHeaders];
    const verdict: Verdict = { valid: true, code: 'VALID', message: 'API key is valid', key, validHeaders };
    assert.equal(forwardAuthAnswer(verdict, false).headers, validHeaders, 'the very list on the cache entry: nothing copied');
    assert.deepEqual(validHeaders.slice(0, 4), ['x-keygate-code', 'VALID', 'x-keygate-key-id', key.id]);

    const limited = forwardAuthAnswer({ ...verdict, rateLimit: { limit: 10, remaining: 9, resetSeconds: 30 } }, false);
    assert.deepEqual(limited.headers.slice(-6), ['x-ratelimit-limit', '10', 'x-ratelimit-remaining', '9', 'x-ratelimit-reset', '30']);
    const json = forwardAuthAnswer(verdict, true);
    assert.deepEqual(json.headers.slice(-2), ['content-type', 'application/json; charset=utf-8']);
    assert.notEqual(limited.headers, validHeaders);
    assert.notEqual(json.headers, validHeaders);
    assert.deepEqual(validHeaders, before, 'the shared list is unchanged by answers that add headers');
    assert.ok(Object.isFrozen(validHeaders), 'and cannot be changed by any writer');
    assert.deepEqual(forwardAuthAnswer(verdict, false).headers, before, 'the next plain answer has no rate-limit or body headers');
  });
});

describe('the permissions a forward-auth call requires', () => {
  const call = (query: ForwardAuthCall['query'], headers: ForwardAuthCall['headers'] = {}): ForwardAuthCall => ({ method: 'GET', url: '/v1/auth', headers, query, peer: '127.0.0.1', clientIp: () => '127.0.0.1' });

  it('asks for none when neither ?permission= nor X-Keygate-Permission is given', () => {
    const none = requiredPermissions('nginx', call({}));
    assert.deepEqual(none, []);
    assert.ok(Object.isFrozen(none), 'one shared empty list, never handed out to be filled');
  });

  it('reads both, splits commas, drops empty values and repeats, and ignores the query at an Envoy address', () => {
    assert.deepEqual(requiredPermissions('nginx', call({ permission: ['read', 'trade, read'] }, { 'x-keygate-permission': ' withdraw ,' })), ['read', 'trade', 'withdraw']);
    assert.deepEqual(requiredPermissions('nginx', call({ permission: '' })), [], 'an empty ?permission= asks for nothing');
    assert.deepEqual(requiredPermissions('envoy', call({ permission: 'trade' }, { 'x-keygate-permission': 'read' })), ['read']);
    assert.deepEqual(requiredPermissions('envoy', call({ permission: 'trade' })), []);
  });
});
