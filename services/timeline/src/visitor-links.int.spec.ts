import { streamIdFor, toStoredEvent, type StoredEvent, type StoredLoyaltyEvent, type StoredSegmentEvent } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore, type RecordedEvent } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, type EventSource, type Projection } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { readProfile } from './customer-profiles/queries';
import { customerProfilesProjection } from './customer-profiles/projection';
import { timelineProjection } from './timeline-entries/projection';

// Two pods consume different partitions — a customer's, and a visitor's (keyed by its
// anonymous id) — and write the same customer's rows. Each pod is a runtime of its own,
// fed a fixed list of batches on its partition.

type Subject = { customerId: string } | { anonymousId: string };

/** The read models that link visitors to customers (identities only records the claims). */
const LINKING_PROJECTIONS = [timelineProjection, customerProfilesProjection] as const;

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

/** The projections, pausing after they applied the batch holding `eventId`, before it commits. */
function pausingAt(eventId: string) {
  let resume!: () => void;
  const gate = new Promise<void>((resolve) => (resume = resolve));
  const reached: Promise<void>[] = [];
  const projections = LINKING_PROJECTIONS.map((projection): Projection<StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent> => {
    let signal!: () => void;
    reached.push(new Promise<void>((resolve) => (signal = resolve)));
    return {
      ...projection,
      async apply(context, events) {
        await (projection as Projection<StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent>).apply(context, events);
        if (events.some((event) => event.id === eventId)) {
          signal();
          await gate;
        }
      },
    };
  });
  return { projections, paused: Promise.all(reached), resume };
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
  function pod(name: string, projections: readonly Projection<StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent>[], source: ListSource) {
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

  /** Until every projection of pod `name` has either committed the partition's batch or waits on a lock. */
  async function committedOrBlocked(names: readonly string[], partition: string): Promise<void> {
    for (;;) {
      const { rows } = await pool.query<{ done: boolean }>(
        `SELECT (SELECT coalesce(sum(events_seen), 0) > 0 FROM rapport_projections.checkpoints WHERE projection = n.projection AND partition = $2)
             OR EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = n.pod AND wait_event_type = 'Lock') AS done
           FROM unnest($1::text[], $3::text[]) AS n(pod, projection)`,
        [names, partition, [timelineProjection.name, customerProfilesProjection.name]],
      );
      if (rows.every((row) => row.done)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Pod A applies `customerBatches`, holding the last one's transaction open; meanwhile pod B
   * (one runtime per projection) applies `visitorBatch` as far as it can; then A commits.
   */
  async function interleave(tag: string, customerBatches: RecordedEvent[][], visitorBatch: RecordedEvent[]): Promise<void> {
    const held = customerBatches[customerBatches.length - 1][0];
    const { projections, paused, resume } = pausingAt(held.id);
    const sourceA = listSource(`${tag}-customers`, customerBatches, LINKING_PROJECTIONS.length);
    const podA = pod(`${tag}-a`, projections, sourceA);
    const sourcesB = LINKING_PROJECTIONS.map(() => listSource(`${tag}-visitors`, [visitorBatch]));
    const podsB = LINKING_PROJECTIONS.map((projection, i) => pod(`${tag}-b-${projection.name}`, [projection], sourcesB[i]));
    await podA.start();
    await paused;
    for (const podB of podsB) await podB.start();
    await committedOrBlocked(LINKING_PROJECTIONS.map((projection) => `${tag}-b-${projection.name}`), `${tag}-visitors`);
    resume();
    await Promise.all([sourceA.delivered, ...sourcesB.map((source) => source.delivered)]);
    await podA.stop();
    for (const podB of podsB) await podB.stop();
  }

  it("keeps a profile update that commits while the visitor's pod writes the same profile", async () => {
    const registered = await append('CustomerRegistered', { customerId: 'c-1' }, '2024-06-01T10:00:00Z', { email: 'old@example.com', previousAnonymousId: 'v-1' });
    const updated = await append('CustomerProfileUpdated', { customerId: 'c-1' }, '2024-06-02T10:00:00Z', { email: 'new@example.com' });
    const visit = await append('VisitRecorded', { anonymousId: 'v-1' }, '2024-06-03T10:00:00Z', { sessionId: 's-1', channel: 'web' });
    await interleave('p1', [[registered], [updated]], [visit]);

    const profile = await readProfile(poolDatabase(pool), 'c-1', 'staff');
    expect(profile).toMatchObject({ identity: { email: 'new@example.com' }, firstSeen: '2024-06-01T10:00:00.000Z', lastSeen: '2024-06-03T10:00:00.000Z', interactions: 3 });
    const { rows } = await pool.query(`SELECT customer_id FROM timeline.entries WHERE event_id = $1`, [visit.id]);
    expect(rows).toEqual([{ customer_id: 'c-1' }]);
  });

  it("links a visitor whose events commit while the customer's registration is being applied", async () => {
    const visit = await append('VisitRecorded', { anonymousId: 'v-2' }, '2024-06-01T09:00:00Z', { sessionId: 's-2', channel: 'web' });
    const guestOrder = await append('OrderPlaced', { anonymousId: 'v-2' }, '2024-06-01T09:05:00Z', {
      orderId: 'g-1',
      channel: 'web',
      currency: 'GBP',
      total: 2500,
      lines: [{ sku: 'A', quantity: 1, unitPrice: 2500 }],
    });
    const registered = await append('CustomerRegistered', { customerId: 'c-2' }, '2024-06-01T10:00:00Z', { email: 'c2@example.com', previousAnonymousId: 'v-2' });
    await interleave('p2', [[registered]], [visit, guestOrder]);

    const entries = await pool.query(`SELECT event_id, customer_id FROM timeline.entries WHERE anonymous_id = 'v-2' ORDER BY position`);
    expect(entries.rows).toEqual([
      { event_id: visit.id, customer_id: 'c-2' },
      { event_id: guestOrder.id, customer_id: 'c-2' },
    ]);
    const refs = await pool.query(`SELECT customer_id, ref FROM timeline.refs WHERE event_id = $1`, [guestOrder.id]);
    expect(refs.rows).toEqual([{ customer_id: 'c-2', ref: 'order:g-1' }]);
    const profile = await readProfile(poolDatabase(pool), 'c-2', 'staff');
    expect(profile).toMatchObject({ firstSeen: '2024-06-01T09:00:00.000Z', interactions: 3, orders: { count: 1, netSpend: { amount: 2500, currency: 'GBP' } } });
  });

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
      const source = listSource(tag, batches, LINKING_PROJECTIONS.length);
      const runner = pod(tag, LINKING_PROJECTIONS, source);
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
