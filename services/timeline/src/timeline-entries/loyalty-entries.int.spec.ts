import { exampleLoyaltyEvents, loyaltyStreamId, toStoredEvent } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { TIMELINE_PROJECTIONS } from '../timeline';

describe('loyalty decisions in the timeline', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('timeline_loyalty');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 2 });
    pool = new Pool({ connectionString: database.url, max: 4 });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await database.drop();
  });

  it('shows each loyalty event of loyalty-<customerId> in that customer\'s timeline, with its one line', async () => {
    const events = exampleLoyaltyEvents();
    await store.append(loyaltyStreamId('cust-1001'), events.map((event) => toStoredEvent(event, event.occurredAt)));
    const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections: TIMELINE_PROJECTIONS, source: storeSource(store) });
    await runtime.start();
    await runtime.settled();
    await runtime.stop();
    const { rows } = await pool.query<{ customer_id: string; type: string; summary: string; stream_id: string }>(
      'SELECT customer_id, type, summary, stream_id FROM timeline.entries ORDER BY position',
    );
    expect(rows).toHaveLength(events.length);
    expect(rows[0]).toEqual({ customer_id: 'cust-1001', type: 'PointsEarned', summary: 'Earned 33 points on order #ord-536365 (pending until 16 Mar)', stream_id: 'loyalty-cust-1001' });
    expect(rows.map((row) => row.summary)).toContain('Tier Bronze → Silver');
  });
});
