import type { Sql } from '@rapport/projections';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export const SNAPSHOT_SCHEMA = 'segments_snapshots';

// Snapshots are decisions (what a full recompute saw), not a projection of the log: they are
// kept across rebuilds of the facts, and the segment events are derived from them.
const DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${SNAPSHOT_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${SNAPSHOT_SCHEMA}.snapshots (
     as_of       timestamptz PRIMARY KEY,
     computed_at timestamptz NOT NULL,
     customers   integer NOT NULL,
     scored      integer NOT NULL,
     excluded    integer NOT NULL,
     boundaries  jsonb NOT NULL,
     model       jsonb NOT NULL,
     settings    jsonb NOT NULL,
     changes     jsonb NOT NULL DEFAULT '{}'
   )`,
  `CREATE TABLE IF NOT EXISTS ${SNAPSHOT_SCHEMA}.customers (
     as_of           timestamptz NOT NULL,
     customer_id     text NOT NULL,
     excluded        boolean NOT NULL,
     recency_days    integer,
     frequency       integer,
     monetary        bigint,
     r               smallint,
     f               smallint,
     m               smallint,
     segment         text,
     cost_to_serve   bigint,
     net_value       bigint,
     net_value_score smallint,
     growth_recent   bigint,
     growth_previous bigint,
     growing         boolean,
     x               integer,
     tx              double precision,
     t_big           double precision,
     repeat_value    bigint,
     p_alive         double precision,
     expected_90d    double precision,
     clv             double precision,
     PRIMARY KEY (as_of, customer_id)
   )`,
  `CREATE INDEX IF NOT EXISTS customers_segment ON ${SNAPSHOT_SCHEMA}.customers (as_of, segment, customer_id)`,
  `CREATE TABLE IF NOT EXISTS ${SNAPSHOT_SCHEMA}.streams (customer_id text PRIMARY KEY, revision bigint NOT NULL)`,
];

/** Creates the snapshot tables if they are missing; safe to run from several processes at once. */
export async function migrateSnapshots(db: { transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${SNAPSHOT_SCHEMA}.migrate`]);
    for (const statement of DDL) await tx.query(statement);
  });
}

export class CreateSegmentSnapshots1764800000000 implements MigrationInterface {
  readonly name = 'CreateSegmentSnapshots1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${SNAPSHOT_SCHEMA}.migrate`]);
    for (const statement of DDL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA IF EXISTS ${SNAPSHOT_SCHEMA} CASCADE`);
  }
}
