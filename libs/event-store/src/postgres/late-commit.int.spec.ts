import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import type { PoolClient } from 'pg';
import { someEvents } from '../contract/event-store-contract';
import type { RecordedEvent, SubscriptionStall } from '../event-store';
import { appendStatement, createPostgresEventStore, encodeAppends, type PostgresEventStore } from './postgres-event-store';

/** Appends inside an open transaction on `client`, exactly as the store would, without committing. */
async function appendUncommitted(client: PoolClient, schema: string, streamId: string, count: number): Promise<string[]> {
  const events = someEvents(count);
  await client.query(appendStatement(schema, encodeAppends([{ streamId, expectedRevision: 'any', events }])));
  return events.map((event) => event.id);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL subscription and late commits', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('late_commit');
    store = await createPostgresEventStore({ connectionString: database.url, pollIntervalMs: 5 });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('never skips an event whose transaction commits after a later-numbered one', async () => {
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ batchSize: 3, onEvents: async (events) => void delivered.push(...events) });

    // The held transaction takes its positions first…
    const held = await store.pool.connect();
    await held.query('BEGIN');
    const early = await appendUncommitted(held, store.schema, 'slow-1', 3);
    // …then others take later positions and commit while it stays open.
    const later = (await store.append('fast-1', someEvents(5))).events;
    const laterIds = later.map((event) => event.id);
    await pause(300);
    expect(delivered.map((event) => event.id)).toEqual([]);
    // Committed events are waiting behind the open transaction: the subscription is not caught up.
    expect(subscription.caughtUp).toBe(false);

    const positionOf = async (id: string) =>
      Number((await store.pool.query('SELECT position FROM rapport_events.events WHERE event_id = $1', [id])).rows[0]?.position ?? NaN);
    await held.query('COMMIT');
    held.release();
    const earlyPositions = await Promise.all(early.map(positionOf));
    expect(Math.max(...earlyPositions)).toBeLessThan(later[0].position);

    for (let waited = 0; !subscription.caughtUp && waited < 5_000; waited += 20) await pause(20);
    await subscription.stop();
    expect(delivered.map((event) => event.id)).toEqual([...early, ...laterIds]);
  });

  it('delivers a lower transaction id first even when it holds the higher positions', async () => {
    const delivered: RecordedEvent[] = [];
    const head = await store.headPosition();
    const start = (await store.readAll({ afterPosition: head - 1 }))[0]?.checkpoint;

    const older = await store.pool.connect();
    await older.query('BEGIN');
    await older.query('SELECT pg_current_xact_id()'); // takes its transaction id now…
    const newer = await store.append('quick-2', someEvents(2)); // …a younger transaction commits first…
    const olderIds = await appendUncommitted(older, store.schema, 'slow-2', 2); // …with lower positions.

    const subscription = store.subscribeToAll({ from: start, onEvents: async (events) => void delivered.push(...events) });
    await pause(200);
    expect(delivered).toEqual([]);
    await older.query('COMMIT');
    older.release();
    for (let waited = 0; delivered.length < 4 && waited < 5_000; waited += 20) await pause(20);
    await subscription.stop();

    expect(delivered.map((event) => event.id)).toEqual([...olderIds, ...newer.events.map((event) => event.id)]);
    expect(delivered[0].position).toBeGreaterThan(newer.events[1].position);
  });

  it('reports a stall while an open transaction holds committed events back, naming its backend, and its end', async () => {
    const stalls: Array<SubscriptionStall | undefined> = [];
    const delivered: RecordedEvent[] = [];
    const held = await store.pool.connect();
    await held.query('BEGIN');
    await held.query('SELECT pg_current_xact_id()'); // any write would do: it now holds the oldest transaction id
    const [{ pid }] = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const waiting = await store.append('behind-open-tx', someEvents(2));

    const subscription = store.subscribeToAll({
      onEvents: async (events) => void delivered.push(...events.filter((event) => event.streamId === 'behind-open-tx')),
      onStall: (stall) => stalls.push(stall),
    });
    // Transaction ids are the server's, not the database's: while another database's older
    // transaction is still open (other suites share this server), it is the one named.
    const naming = () => stalls.find((stall) => stall?.blocker?.pid === pid);
    for (let waited = 0; !naming() && waited < 10_000; waited += 20) await pause(20);
    const deliveredWhileHeld = delivered.length;
    await held.query('COMMIT');
    held.release();

    expect(deliveredWhileHeld).toBe(0);
    expect(naming()).toMatchObject({ blocker: { pid, state: 'idle in transaction' } });
    expect(naming()!.seconds).toBeGreaterThanOrEqual(0);
    expect(naming()!.blocker!.openSeconds).toBeGreaterThanOrEqual(naming()!.seconds);
    for (let waited = 0; delivered.length < 2 && waited < 5_000; waited += 20) await pause(20);
    await subscription.stop();
    expect(delivered.map((event) => event.id)).toEqual(waiting.events.map((event) => event.id));
    expect(stalls[stalls.length - 1]).toBeUndefined();
  });

  it('keeps every stream in revision order under concurrent multi-stream appends', async () => {
    const delivered: RecordedEvent[] = [];
    const streams = ['order-a', 'order-b', 'order-c', 'order-d'];
    const subscription = store.subscribeToAll({
      batchSize: 50,
      onEvents: async (events) => void delivered.push(...events.filter((event) => streams.includes(event.streamId))),
    });
    await Promise.all(
      Array.from({ length: 30 }, (_, writer) =>
        store.appendMany(
          [streams[writer % 4], streams[(writer + 1) % 4], streams[(writer + 3) % 4]].map((streamId) => ({
            streamId,
            expectedRevision: 'any' as const,
            events: someEvents(2),
          })),
        ),
      ),
    );
    for (let waited = 0; delivered.length < 180 && waited < 10_000; waited += 20) await pause(20);
    await subscription.stop();

    expect(delivered).toHaveLength(180);
    for (const streamId of streams) {
      const revisions = delivered.filter((event) => event.streamId === streamId).map((event) => event.revision);
      expect(revisions).toEqual(Array.from({ length: revisions.length }, (_, index) => index));
    }
  });
});
