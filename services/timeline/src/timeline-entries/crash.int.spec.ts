import { join } from 'node:path';
import type { PostgresEventStore } from '@rapport/event-store';
import { killAtCrashPoint, openCrashTestbed, type CrashTestbed } from '@rapport/testing';
import { streamIdFor, toStoredEvent } from '@rapport/contracts';
import { customerProfilesProjection } from '../customer-profiles/projection';
import { timelineProjection } from './projection';

// The read models the seed's orders and visits reach (identities sees none of them, so no Nth batch).
const CRASHED = [timelineProjection, customerProfilesProjection];

const CUSTOMERS = 12;
const ORDERS_PER_CUSTOMER = 25;

/** Orders and visits for a dozen customers: 600 events, 12 batches of 50. */
async function seed(store: PostgresEventStore): Promise<void> {
  for (let n = 0; n < ORDERS_PER_CUSTOMER; n++) {
    for (let c = 0; c < CUSTOMERS; c++) {
      const customerId = `crash-${c}`;
      const at = new Date(Date.UTC(2024, 0, 1 + n, c)).toISOString();
      const order = toStoredEvent(
        { id: `50000000-0000-4000-8${String(c).padStart(3, '0')}-${String(n).padStart(12, '0')}`, type: 'OrderPlaced', version: 1, customerId, occurredAt: at, source: 'shop', data: { orderId: `o-${c}-${n}`, channel: 'web', currency: 'GBP', total: 100 + n, lines: [{ sku: 'X', quantity: 1, unitPrice: 100 + n }] } },
        at,
      );
      const visit = toStoredEvent(
        { id: `60000000-0000-4000-8${String(c).padStart(3, '0')}-${String(n).padStart(12, '0')}`, type: 'VisitRecorded', version: 1, customerId, occurredAt: at, source: 'shop', data: { sessionId: `s-${n}`, channel: 'web', pages: 1 } },
        at,
      );
      await store.append(streamIdFor({ customerId }), [order, visit]);
    }
  }
}

describe('timeline projector killed between its read-model write and the commit', () => {
  let bed: CrashTestbed;

  beforeAll(async () => {
    bed = await openCrashTestbed('timeline_crash');
    await seed(bed.store);
  });

  afterAll(() => bed.close());

  it('loses and duplicates nothing once restarted', async () => {
    const reports = await killAtCrashPoint(join(__dirname, 'crash-projector.ts'), bed.database.url, 5, CRASHED.length);
    // Inside the open transactions the fifth batches' rows were there...
    expect(Object.fromEntries(Object.values(reports).map((report) => [report.projection, report.written]))).toEqual({ timeline: 250, 'customer-profiles': 250 });

    // ...but only four batches committed, checkpoints included.
    const committed = await bed.pool.query<{ count: string }>('SELECT count(*) FROM timeline.entries');
    expect(Number(committed.rows[0].count)).toBe(200);
    expect(await eventsCounted()).toBe(200);
    const checkpoints = await bed.pool.query<{ projection: string; events_seen: string }>(`SELECT projection, events_seen FROM rapport_projections.checkpoints ORDER BY projection`);
    expect(checkpoints.rows.map((row) => [row.projection, Number(row.events_seen)])).toEqual([
      ['customer-profiles', 200],
      ['timeline', 200],
    ]);

    await bed.catchUp(CRASHED);

    const entries = await bed.pool.query<{ event_id: string }>('SELECT event_id FROM timeline.entries');
    const stored = await bed.store.readAll();
    expect(entries.rows).toHaveLength(stored.length);
    expect(new Set(entries.rows.map((row) => row.event_id))).toEqual(new Set(stored.map((event) => event.id)));
    // Entries and orders are keyed by event and order: only a count shows an event applied twice.
    expect(await eventsCounted()).toBe(stored.length);
    const orders = await bed.pool.query<{ customer_id: string; orders: string; spend: string }>(
      'SELECT customer_id, count(*) AS orders, sum(total) AS spend FROM customer_profiles.orders GROUP BY customer_id ORDER BY customer_id',
    );
    const perCustomerSpend = Array.from({ length: ORDERS_PER_CUSTOMER }, (_, n) => 100 + n).reduce((a, b) => a + b, 0);
    expect(orders.rows).toHaveLength(CUSTOMERS);
    expect(orders.rows.every((row) => Number(row.orders) === ORDERS_PER_CUSTOMER && Number(row.spend) === perCustomerSpend)).toBe(true);
  });

  /** Events the profile model has counted, summed over every customer: a double application would show here. */
  async function eventsCounted(): Promise<number> {
    const { rows } = await bed.pool.query<{ events: string }>('SELECT coalesce(sum(event_count), 0) AS events FROM customer_profiles.profiles');
    return Number(rows[0].events);
  }
});
