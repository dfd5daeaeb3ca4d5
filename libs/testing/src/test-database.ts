import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEST_SERVER_ENV = 'RAPPORT_TEST_POSTGRES_URL';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env[TEST_SERVER_ENV];
  if (!url) throw new Error(`${TEST_SERVER_ENV} is not set: run the tests through jest (libs/testing starts PostgreSQL)`);
  return url;
}

/** A fresh, empty database on the run's embedded PostgreSQL; call `drop()` in `afterAll`. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const admin = serverUrl();
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
