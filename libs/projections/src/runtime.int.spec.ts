import { randomUUID } from 'node:crypto';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { poolDatabase, type Database } from './database';
import type { Projection } from './projection';
import { ProjectionRuntime } from './runtime';
import { storeSource } from './store-source';

interface Tally {
  streamId: string;
  type: string;
  amount: number;
}

/** Counts events and sums `amount` per stream; `Poison` events fail while `poisonFails` is set. */
function tallyProjection(version = 1, flags = { poisonFails: true, random: false }): Projection<Tally> {
  return {
    name: 'tally',
    version,
    schema: 'tally',
    eventTypes: ['Counted', 'Poison'],
    tables: [
      {
        name: 'streams',
        create: (schema) => `CREATE TABLE ${schema}.streams (stream_id text PRIMARY KEY, events int NOT NULL, amount bigint NOT NULL, noise float8)`,
      },
    ],
    decode: (event) => ({ streamId: event.streamId, type: event.type, amount: Number((event.data as { amount: number }).amount) }),
    async apply({ tx, schema }, events) {
      if (flags.poisonFails && events.some((event) => event.type === 'Poison')) throw new Error('poison pill');
      await tx.query(
        `INSERT INTO ${schema}.streams AS s (stream_id, events, amount, noise)
         SELECT stream_id, count(*), sum(amount), ${flags.random ? 'random()' : 'NULL'} FROM unnest($1::text[], $2::bigint[]) AS e(stream_id, amount) GROUP BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET events = s.events + EXCLUDED.events, amount = s.amount + EXCLUDED.amount`,
        [events.map((event) => event.streamId), events.map((event) => event.amount)],
      );
    },
  };
}

describe('projection runtime', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase('projections');
    pool = new Pool({ connectionString: database.url, max: 8 });
    db = poolDatabase(pool);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  let storeCount = 0;
  beforeEach(async () => {
    // A fresh log per test; the projections' own tables go too.
    store = await createPostgresEventStore({ connectionString: database.url, schema: `events_${++storeCount}`, pollIntervalMs: 10 });
    await pool.query('DROP SCHEMA IF EXISTS rapport_projections CASCADE');
    const { rows } = await pool.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tally%'`);
    for (const row of rows) await pool.query(`DROP SCHEMA "${row.nspname}" CASCADE`);
  });

  afterEach(() => store.close());

  const append = (stream: string, amounts: number[], type = 'Counted') =>
    store.append(stream, amounts.map((amount) => ({ id: randomUUID(), type, data: { amount } })));

  const streams = async (): Promise<Record<string, { events: number; amount: number }>> => {
    const { rows } = await pool.query<{ stream_id: string; events: number; amount: string }>('SELECT stream_id, events, amount FROM tally.streams ORDER BY 1');
    return Object.fromEntries(rows.map((row) => [row.stream_id, { events: row.events, amount: Number(row.amount) }]));
  };

  const expectedFromStore = async (): Promise<Record<string, { events: number; amount: number }>> => {
    const all = await store.readAll();
    const expected: Record<string, { events: number; amount: number }> = {};
    for (const event of all.filter((e) => e.type === 'Counted')) {
      const entry = (expected[event.streamId] ??= { events: 0, amount: 0 });
      entry.events++;
      entry.amount += (event.data as { amount: number }).amount;
    }
    return expected;
  };

  it('applies each event once, even when the source delivers everything again', async () => {
    await append('s-a', [1, 2, 3]);
    await append('s-b', [10]);
    await append('s-a', [4], 'Ignored');
    const runtime = new ProjectionRuntime({ db, projections: [tallyProjection()], source: storeSource(store, { batchSize: 2 }) });
    await runtime.start();
    await runtime.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 }, 's-b': { events: 1, amount: 10 } });
    await runtime.stop();

    // Forget the checkpoint: the whole log comes again and must change nothing.
    await pool.query(`UPDATE rapport_projections.checkpoints SET checkpoint = NULL`);
    await append('s-b', [5]);
    const again = new ProjectionRuntime({ db, projections: [tallyProjection()], source: storeSource(store) });
    await again.start();
    await again.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 }, 's-b': { events: 2, amount: 15 } });
    const [status] = await again.status();
    expect(status).toMatchObject({ name: 'tally', generation: 1, lagEvents: 0, parked: 0, state: 'running' });
    expect(status.position).toBe(await store.headPosition());
    await again.stop();
  });

  it('parks a poison event, carries on, and applies it on retry once it is fixed', async () => {
    const flags = { poisonFails: true, random: false };
    await append('s-a', [1]);
    const [poisoned] = (await append('s-a', [100], 'Poison')).events;
    await append('s-a', [2]);
    await append('s-b', [7]);
    const runtime = new ProjectionRuntime({ db, projections: [tallyProjection(1, flags)], source: storeSource(store) });
    await runtime.start();
    await runtime.settled();

    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 }, 's-b': { events: 1, amount: 7 } });
    const parked = await runtime.parked('tally');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ eventId: poisoned.id, type: 'Poison', streamId: 's-a', attempts: 1 });
    expect(parked[0].error).toContain('poison pill');
    expect((await runtime.status('tally'))[0].parked).toBe(1);

    const failing = await runtime.retry('tally', 'all');
    expect(failing).toMatchObject({ retried: 1, applied: [] });
    expect((await runtime.parked('tally'))[0].attempts).toBe(2);

    flags.poisonFails = false;
    const fixed = await runtime.retry('tally', poisoned.id);
    expect(fixed).toMatchObject({ retried: 1, applied: [poisoned.id], stillFailing: [] });
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 103 }, 's-b': { events: 1, amount: 7 } });
    expect(await runtime.parked('tally')).toEqual([]);
    await runtime.stop();
  });

  it('rebuilds beside the live generation while events arrive, never showing readers less', async () => {
    for (let i = 0; i < 40; i++) await append(`s-${i % 7}`, [i, i + 1, i + 2]);
    const runtime = new ProjectionRuntime({ db, projections: [tallyProjection()], source: storeSource(store, { batchSize: 25 }) });
    await runtime.start();
    await runtime.settled();

    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await append(`s-${i % 11}`, [1]);
    })();
    let lastTotal = 0;
    let shrank = false;
    const reader = (async () => {
      while (writing) {
        const total = Object.values(await streams()).reduce((sum, s) => sum + s.events, 0);
        if (total < lastTotal) shrank = true;
        lastTotal = total;
      }
    })();

    const started = await runtime.rebuild('tally');
    expect(started.rebuild).toMatchObject({ generation: 2, version: 1 });
    await runtime.rebuildFinished('tally');
    writing = false;
    await Promise.all([writer, reader]);
    await runtime.settled();

    expect(shrank).toBe(false);
    const [status] = await runtime.status();
    expect(status).toMatchObject({ generation: 2, rebuild: null, state: 'running' });
    expect(await streams()).toEqual(await expectedFromStore());
    const { rows } = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'tally_g1'`);
    expect(rows).toEqual([]);

    const report = await runtime.verify('tally');
    expect(report.equal).toBe(true);
    expect(report.live.tables[0].rows).toBe(11);
    expect(report.scratch.hash).toBe(report.live.hash);
    await runtime.stop();
  });

  it('reports different hashes when a projection is not deterministic', async () => {
    await append('s-a', [1, 2]);
    const runtime = new ProjectionRuntime({ db, projections: [tallyProjection(1, { poisonFails: false, random: true })], source: storeSource(store) });
    await runtime.start();
    await runtime.settled();
    const report = await runtime.verify('tally');
    expect(report.equal).toBe(false);
    expect(report.differences).toEqual(['streams']);
    await runtime.stop();
  });

  it('rebuilds on start when the projection version was bumped, keeping the old tables readable until the switch', async () => {
    await append('s-a', [1, 2]);
    const v1 = new ProjectionRuntime({ db, projections: [tallyProjection(1)], source: storeSource(store) });
    await v1.start();
    await v1.settled();
    await v1.stop();
    await append('s-a', [3]);

    const v2 = new ProjectionRuntime({ db, projections: [tallyProjection(2)], source: storeSource(store) });
    await v2.start();
    const [during] = await v2.status();
    expect(during).toMatchObject({ version: 1, generation: 1 });
    expect(during.rebuild).toMatchObject({ version: 2, generation: 2 });
    await v2.rebuildFinished('tally');
    await v2.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });
    expect((await v2.status())[0]).toMatchObject({ version: 2, generation: 2, state: 'running' });
    await v2.stop();
  });
});
