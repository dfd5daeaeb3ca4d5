import { streamIdFor, toStoredEvent, type StoredEvent } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore, type RecordedEvent } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, type EventSource, type Projection } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { readProfile } from './customer-profiles/queries';
import { TIMELINE_PROJECTIONS } from './timeline';

// Two pods consume different partitions — a customer's, and a visitor's (keyed by its
// anonymous id) — and write the same customer's rows. Each pod is a runtime of its own,
// fed a fixed list of batches on its partition.

type Subject = { customerId: string } | { anonymousId: string };

interface ListSource extends EventSource {
  /** Resolves once every batch committed, for each of the `readers` (projections) it feeds. */
  readonly delivered: Promise<void>;
}

function listSource(partition: string, batches: readonly (readonly RecordedEvent[])[], readers = 1): ListSource {
  let done!: () => void;
  const delivered = new Promise<void>((resolve) => (done = resolve));
  let finished = 0;
  return {
    name: `list:${partition}`,
    delivered,
    headPosition: async () => undefined,
    start(handler) {
      let stop!: () => void;
      const closed = new Promise<void>((resolve) => (stop = resolve));
      let caughtUp = false;
      void (async () => {
        const after = Number((await handler.checkpointFor(partition)) ?? -1);
        for (const events of batches) {
          const last = events[events.length - 1].position;
          if (last > after) await handler.apply({ partition, events, checkpoint: String(last) });
        }
        caughtUp = true;
        if (++finished === readers) done();
      })().catch(() => undefined);
      return {
        get caughtUp() {
          return caughtUp;
        },
        closed,
        stop: async () => stop(),
      };
    },
  };
}

describe('two pods writing one customer from two partitions', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let counter = 0;

  beforeAll(async () => {
    database = await createTestDatabase('timeline_pods');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 2 });
    pool = new Pool({ connectionString: database.url, max: 4 });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await database.drop();
  });

  async function append(type: string, subject: Subject, occurredAt: string, data: unknown): Promise<RecordedEvent> {
    const id = `40000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
    const event = toStoredEvent({ id, type, version: 1, ...subject, occurredAt, source: 'shop', data } as Parameters<typeof toStoredEvent>[0], occurredAt);
    await store.append(streamIdFor(subject), [event]);
    const [recorded] = await store.readStream(streamIdFor(subject), { direction: 'backwards', maxCount: 1 });
    return recorded;
  }

  /** A pod: its own pool (named, so a test can see it wait on a lock) and runtime. */
  function pod(name: string, projections: readonly Projection<StoredEvent>[], source: ListSource) {
    const own = new Pool({ connectionString: database.url, max: 2, application_name: name });
    const runtime = new ProjectionRuntime({ db: poolDatabase(own), projections, source });
    return {
      start: () => runtime.start(),
      async stop() {
        await runtime.stop();
        await own.end();
      },
    };
  }

  it('gives a visitor claimed by two customers to the earlier registration, even when it arrives last', async () => {
    const earlier = await append('CustomerRegistered', { customerId: 'c-3a' }, '2024-06-05T10:00:00Z', { previousAnonymousId: 'v-3' });
    const later = await append('CustomerRegistered', { customerId: 'c-3b' }, '2024-06-01T10:00:00Z', { previousAnonymousId: 'v-3' });
    const guestOrder = await append('OrderPlaced', { anonymousId: 'v-3' }, '2024-05-20T09:00:00Z', {
      orderId: 'g-3',
      channel: 'web',
      currency: 'GBP',
      total: 900,
      lines: [{ sku: 'A', quantity: 1, unitPrice: 900 }],
    });
    for (const [tag, batches] of [['p3-later', [[later], [guestOrder]]], ['p3-earlier', [[earlier]]]] as const) {
      const source = listSource(tag, batches, TIMELINE_PROJECTIONS.length);
      const runner = pod(tag, TIMELINE_PROJECTIONS, source);
      await runner.start();
      await source.delivered;
      await runner.stop();
    }

    const entry = await pool.query(`SELECT customer_id FROM timeline.entries WHERE event_id = $1`, [guestOrder.id]);
    expect(entry.rows).toEqual([{ customer_id: 'c-3a' }]);
    const refs = await pool.query(`SELECT customer_id FROM timeline.refs WHERE event_id = $1`, [guestOrder.id]);
    expect(refs.rows).toEqual([{ customer_id: 'c-3a' }]);
    const db = poolDatabase(pool);
    expect(await readProfile(db, 'c-3a', 'staff')).toMatchObject({ firstSeen: '2024-05-20T09:00:00.000Z', interactions: 2, orders: { count: 1 } });
    expect(await readProfile(db, 'c-3b', 'staff')).toMatchObject({ firstSeen: '2024-06-01T10:00:00.000Z', lastSeen: '2024-06-01T10:00:00.000Z', interactions: 1, orders: { count: 0 } });
    // The losing claim stays visible to support.
    const claims = await pool.query(`SELECT customer_id, position FROM customer_profiles.visitor_claims WHERE anonymous_id = 'v-3' ORDER BY position`);
    expect(claims.rows).toEqual([
      { customer_id: 'c-3a', position: String(earlier.position) },
      { customer_id: 'c-3b', position: String(later.position) },
    ]);
  });
});
