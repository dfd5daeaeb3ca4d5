import { join } from 'node:path';
import { streamIdFor, toStoredEvent } from '@rapport/contracts';
import { killAtCrashPoint, openCrashTestbed, type CrashTestbed } from '@rapport/testing';
import { DEFAULT_SETTINGS } from '../config';
import { orderPlaced, type Fact } from '../segments-test-kit';
import { factsProjection, FACTS_PROJECTION } from './projection';

const CUSTOMERS = 10;
const ORDERS_PER_CUSTOMER = 20;

function facts(): Fact[] {
  const list: Fact[] = [];
  for (let n = 0; n < ORDERS_PER_CUSTOMER; n++)
    for (let c = 0; c < CUSTOMERS; c++) list.push(orderPlaced(`crash-${c}`, `o-${c}-${n}`, new Date(Date.UTC(2011, 0, 1 + n, c)).toISOString(), 1000 + c));
  return list;
}

describe('segments facts projection killed before its commit', () => {
  let bed: CrashTestbed;

  beforeAll(async () => {
    bed = await openCrashTestbed('segments_crash');
    for (const fact of facts()) await bed.store.append(streamIdFor(fact), [toStoredEvent(fact, fact.occurredAt)]);
  });

  afterAll(() => bed.close());

  it('counts every order exactly once after a restart: the same totals, not only the same rows', async () => {
    const { [FACTS_PROJECTION]: report } = await killAtCrashPoint(join(__dirname, 'crash-projector.ts'), bed.database.url, 3);
    // Three batches of 50 were counted inside the dying transaction; two were committed.
    expect(report.orders).toBe(150);

    await bed.catchUp([factsProjection(DEFAULT_SETTINGS)]);

    const totals = await bed.pool.query<{ customer_id: string; orders: string; spend: string }>('SELECT customer_id, orders, spend FROM segments.customers ORDER BY customer_id');
    expect(totals.rows).toHaveLength(CUSTOMERS);
    for (const row of totals.rows) {
      const c = Number(row.customer_id.slice('crash-'.length));
      expect({ id: row.customer_id, orders: Number(row.orders), spend: Number(row.spend) }).toEqual({ id: row.customer_id, orders: ORDERS_PER_CUSTOMER, spend: ORDERS_PER_CUSTOMER * (1000 + c) });
    }
    const [{ count }] = (await bed.pool.query<{ count: string }>("SELECT count(*) FROM segments.facts WHERE kind = 'order'")).rows;
    expect(Number(count)).toBe(CUSTOMERS * ORDERS_PER_CUSTOMER);
  });
});
