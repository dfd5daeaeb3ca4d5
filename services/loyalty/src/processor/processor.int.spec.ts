import { fromRecordedLoyaltyEvent } from '@rapport/contracts';
import { orderPlaced, orderReturned, startLoyaltyKit, type LoyaltyKit } from '../loyalty-test-kit';

const settle = (kit: LoyaltyKit) => kit.loyalty.projections!.settled();

async function loyaltyEvents(kit: LoyaltyKit) {
  const all = await kit.store.readAll();
  return all
    .filter((event) => event.streamId.startsWith('loyalty-'))
    .map((event) => fromRecordedLoyaltyEvent(event))
    .map(({ id, type, customerId, occurredAt, data }) => ({ id, type, customerId, occurredAt, data }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Three customers over 2010–2011: orders, a return, lots falling due in between. */
function history() {
  return {
    early: [
      orderPlaced('c1', 'o1', '2010-12-01T10:00:00Z', 13_912),
      orderPlaced('c2', 'o2', '2010-12-02T10:00:00Z', 60_000),
      orderPlaced('c1', 'o3', '2010-12-20T10:00:00Z', 5_000),
    ],
    late: [
      orderReturned('c2', 'o2', '2011-01-05T10:00:00Z', 30_000),
      orderPlaced('c3', 'o4', '2011-02-01T10:00:00Z', 10_000),
      orderPlaced('c1', 'o5', '2011-11-30T10:00:00Z', 200_000),
    ],
  };
}

describe('loyalty processor and scheduler', () => {
  it('earns on orders, reverses on returns, and fires due changes when the clock passes them', async () => {
    const kit = await startLoyaltyKit('loyalty_processor', { now: '2010-12-01T12:00:00Z' });
    try {
      const { early } = history();
      await kit.emit(early.slice(0, 1));
      await settle(kit);
      const balance = async () => (await kit.pool.query('SELECT available, pending, tier FROM loyalty.accounts WHERE customer_id = $1', ['c1'])).rows[0];
      await settle(kit);
      expect(await balance()).toEqual({ available: '0', pending: '189', tier: null });
      kit.clock.set('2010-12-16T00:00:00Z');
      expect(await kit.loyalty.scheduler.runDue()).toBe(2);
      await settle(kit);
      expect(await balance()).toEqual({ available: '189', pending: '0', tier: null });
      const answered = await kit.pool.query('SELECT type, decided, earned, skipped FROM loyalty_processor.answered');
      expect(answered.rows).toEqual([{ type: 'OrderPlaced', decided: 2, earned: '189', skipped: null }]);
    } finally {
      await kit.close();
    }
  });

  it('decides the same events whether history is imported before or after its due instants passed', async () => {
    const live = await startLoyaltyKit('loyalty_live', { now: '2010-12-01T12:00:00Z' });
    const imported = await startLoyaltyKit('loyalty_import', { now: '2013-06-01T00:00:00Z' });
    try {
      const { early, late } = history();
      // As it happened: the early orders, the clock moving past their return windows, then the rest.
      await live.emit(early);
      await settle(live);
      live.clock.set('2011-01-04T00:00:00Z');
      await live.loyalty.scheduler.runDue();
      await live.emit(late);
      await settle(live);
      live.clock.set('2013-06-01T00:00:00Z');
      await live.loyalty.scheduler.runDue();
      await settle(live);
      // Imported in one go, long after every due instant.
      await imported.emit([...early, ...late]);
      await settle(imported);
      await imported.loyalty.scheduler.runDue();
      await settle(imported);

      const expected = await loyaltyEvents(live);
      expect(expected.map((event) => event.type)).toEqual(expect.arrayContaining(['PointsEarned', 'PointsBecameAvailable', 'PointsReversed', 'PointsExpired', 'TierChanged']));
      expect(await loyaltyEvents(imported)).toEqual(expected);
      const balances = 'SELECT customer_id, available, pending, lifetime_earned, tier FROM loyalty.accounts ORDER BY customer_id';
      expect((await imported.pool.query(balances)).rows).toEqual((await live.pool.query(balances)).rows);
    } finally {
      await Promise.all([live.close(), imported.close()]);
    }
  });

  it('verifies equal after a live run, and a rebuild from zero gives identical balances', async () => {
    const kit = await startLoyaltyKit('loyalty_replay', { now: '2013-06-01T00:00:00Z' });
    try {
      const { early, late } = history();
      await kit.emit([...early, ...late]);
      await settle(kit);
      await kit.loyalty.scheduler.runDue();
      await settle(kit);
      const runtime = kit.loyalty.projections!;
      expect((await runtime.verify('loyalty')).equal).toBe(true);
      const query = 'SELECT customer_id, available, pending, lifetime_earned, tier, state FROM loyalty.accounts ORDER BY customer_id';
      const before = (await kit.pool.query(query)).rows;
      const ledger = 'SELECT sum(points) AS points, sum(available_delta) AS available, count(*) AS rows FROM loyalty.ledger';
      const ledgerBefore = (await kit.pool.query(ledger)).rows;
      await runtime.rebuild('loyalty');
      await runtime.settled();
      expect((await kit.pool.query(query)).rows).toEqual(before);
      expect((await kit.pool.query(ledger)).rows).toEqual(ledgerBefore);
      expect(before).toHaveLength(3);
    } finally {
      await kit.close();
    }
  });
});
