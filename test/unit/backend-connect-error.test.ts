import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendConnectError, hidePassword, isUnreachable } from '../../src/core/backend-connect-error.ts';

describe('backend connect errors', () => {
  it('hides the password of a URL, in the user part or a password= parameter, and keeps the rest', () => {
    assert.equal(hidePassword('redis://:secret@cache:6379'), 'redis://:***@cache:6379');
    assert.equal(hidePassword('rediss://default:secret@cache:6380/2'), 'rediss://default:***@cache:6380/2');
    assert.equal(hidePassword('postgres://keygate:s%40cret@db:5432/keygate?sslmode=require'), 'postgres://keygate:***@db:5432/keygate?sslmode=require');
    assert.equal(hidePassword('postgres://keygate@db/keygate?password=secret'), 'postgres://keygate@db/keygate?password=***');
    assert.equal(hidePassword('postgres://keygate@db:5432/keygate'), 'postgres://keygate@db:5432/keygate');
    assert.equal(hidePassword('not a url://user:secret@host'), 'not a url://user:***@host');
  });

  it('tells "nobody answered" from "the server said no"', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03']) assert.equal(isUnreachable({ code }), true, code);
    assert.equal(isUnreachable(new Error('timeout expired')), true);
    assert.equal(isUnreachable(new Error('Connection is closed.')), true);
    assert.equal(isUnreachable(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' })), false);
    assert.equal(isUnreachable(new Error('WRONGPASS invalid username-password pair')), false);
  });

  it('says in one line which service, where (password hidden), and what to check', () => {
    const refused = BackendConnectError.unreachable('Redis', 'redis://:secret@127.0.0.1:6390', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.equal(refused.message, 'cannot reach Redis at redis://:***@127.0.0.1:6390 (ECONNREFUSED); is it running?');
    const unknownHost = BackendConnectError.unreachable('PostgreSQL', 'postgres://keygate@db:5432/keygate', Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND', hostname: 'db' }));
    assert.equal(unknownHost.message, 'cannot reach PostgreSQL at postgres://keygate@db:5432/keygate (ENOTFOUND: host "db" not found); is the host name right?');
    const badPassword = BackendConnectError.refused('PostgreSQL', 'postgres://u:secret@db/x', new Error('password authentication failed for user "u"'));
    assert.equal(badPassword.message, 'PostgreSQL at postgres://u:***@db/x refused the connection: password authentication failed for user "u"');
  });
});
