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
    drop: () => withAdmin(admin, (client) => dropWhenClosed(client, name)),
  };
}

/** How long a drop waits for the test's own connections to finish closing before it forces them. */
const DROP_PATIENCE_MS = 3000;

/**
 * A pool's `end()` resolves before its sockets have closed; forcing the drop then sends a
 * FATAL "terminating connection" to a client still closing, which its pool reports as an
 * unhandled error in the test. So wait for them (object_in_use) and force only what lingers.
 */
async function dropWhenClosed(client: Client, name: string): Promise<void> {
  const giveUpAt = Date.now() + DROP_PATIENCE_MS;
  for (;;) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || Date.now() > giveUpAt) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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
