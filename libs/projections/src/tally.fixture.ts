import { randomUUID } from 'node:crypto';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { poolDatabase, type Database } from './database';
import type { Projection } from './projection';

// The projection and database the runtime's integration specs share.

interface Tally {
  streamId: string;
  type: string;
  amount: number;
}

/** Read on every batch, so that a test can change them while a runtime runs. */
export interface TallyFlags {
  /** `Poison` events fail to apply. */
  poisonFails?: boolean;
  /** Rows get a random column: the projection is not deterministic. */
  random?: boolean;
  /** Column type of `amount`, read when a generation's tables are created. */
  amountType?: string;
}

/** Counts `Counted` events and sums their `amount` per stream. */
export function tallyProjection(version = 1, flags: TallyFlags = { poisonFails: true }): Projection<Tally> {
  return {
    name: 'tally',
    version,
    schema: 'tally',
    eventTypes: ['Counted', 'Poison'],
    tables: [
      {
        name: 'streams',
        create: (schema) =>
          `CREATE TABLE ${schema}.streams (stream_id text PRIMARY KEY, events int NOT NULL, amount ${flags.amountType ?? 'bigint'} NOT NULL, noise float8)`,
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

export type StreamTallies = Record<string, { events: number; amount: number }>;

export interface TallyDatabase {
  readonly pool: Pool;
  readonly db: Database;
  /** A fresh event log for each test. */
  readonly store: PostgresEventStore;
  append(stream: string, amounts: number[], type?: string): ReturnType<PostgresEventStore['append']>;
  /** The tally read model as readers see it. */
  streams(): Promise<StreamTallies>;
}

/**
 * Registers the hooks of a spec file: one database, and before each test a new event log
 * with no projection state (runtime tables, `tally*` schemas and what depends on them) left.
 */
export function useTallyDatabase(name: string): TallyDatabase {
  let database: TestDatabase;
  let pool: Pool;
  let db: Database;
  let store: PostgresEventStore;
  let storeCount = 0;

  beforeAll(async () => {
    database = await createTestDatabase(name);
    pool = new Pool({ connectionString: database.url, max: 8 });
    db = poolDatabase(pool);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  beforeEach(async () => {
    store = await createPostgresEventStore({ connectionString: database.url, schema: `events_${++storeCount}`, pollIntervalMs: 10 });
    await pool.query('DROP SCHEMA IF EXISTS rapport_projections CASCADE');
    const { rows } = await pool.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tally%'`);
    for (const row of rows) await pool.query(`DROP SCHEMA "${row.nspname}" CASCADE`);
  });

  afterEach(() => store.close());

  return {
    get pool() {
      return pool;
    },
    get db() {
      return db;
    },
    get store() {
      return store;
    },
    append: (stream, amounts, type = 'Counted') => store.append(stream, amounts.map((amount) => ({ id: randomUUID(), type, data: { amount } }))),
    async streams() {
      const { rows } = await pool.query<{ stream_id: string; events: number; amount: string }>('SELECT stream_id, events, amount FROM tally.streams ORDER BY 1');
      return Object.fromEntries(rows.map((row) => [row.stream_id, { events: row.events, amount: Number(row.amount) }]));
    },
  };
}
