import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeygateError } from '../../src/core/errors.ts';
import { compileAllowlist, parseAllowlistEntry, validateAllowlist } from '../../src/core/ip-allowlist.ts';

describe('IP allowlist', () => {
  it('allows everyone when empty', () => {
    const list = compileAllowlist([]);
    assert.equal(list.allows('203.0.113.9'), true);
    assert.equal(list.allows('2001:db8::1'), true);
  });

  it('matches single IPv4 addresses exactly', () => {
    const list = compileAllowlist(validateAllowlist(['203.0.113.9']));
    assert.equal(list.allows('203.0.113.9'), true);
    assert.equal(list.allows('203.0.113.10'), false);
  });

  it('matches IPv4 CIDR ranges at their edges', () => {
    const list = compileAllowlist(validateAllowlist(['10.1.0.0/16']));
    assert.equal(list.allows('10.1.0.0'), true);
    assert.equal(list.allows('10.1.255.255'), true);
    assert.equal(list.allows('10.0.255.255'), false);
    assert.equal(list.allows('10.2.0.0'), false);
  });

  it('handles /32, /0 and non-aligned CIDR bases', () => {
    assert.equal(compileAllowlist(validateAllowlist(['192.0.2.7/32'])).allows('192.0.2.7'), true);
    assert.equal(compileAllowlist(validateAllowlist(['192.0.2.7/32'])).allows('192.0.2.8'), false);
    assert.equal(compileAllowlist(validateAllowlist(['0.0.0.0/0'])).allows('198.51.100.1'), true);
    // 192.0.2.130/25 covers 192.0.2.128 – 192.0.2.255.
    const nonAligned = compileAllowlist(validateAllowlist(['192.0.2.130/25']));
    assert.equal(nonAligned.allows('192.0.2.128'), true);
    assert.equal(nonAligned.allows('192.0.2.127'), false);
  });

  it('matches IPv6 addresses and ranges, whatever their spelling', () => {
    const list = compileAllowlist(validateAllowlist(['2001:db8::/32', '::1']));
    assert.equal(list.allows('2001:db8:ffff::1'), true);
    assert.equal(list.allows('2001:0db8:0000:0000:0000:0000:0000:0001'), true);
    assert.equal(list.allows('2001:db9::1'), false);
    assert.equal(list.allows('::1'), true);
    assert.equal(list.allows('[::1]'), true);
    assert.equal(list.allows('::2'), false);
  });

  it('treats IPv4-mapped IPv6 peers as their IPv4 address', () => {
    const list = compileAllowlist(validateAllowlist(['127.0.0.0/8']));
    assert.equal(list.allows('::ffff:127.0.0.1'), true);
    assert.equal(list.allows('::FFFF:127.0.0.1'), true);
    assert.equal(list.allows('::ffff:128.0.0.1'), false);
    // Spelled in hex, as some proxies write it: the same client, read as the throttles read it.
    assert.equal(list.allows('::ffff:7f00:1'), true);
    assert.equal(list.allows('::ffff:8000:1'), false);
    // A mapped entry is stored as the IPv4 address it stands for.
    assert.deepEqual(validateAllowlist(['::ffff:192.0.2.1']), ['192.0.2.1']);
  });

  it('keeps the families apart except through the IPv4-mapped range', () => {
    const v4 = compileAllowlist(validateAllowlist(['0.0.0.0/0']));
    assert.equal(v4.allows('2001:db8::1'), false);
    const v6 = compileAllowlist(validateAllowlist(['2001:db8::/32']));
    assert.equal(v6.allows('192.0.2.1'), false);
    // ::ffff:0:0/96 is where IPv4 lives inside IPv6, so a range spelled that way covers IPv4 peers.
    const mapped = compileAllowlist(validateAllowlist(['::ffff:0:0/96']));
    assert.equal(mapped.allows('192.0.2.1'), true);
  });

  it('refuses unknown and garbage client addresses when a list is set', () => {
    const list = compileAllowlist(validateAllowlist(['0.0.0.0/0', '::/0']));
    for (const ip of [undefined, '', 'localhost', '1.2.3', '1.2.3.4.5', '999.1.1.1', 'not an ip', '1.2.3.4/8']) {
      assert.equal(list.allows(ip), false, String(ip));
    }
  });

  it('rejects bad entries with an error naming the field and the entry', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/', '10.0.0.0/abc', 'example.com', '', '300.1.1.1', 42, null]) {
      assert.throws(
        () => validateAllowlist([bad]),
        (error: unknown) => error instanceof KeygateError && error.field === 'ipAllowlist' && error.message.includes('ipAllowlist[0]'),
        JSON.stringify(bad),
      );
    }
    assert.equal(parseAllowlistEntry('10.0.0.0/33'), null);
  });

  it('canonicalises entries it accepts', () => {
    assert.deepEqual(validateAllowlist([' 10.0.0.0/8 ', '[::1]', '2001:db8::/48']), ['10.0.0.0/8', '::1', '2001:db8::/48']);
  });
});
