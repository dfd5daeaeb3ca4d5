import { ident, type Database, type Sql } from './database';
import type { Projection } from './projection';

/** Where the runtime keeps its own bookkeeping, shared by every projection of a database. */
export const RUNTIME_SCHEMA = 'rapport_projections';
const R = RUNTIME_SCHEMA;

/** Per generation: the highest revision applied for each stream; what makes redelivery a no-op. */
export const APPLIED_TABLE = '_applied';

/**
 * `building`: filled from position 0 beside the live one; `scratch`: a throw-away build for
 * verify; `retired`: switched away from and dropped.
 */
export type GenerationState = 'live' | 'building' | 'scratch' | 'retired';

export interface Generation {
  readonly projection: string;
  readonly generation: number;
  readonly version: number;
  /** Unquoted schema name, e.g. `timeline_g2`. */
  readonly schemaName: string;
  readonly state: GenerationState;
}

/** The runtime's tables. Idempotent; TypeORM users run it through the migration in typeorm.ts. */
export const RUNTIME_DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${R}`,
  `CREATE TABLE IF NOT EXISTS ${R}.generations (
     projection  text NOT NULL,
     generation  int NOT NULL,
     version     int NOT NULL,
     schema_name text NOT NULL,
     state       text NOT NULL CHECK (state IN ('live', 'building', 'scratch', 'retired')),
     created_at  timestamptz NOT NULL DEFAULT now(),
     live_since  timestamptz,
     retired_at  timestamptz,
     PRIMARY KEY (projection, generation)
   )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS generations_one_live ON ${R}.generations (projection) WHERE state = 'live'`,
  `CREATE TABLE IF NOT EXISTS ${R}.checkpoints (
     projection       text NOT NULL,
     generation       int NOT NULL,
     partition        text NOT NULL,
     checkpoint       text,
     position         bigint NOT NULL DEFAULT 0,
     events_seen      bigint NOT NULL DEFAULT 0,
     last_recorded_at timestamptz,
     updated_at       timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (projection, generation, partition)
   )`,
  `CREATE TABLE IF NOT EXISTS ${R}.parked (
     projection      text NOT NULL,
     generation      int NOT NULL,
     event_id        text NOT NULL,
     partition       text NOT NULL,
     stream_id       text NOT NULL,
     revision        bigint NOT NULL,
     position        bigint NOT NULL,
     type            text NOT NULL,
     event           jsonb NOT NULL,
     error           text NOT NULL,
     attempts        int NOT NULL DEFAULT 1,
     parked_at       timestamptz NOT NULL DEFAULT now(),
     last_attempt_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (projection, generation, event_id)
   )`,
];

export async function migrateRuntime(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    // Several services may start against one database at once.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${R}.migrate`]);
    for (const statement of RUNTIME_DDL) await tx.query(statement);
  });
}

interface GenerationRow {
  projection: string;
  generation: number;
  version: number;
  schema_name: string;
  state: GenerationState;
}

const toGeneration = (row: GenerationRow): Generation => ({
  projection: row.projection,
  generation: row.generation,
  version: row.version,
  schemaName: row.schema_name,
  state: row.state,
});

export async function loadGenerations(db: Sql, projection: string): Promise<Generation[]> {
  const rows = await db.query<GenerationRow>(
    `SELECT projection, generation, version, schema_name, state FROM ${R}.generations
      WHERE projection = $1 AND state <> 'retired' ORDER BY generation`,
    [projection],
  );
  return rows.map(toGeneration);
}

/** The state the catalog records for `generation` now; undefined once it is gone. */
export async function generationState(db: Sql, generation: Pick<Generation, 'projection' | 'generation'>): Promise<GenerationState | undefined> {
  const [row] = await db.query<{ state: GenerationState }>(`SELECT state FROM ${R}.generations WHERE projection = $1 AND generation = $2`, [
    generation.projection,
    generation.generation,
  ]);
  return row?.state;
}

/**
 * Creates the next generation's schema, tables and checkpoint row; a live one also gets the
 * views. Asked for a live one when another process has just made it, returns that one.
 */
export async function createGeneration(db: Database, projection: Projection, state: Exclude<GenerationState, 'retired'>): Promise<Generation> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${R}.generation:${projection.name}`]);
    if (state === 'live') {
      const [existing] = await tx.query<GenerationRow>(
        `SELECT projection, generation, version, schema_name, state FROM ${R}.generations WHERE projection = $1 AND state = 'live'`,
        [projection.name],
      );
      if (existing) return toGeneration(existing);
    }
    const [{ next }] = await tx.query<{ next: number }>(
      `SELECT coalesce(max(generation), 0) + 1 AS next FROM ${R}.generations WHERE projection = $1`,
      [projection.name],
    );
    const schemaName = `${projection.schema}_${state === 'scratch' ? 'verify' : 'g'}${next}`;
    const schema = ident(schemaName);
    await tx.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await tx.query(`CREATE SCHEMA ${schema}`);
    for (const table of projection.tables) await tx.query(table.create(schema));
    await tx.query(`CREATE TABLE ${schema}.${APPLIED_TABLE} (stream_id text PRIMARY KEY, revision bigint NOT NULL)`);
    await tx.query(
      `INSERT INTO ${R}.generations (projection, generation, version, schema_name, state, live_since)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'live' THEN now() END)`,
      [projection.name, next, projection.version, schemaName, state],
    );
    if (state === 'live') await pointViewsAt(tx, projection, schemaName);
    return { projection: projection.name, generation: next, version: projection.version, schemaName, state };
  });
}

/** Repoints `<schema>.<table>` views at a generation; inside the caller's transaction, so readers switch atomically. */
export async function pointViewsAt(tx: Sql, projection: Projection, schemaName: string): Promise<void> {
  const views = ident(projection.schema);
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${views}`);
  for (const table of projection.tables) {
    const name = ident(table.name);
    const select = `SELECT * FROM ${ident(schemaName)}.${name}`;
    // Replacing keeps the view's identity, so waiting readers carry on; a new version whose
    // columns changed needs the view dropped and made again.
    await tx.query('SAVEPOINT projection_view');
    try {
      await tx.query(`CREATE OR REPLACE VIEW ${views}.${name} AS ${select}`);
      await tx.query('RELEASE SAVEPOINT projection_view');
    } catch {
      await tx.query('ROLLBACK TO SAVEPOINT projection_view');
      await tx.query(`DROP VIEW IF EXISTS ${views}.${name}`);
      await tx.query(`CREATE VIEW ${views}.${name} AS ${select}`);
    }
  }
}

/** Drops a generation's tables and bookkeeping. Scratch generations leave no trace; others stay listed as retired. */
export async function dropGeneration(db: Database, generation: Generation): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`DROP SCHEMA IF EXISTS ${ident(generation.schemaName)} CASCADE`);
    const key = [generation.projection, generation.generation];
    await tx.query(`DELETE FROM ${R}.checkpoints WHERE projection = $1 AND generation = $2`, key);
    await tx.query(`DELETE FROM ${R}.parked WHERE projection = $1 AND generation = $2`, key);
    if (generation.state === 'scratch') {
      await tx.query(`DELETE FROM ${R}.generations WHERE projection = $1 AND generation = $2`, key);
    } else {
      await tx.query(
        `UPDATE ${R}.generations SET state = 'retired', retired_at = coalesce(retired_at, now()) WHERE projection = $1 AND generation = $2`,
        key,
      );
    }
  });
}

/** True when `newer` has applied, for every stream, at least what `older` has. */
export async function covers(tx: Sql, newer: Generation, older: Generation): Promise<boolean> {
  const [row] = await tx.query<{ behind: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM ${ident(older.schemaName)}.${APPLIED_TABLE} o
         LEFT JOIN ${ident(newer.schemaName)}.${APPLIED_TABLE} n ON n.stream_id = o.stream_id
        WHERE n.revision IS NULL OR n.revision < o.revision) AS behind`,
  );
  return !row.behind;
}
