import { randomUUID } from 'node:crypto';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { poolDatabase, type Database } from './database';
import type { Projection } from './projection';
import { ProjectionRuntime } from './runtime';
import type { EventSource } from './source';
import { storeSource } from './store-source';

interface Tally {
  streamId: string;
  amount: number;
}

/** Sums `amount` per stream; `shape.amount` is the column type, so a test can change it between generations. */
function tallyProjection(shape = { amount: 'bigint' }): Projection<Tally> {
  return {
    name: 'tally',
    version: 1,
    schema: 'tally',
    eventTypes: ['Counted'],
    tables: [
      {
        name: 'streams',
        create: (schema) => `CREATE TABLE ${schema}.streams (stream_id text PRIMARY KEY, events int NOT NULL, amount ${shape.amount} NOT NULL)`,
      },
    ],
    decode: (event) => ({ streamId: event.streamId, amount: Number((event.data as { amount: number }).amount) }),
    async apply({ tx, schema }, events) {
      await tx.query(
        `INSERT INTO ${schema}.streams AS s (stream_id, events, amount)
         SELECT stream_id, count(*), sum(amount) FROM unnest($1::text[], $2::bigint[]) AS e(stream_id, amount) GROUP BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET events = s.events + EXCLUDED.events, amount = s.amount + EXCLUDED.amount`,
        [events.map((event) => event.streamId), events.map((event) => event.amount)],
      );
    },
  };
}

describe('projection rebuild switch-over', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase('projection_rebuild');
    pool = new Pool({ connectionString: database.url, max: 8 });
    db = poolDatabase(pool);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  let storeCount = 0;
  beforeEach(async () => {
    store = await createPostgresEventStore({ connectionString: database.url, schema: `events_${++storeCount}`, pollIntervalMs: 10 });
    await pool.query('DROP VIEW IF EXISTS public.tally_report');
    await pool.query('DROP SCHEMA IF EXISTS rapport_projections CASCADE');
    const { rows } = await pool.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tally%'`);
    for (const row of rows) await pool.query(`DROP SCHEMA "${row.nspname}" CASCADE`);
  });

  afterEach(() => store.close());

  const append = (stream: string, amounts: number[]) =>
    store.append(stream, amounts.map((amount) => ({ id: randomUUID(), type: 'Counted', data: { amount } })));

  const streams = async (): Promise<Record<string, { events: number; amount: number }>> => {
    const { rows } = await pool.query<{ stream_id: string; events: number; amount: string }>('SELECT stream_id, events, amount FROM tally.streams ORDER BY 1');
    return Object.fromEntries(rows.map((row) => [row.stream_id, { events: row.events, amount: Number(row.amount) }]));
  };

  const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const schemaExists = async (name: string) => (await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).rowCount === 1;

  /** A view someone built on the projection's view makes replacing it with other column types fail for good. */
  async function failedRebuild(): Promise<{ runtime: ProjectionRuntime; shape: { amount: string } }> {
    await append('s-a', [1, 2]);
    const shape = { amount: 'bigint' };
    const runtime = new ProjectionRuntime({ db, projections: [tallyProjection(shape)], source: storeSource(store) });
    await runtime.start();
    await runtime.settled();
    await pool.query('CREATE VIEW public.tally_report AS SELECT stream_id, amount FROM tally.streams');
    shape.amount = 'numeric';
    await runtime.rebuild('tally');
    await runtime.rebuildFinished('tally');
    return { runtime, shape };
  }

  it('keeps feeding the old generation after a switch that failed, and rebuilds cleanly afterwards', async () => {
    const { runtime } = await failedRebuild();
    const [failed] = await runtime.status();
    expect(failed).toMatchObject({ generation: 1, state: 'running', rebuild: { generation: 2, phase: 'failed' } });
    expect(failed.rebuild?.error).toContain('depend');

    await append('s-a', [3]);
    await eventually(async () => (await streams())['s-a']?.events === 3, 'the old generation applied the new event');
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });

    await pool.query('DROP VIEW public.tally_report');
    await runtime.rebuild('tally');
    await runtime.rebuildFinished('tally');
    await runtime.settled();
    expect((await runtime.status())[0]).toMatchObject({ generation: 3, state: 'running', rebuild: null });
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });
    const { rows } = await pool.query(`SELECT generation, state FROM rapport_projections.generations ORDER BY generation`);
    expect(rows).toEqual([
      { generation: 1, state: 'retired' },
      { generation: 2, state: 'retired' },
      { generation: 3, state: 'live' },
    ]);
    expect(await schemaExists('tally_g2')).toBe(false);
    await runtime.stop();
  });

  it('adopts rather than drops a failed rebuild the database made live after all', async () => {
    const { runtime } = await failedRebuild();
    // As if the switch had committed but its acknowledgement was lost.
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE rapport_projections.generations SET state = 'retired', retired_at = now() WHERE projection = 'tally' AND generation = 1`);
      await tx.query(`UPDATE rapport_projections.generations SET state = 'live', live_since = now() WHERE projection = 'tally' AND generation = 2`);
      await tx.query('DROP VIEW public.tally_report');
      await tx.query('DROP VIEW tally.streams');
      await tx.query('CREATE VIEW tally.streams AS SELECT * FROM tally_g2.streams');
    });

    const started = await runtime.rebuild('tally');
    expect(started).toMatchObject({ generation: 2, rebuild: { generation: 3 } });
    expect(await schemaExists('tally_g2')).toBe(true);
    expect(await schemaExists('tally_g1')).toBe(false);
    await runtime.rebuildFinished('tally');
    await append('s-b', [5]);
    await runtime.settled();
    expect((await runtime.status())[0]).toMatchObject({ generation: 3, state: 'running' });
    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 }, 's-b': { events: 1, amount: 5 } });
    await runtime.stop();
  });

  it('feeds the rebuilt generation from the live source, not the replay source, once it switched', async () => {
    await append('s-a', [1, 2]);
    const base = storeSource(store);
    const viaLive: string[] = [];
    const live: EventSource = {
      name: 'live',
      headPosition: () => base.headPosition(),
      start: (handler) =>
        base.start({
          checkpointFor: (partition) => handler.checkpointFor(partition),
          apply: async (batch) => {
            await handler.apply(batch);
            viaLive.push(...batch.events.map((event) => event.id));
          },
        }),
    };
    const runtime = new ProjectionRuntime({ db, projections: [tallyProjection()], source: live, replaySource: storeSource(store) });
    await runtime.start();
    await runtime.settled();
    await runtime.rebuild('tally');
    await runtime.rebuildFinished('tally');

    const [late] = (await append('s-a', [3])).events;
    await runtime.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });
    expect((await runtime.status())[0]).toMatchObject({ generation: 2, state: 'running' });
    expect(viaLive).toContain(late.id);
    await runtime.stop();
  });
});
