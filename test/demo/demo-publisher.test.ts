import assert from 'node:assert/strict';
import { setImmediate } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startDemoPublisher } from '../../src/demo/demo-publisher.ts';
import type { ListingAnnouncement } from '../../src/demo/listing-announcement.ts';
import type { MaintenanceUpdate } from '../../src/demo/maintenance-update.ts';
import { seededRandom } from '../../src/demo/seeded-random.ts';

const ADMIN_WALLET = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const MEMBER_WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const START = Date.UTC(2026, 0, 15, 9, 30);
const DECIMAL = /^-?\d+(\.\d+)?$/;
const USD = /^-?\d+\.\d{2}$/;

interface Publication {
  readonly channel: string;
  readonly data: unknown;
}

/** Resolves once every promise already pending has run (a macrotask turn comes after the microtasks). */
const settled = () => setImmediate();

const channels = (publications: readonly Publication[]) => publications.map((p) => p.channel);

function recorder() {
  const publications: Publication[] = [];
  return {
    publications,
    publish: async (channel: string, data: unknown) => {
      // What a subscriber would receive: the JSON text, parsed back.
      publications.push({ channel, data: JSON.parse(JSON.stringify(data)) });
    },
  };
}

function assertMaintenanceShape(update: MaintenanceUpdate, owner: string, at: number): void {
  assert.equal(update.owner, owner);
  assert.match(update.clusterId, /^mc_[0-9a-f]{16}$/);
  assert.equal(update.currency, 'USD');
  assert.match(update.riskFactor!, /^\d+\.\d{4}$/);
  assert.equal(update.marginCallLevel, '1.1500');
  assert.equal(update.liquidationLevel, '1.0000');
  assert.ok(['healthy', 'margin_call', 'liquidation'].includes(update.status));
  for (const field of ['marginBalance', 'totalBorrowed', 'collateralValue', 'stressedCollateralValue'] as const) assert.match(update[field], USD, field);
  assert.equal(update.updatedAt, new Date(at).toISOString());
  assert.equal(update.marginAccounts.length, 2);
  for (const account of update.marginAccounts) {
    assert.match(account.address, /^0x[0-9a-fA-F]{40}$/);
    assert.equal(account.owner, owner);
    assert.equal(account.leverageAsset, 'USDC');
    assert.match(account.loanPrincipal, DECIMAL);
    assert.ok(Number(account.accruedInterest) > 0, 'the demo loans have accrued interest');
    for (const token of [...account.tokens, ...account.defiPositions.flatMap((d) => d.tokens)]) {
      assert.match(token.amount, DECIMAL);
      assert.match(token.price, DECIMAL);
      assert.match(token.value, USD);
    }
  }
  assert.deepEqual(update.cexSubAccounts.map((c) => c.exchange), ['binance', 'okx']);
  // The status is what the published numbers say.
  const rf = Number(update.riskFactor);
  const expected = rf < 1 ? 'liquidation' : rf <= 1.15 ? 'margin_call' : 'healthy';
  assert.equal(update.status, expected);
}

describe('demo publisher', () => {
  it('publishes one maintenance update per checksummed wallet and one announcement per exchange on tick()', async () => {
    const clock = new ManualClock(START);
    const { publications, publish } = recorder();
    const publisher = startDemoPublisher({
      publish,
      wallets: [ADMIN_WALLET.toLowerCase(), MEMBER_WALLET],
      exchanges: ['binance', 'OKX'],
      clock,
      random: seededRandom(11),
    });
    try {
      await publisher.tick();
      assert.deepEqual(publications.map((p) => p.channel).sort(), [
        'listings:binance',
        'listings:okx',
        `maintenance:wallet:${ADMIN_WALLET}`,
        `maintenance:wallet:${MEMBER_WALLET}`,
      ].sort());
      for (const wallet of [ADMIN_WALLET, MEMBER_WALLET]) {
        const update = publications.find((p) => p.channel === `maintenance:wallet:${wallet}`)!.data as MaintenanceUpdate;
        assertMaintenanceShape(update, wallet, START);
      }
      for (const exchange of ['binance', 'okx']) {
        const announcement = publications.find((p) => p.channel === `listings:${exchange}`)!.data as ListingAnnouncement;
        assert.equal(announcement.type, 'announcement');
        assert.equal(announcement.publisher, exchange);
        assert.ok(['spot_listing', 'futures_listing', 'spot_delisting'].includes(announcement.listingType));
        assert.match(announcement.ticker, /^[A-Z]{3,6}$/);
        assert.ok(announcement.title.includes(announcement.ticker), announcement.title);
        assert.equal(announcement.dispatchTimestampUs, START * 1000);
        assert.ok(announcement.publishTimestampUs < announcement.detectedTimestampUs && announcement.detectedTimestampUs < announcement.dispatchTimestampUs);
      }

      // Each round is a new price step at the clock's time: the risk factor moves.
      const first = (publications.find((p) => p.channel === `maintenance:wallet:${ADMIN_WALLET}`)!.data as MaintenanceUpdate).riskFactor;
      clock.advance(2_000);
      publications.length = 0;
      await publisher.tick();
      const second = publications.find((p) => p.channel === `maintenance:wallet:${ADMIN_WALLET}`)!.data as MaintenanceUpdate;
      assert.equal(second.updatedAt, new Date(START + 2_000).toISOString());
      assert.notEqual(second.riskFactor, first);
    } finally {
      await publisher.stop();
    }
  });

  it('replays the same publications from the same seed and clock', async () => {
    const runs = await Promise.all([1, 2].map(async () => {
      const clock = new ManualClock(START);
      const { publications, publish } = recorder();
      const publisher = startDemoPublisher({ publish, wallets: [ADMIN_WALLET], clock, random: seededRandom(99) });
      for (let i = 0; i < 5; i++) {
        await publisher.tick();
        clock.advance(2_000);
      }
      await publisher.stop();
      return publications;
    }));
    assert.equal(runs[0].length, 5 * (1 + 7), 'one update and seven default exchanges per tick');
    assert.deepEqual(runs[0], runs[1]);
  });

  // The publisher schedules its rounds with setInterval; node:test's mock timers run those intervals
  // on demand, so these tests neither sleep nor depend on how busy the machine is.
  it('publishes on its own timers until stop(), then never again', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { publications, publish } = recorder();
    const publisher = startDemoPublisher({ publish, wallets: [ADMIN_WALLET], exchanges: ['kraken'], maintenanceIntervalMs: 10, listingIntervalMs: 30 });
    t.mock.timers.tick(9);
    await settled();
    assert.equal(publications.length, 0, 'no round before the first interval');
    t.mock.timers.tick(1);
    await settled();
    assert.deepEqual(channels(publications), [`maintenance:wallet:${ADMIN_WALLET}`], 'a maintenance round after 10 ms');
    for (let i = 0; i < 2; i++) {
      t.mock.timers.tick(10);
      await settled();
    }
    assert.deepEqual(channels(publications), [...Array(3).fill(`maintenance:wallet:${ADMIN_WALLET}`), 'listings:kraken'], 'each on its own interval');
    await publisher.stop();
    const count = publications.length;
    t.mock.timers.tick(1_000);
    await settled();
    await publisher.tick();
    assert.equal(publications.length, count, 'nothing after stop(), however long the intervals run');
  });

  it('waits in stop() for a round that is still publishing, and reports failed timed rounds', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const errors: unknown[] = [];
    let calls = 0;
    const publisher = startDemoPublisher({
      publish: async () => {
        calls += 1;
        await gate;
        throw new Error('hub closed');
      },
      wallets: [ADMIN_WALLET],
      exchanges: ['bybit'],
      maintenanceIntervalMs: 5,
      listingIntervalMs: 5,
      onError: (error) => errors.push(error),
    });
    t.mock.timers.tick(5);
    assert.equal(calls, 2, 'one maintenance and one listing round started');
    t.mock.timers.tick(50);
    assert.equal(calls, 2, 'ten more intervals pass; a slow round is not piled on');
    let stopped = false;
    const stopping = publisher.stop().then(() => (stopped = true));
    // stop() waits only on the rounds in flight; nothing but the gate can let it finish, so once every
    // pending promise has run it must still be waiting.
    await settled();
    assert.equal(stopped, false, 'stop() waits for the round in progress');
    release();
    await stopping;
    assert.equal(errors.length, 2);
    assert.match(String(errors[0]), /hub closed/);
  });

  it('rejects a wallet that is not an address and a non-positive interval', () => {
    assert.throws(() => startDemoPublisher({ publish: async () => {}, wallets: ['not-a-wallet'] }), /20-byte hex address/);
    assert.throws(() => startDemoPublisher({ publish: async () => {}, wallets: [ADMIN_WALLET], maintenanceIntervalMs: 0 }), /maintenanceIntervalMs/);
  });
});

