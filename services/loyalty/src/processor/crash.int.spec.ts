import { join } from 'node:path';
import { fromRecordedLoyaltyEvent, streamIdFor, toStoredEvent, type EventOf } from '@rapport/contracts';
import { killAtCrashPoint, openCrashTestbed, type CrashTestbed } from '@rapport/testing';
import { decideFactInPlace, type Fact } from '../account/decide';
import { initialState } from '../account/state';
import { loyaltyProjections } from '../loyalty';
import { defaultRuleBook } from '../rules/rules';
import { PROCESSOR_NAME } from './projection';

const CUSTOMERS = 12;
const ORDERS_PER_CUSTOMER = 25;
const rules = defaultRuleBook();

function facts(): EventOf<'OrderPlaced'>[] {
  const list: EventOf<'OrderPlaced'>[] = [];
  for (let n = 0; n < ORDERS_PER_CUSTOMER; n++) {
    for (let c = 0; c < CUSTOMERS; c++) {
      const total = 1000 + 100 * n + c;
      list.push({
        id: `70000000-0000-4000-8${String(c).padStart(3, '0')}-${String(n).padStart(12, '0')}`,
        type: 'OrderPlaced',
        version: 1,
        customerId: `crash-${c}`,
        occurredAt: new Date(Date.UTC(2011, 0, 1 + 3 * n, c)).toISOString(),
        source: 'shop',
        data: { orderId: `o-${c}-${n}`, channel: 'web', currency: 'GBP', total, lines: [{ sku: 'X', quantity: 1, unitPrice: total }] },
      });
    }
  }
  return list;
}

/** Points each customer should have earned, by the pure decider. */
function expectedEarnings(): Record<string, number> {
  const states = new Map<string, ReturnType<typeof initialState>>();
  const earned: Record<string, number> = {};
  for (const fact of facts()) {
    const customerId = fact.customerId as string;
    if (!states.has(customerId)) states.set(customerId, initialState());
    const decision = decideFactInPlace(states.get(customerId)!, fact as unknown as Fact, rules, customerId);
    for (const event of decision.events) if (event.type === 'PointsEarned') earned[customerId] = (earned[customerId] ?? 0) + event.data.points;
  }
  return earned;
}

describe('loyalty processor killed between its append and its commit', () => {
  let bed: CrashTestbed;

  beforeAll(async () => {
    bed = await openCrashTestbed('loyalty_crash');
    for (const fact of facts()) await bed.store.append(streamIdFor(fact), [toStoredEvent(fact, fact.occurredAt)]);
  });

  afterAll(() => bed.close());

  it('earns exactly once once restarted: the same sums, not only the same rows', async () => {
    const { [PROCESSOR_NAME]: report } = await killAtCrashPoint(join(__dirname, 'crash-processor.ts'), bed.database.url, 3);
    const appended = report.appended as number;

    // The third batch's loyalty events reached the bed.store, its bookkeeping did not.
    const answered = await bed.pool.query<{ count: string }>('SELECT count(*) FROM loyalty_processor.answered');
    expect(Number(answered.rows[0].count)).toBe(100);
    expect(appended).toBeGreaterThan(0);
    const afterTwoBatches = (await bed.store.readAll()).filter((e) => e.streamId.startsWith('loyalty-'));
    expect(afterTwoBatches).toHaveLength(appended);

    const clock = { now: () => new Date('2030-01-01T00:00:00Z') };
    await bed.catchUp(loyaltyProjections({ store: bed.store, rules, clock }));

    const expected = expectedEarnings();
    const loyalty = (await bed.store.readAll()).filter((e) => e.streamId.startsWith('loyalty-')).map((e) => fromRecordedLoyaltyEvent(e));
    const earnedInStore: Record<string, number> = {};
    for (const event of loyalty) if (event.type === 'PointsEarned') earnedInStore[event.customerId as string] = (earnedInStore[event.customerId as string] ?? 0) + event.data.points;
    expect(earnedInStore).toEqual(expected);
    expect(loyalty.filter((event) => event.type === 'PointsEarned')).toHaveLength(CUSTOMERS * (ORDERS_PER_CUSTOMER + 1));

    const ledger = await bed.pool.query<{ customer_id: string; earned: string }>(
      `SELECT customer_id, sum(points) AS earned FROM loyalty.ledger WHERE type = 'PointsEarned' GROUP BY customer_id`,
    );
    expect(Object.fromEntries(ledger.rows.map((row) => [row.customer_id, Number(row.earned)]))).toEqual(expected);
    const processed = await bed.pool.query<{ earned: string; count: string }>('SELECT sum(earned) AS earned, count(*) FROM loyalty_processor.answered');
    expect(Number(processed.rows[0].count)).toBe(CUSTOMERS * ORDERS_PER_CUSTOMER);
  });
});
