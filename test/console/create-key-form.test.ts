import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCreateForm, formFieldOf, formMessage, localDay } from '../../web/src/create-key-form.ts';

describe('create key form', () => {
  const now = new Date(2026, 10, 22, 15, 0); // Nov 22, 2026, local time

  it('checks what it can before sending, in plain words', () => {
    assert.deepEqual(checkCreateForm({ name: 'risk monitor', expiry: '30d', customDate: '' }, now), {});
    assert.deepEqual(checkCreateForm({ name: '  ', expiry: '30d', customDate: '' }, now), { name: 'Name is required' });
    assert.deepEqual(checkCreateForm({ name: 'x'.repeat(101), expiry: '30d', customDate: '' }, now), { name: 'Name must be at most 100 characters' });
    assert.deepEqual(checkCreateForm({ name: 'k', expiry: 'custom', customDate: '' }, now), { expiresAt: 'Choose the last day the key works, or one of the other options' });
    assert.deepEqual(checkCreateForm({ name: 'k', expiry: 'custom', customDate: '2026-11-21' }, now), { expiresAt: 'The expiry date has passed; choose today or a later day' });
    assert.deepEqual(checkCreateForm({ name: 'k', expiry: 'custom', customDate: '2026-11-22' }, now), {}, 'today lasts to its end');
    assert.deepEqual(checkCreateForm({ name: '', expiry: 'custom', customDate: '2020-01-01' }, now), {
      name: 'Name is required',
      expiresAt: 'The expiry date has passed; choose today or a later day',
    });
    assert.equal(localDay(now), '2026-11-22');
  });

  it("puts the server's message in the form's words, at the field it names", () => {
    assert.equal(formMessage('name must be at most 100 characters'), 'Name must be at most 100 characters');
    assert.equal(formMessage('ipAllowlist[1] is not an IPv4/IPv6 address or CIDR range: "x"'), 'IP allowlist entry 2 is not an IPv4/IPv6 address or CIDR range: "x"');
    assert.equal(formMessage('expiresAt must be in the future'), 'Expiry date must be in the future');
    assert.equal(formMessage('unknown field "colour"'), 'Unknown field "colour"');
    assert.equal(formMessage('a key limit of 3 was reached'), 'A key limit of 3 was reached');
    assert.equal(formFieldOf('ipAllowlist[1]'), 'ipAllowlist');
    assert.equal(formFieldOf('permissions'), 'permissions');
    assert.equal(formFieldOf('expiresInSeconds'), 'expiresAt');
    assert.equal(formFieldOf('ownerId'), null);
    assert.equal(formFieldOf(undefined), null);
  });
});
