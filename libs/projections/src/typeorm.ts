import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Database } from './database';

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
