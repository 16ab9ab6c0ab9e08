import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressBucket } from '../../src/core/address-bucket.ts';

describe('addressBucket: what a per-address limit counts under', () => {
  it('keeps an IPv4 address as it is', () => {
    assert.equal(addressBucket('198.51.100.7'), '198.51.100.7');
  });

  it('counts an IPv4-mapped IPv6 address, in either spelling, as its IPv4 address', () => {
    assert.equal(addressBucket('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(addressBucket('::FFFF:c633:6407'), '198.51.100.7');
  });

  it('counts every IPv6 address of one /64 as that /64, whatever its spelling', () => {
    const bucket = addressBucket('2001:db8:1:2::a');
    assert.equal(bucket, '2001:db8:1:2::/64');
    assert.equal(addressBucket('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'), bucket);
    assert.equal(addressBucket('[2001:db8:1:2::1]'), bucket);
    assert.notEqual(addressBucket('2001:db8:1:3::a'), bucket);
    assert.equal(addressBucket('::1'), '::/64');
  });

  it('leaves what is not an address alone', () => {
    assert.equal(addressBucket('unknown'), 'unknown');
  });
});
