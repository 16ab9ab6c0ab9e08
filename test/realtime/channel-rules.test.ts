import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiKey } from '../../src/core/api-key.ts';
import { canonicalChannel } from '../../src/core/channel-names.ts';
import { canPublish, canSubscribe } from '../../src/realtime/channel-rules.ts';
import { apiKeyRecord } from '../support/api-key-record.ts';
import { WALLET, WALLET_LOWER } from './realtime-fixtures.ts';

const settings = { walletPermission: 'read', clientPublishNamespaces: [] as string[] };

function key(overrides: Partial<ApiKey> = {}): ApiKey {
  return apiKeyRecord({ organizationId: 'o1', userId: 'u1' }, { id: 'k1', name: 'k', lookup: 'x', tail: 'abcdef', allowedExchanges: ['binance'], createdAt: 0, ...overrides });
}

describe('channel rules', () => {
  it('allows the checksummed wallet channel of a wallet the owner holds, with the read permission', () => {
    assert.deepEqual(canSubscribe(`maintenance:wallet:${WALLET}`, key(), [WALLET_LOWER], settings), { allowed: true, permission: 'read' });
  });

  it('refuses lowercase and mis-cased addresses, saying they must be checksummed', () => {
    for (const address of [WALLET_LOWER, WALLET.toUpperCase().replace('0X', '0x')]) {
      const decision = canSubscribe(`maintenance:wallet:${address}`, key(), [WALLET_LOWER], settings);
      assert.equal(decision.allowed, false);
      assert.ok(!decision.allowed && decision.error === 'PERMISSION_DENIED' && /checksummed/.test(decision.message));
    }
  });

  it('refuses wallets of someone else, keys without read, and malformed addresses', () => {
    assert.equal(canSubscribe(`maintenance:wallet:${WALLET}`, key(), [], settings).allowed, false);
    assert.equal(canSubscribe(`maintenance:wallet:${WALLET}`, key({ permissions: ['trade'] }), [WALLET_LOWER], settings).allowed, false);
    assert.equal(canSubscribe('maintenance:wallet:0x123', key(), [WALLET_LOWER], settings).allowed, false);
  });

  it('allows listings of allowed exchanges or with *, refuses others (103) and unknown namespaces (102)', () => {
    assert.equal(canSubscribe('listings:binance', key(), [], settings).allowed, true);
    assert.equal(canSubscribe('listings:okx', key({ allowedExchanges: ['*'] }), [], settings).allowed, true);
    const refused = canSubscribe('listings:okx', key(), [], settings);
    assert.ok(!refused.allowed && refused.error === 'PERMISSION_DENIED');
    const unknown = canSubscribe('trades:btc', key(), [], settings);
    assert.ok(!unknown.allowed && unknown.error === 'UNKNOWN_CHANNEL');
  });

  it('refuses client publications unless the namespace is configured for them', () => {
    assert.equal(canPublish('listings:binance', key(), [], settings).allowed, false);
    assert.equal(canPublish('listings:binance', key(), [], { ...settings, clientPublishNamespaces: ['listings'] }).allowed, true);
  });

  it('puts server publications on the canonical channel', () => {
    assert.equal(canonicalChannel(`maintenance:wallet:${WALLET_LOWER}`), `maintenance:wallet:${WALLET}`);
    assert.equal(canonicalChannel('listings:Binance'), 'listings:binance');
    assert.equal(canonicalChannel('other:x'), null);
    assert.equal(canonicalChannel('maintenance:wallet:nope'), null);
  });
});
