import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Pool } from 'pg';
import { poolDatabase, type Database } from './database';

/** The runtime's database port on a service's TypeORM DataSource: batches run through the same connection pool. */
export function dataSourceDatabase(dataSource: DataSource): Database {
  return {
    query: (text, params) => dataSource.query(text, params as unknown[] | undefined),
    transaction: (work) => dataSource.transaction((manager) => work({ query: (text, params) => manager.query(text, params as unknown[] | undefined) })),
    async connect() {
      const [client, release] = await (dataSource.driver as PostgresDriver).obtainMasterConnection();
      return { client, release: (error?: Error) => release(error) };
    },
  };
}

/** Where a service's read models live: a DataSource or a pg pool it is given, or a URL it opens itself. */
export interface ReadModelConnection {
  readonly dataSource?: DataSource;
  readonly pool?: Pool;
  readonly databaseUrl?: string;
}

/**
 * The runtime's database for one of the three ways of giving it. For a URL, `create` makes
 * the service's DataSource, which is migrated and handed back as `owned` for the caller to destroy.
 */
export async function openReadModelDatabase(
  connection: ReadModelConnection,
  create: (url: string) => DataSource,
  service: string,
): Promise<{ db: Database; owned?: DataSource }> {
  if (connection.dataSource) return { db: dataSourceDatabase(connection.dataSource) };
  if (connection.pool) return { db: poolDatabase(connection.pool) };
  if (!connection.databaseUrl) throw new Error(`${service} needs a dataSource, a pool or a databaseUrl`);
  const owned = create(connection.databaseUrl);
  await owned.initialize();
  await owned.runMigrations({ transaction: 'each' });
  return { db: dataSourceDatabase(owned), owned };
}
