import type { ClientBase, Pool } from 'pg';

/** Runs one SQL statement. Rows come back as pg returns them (bigint as string). */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/**
 * The little the runtime needs from PostgreSQL, so that it runs on a plain `pg` pool or on
 * a service's TypeORM DataSource (see typeorm.ts) alike.
 */
export interface Database extends Sql {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /** A connection of its own for as long as the caller needs it (LISTEN); release it with the error that broke it, if any. */
  connect(): Promise<{ client: ClientBase; release(error?: Error): void }>;
}

export function poolDatabase(pool: Pool): Database {
  return {
    async query<Row>(text: string, params?: readonly unknown[]) {
      return (await pool.query(text, params as unknown[] | undefined)).rows as Row[];
    },
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <Row>(text: string, params?: readonly unknown[]) =>
            (await client.query(text, params as unknown[] | undefined)).rows as Row[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A connection whose rollback failed is not handed to the next caller.
        client.release(broken);
      }
    },
    async connect() {
      const client = await pool.connect();
      return { client, release: (error?: Error) => client.release(error) };
    },
  };
}

/** Double-quotes an identifier the runtime built itself (schema and table names). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`'${name}' is not a valid identifier`);
  return `"${name}"`;
}
