import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, createLogger, type Role } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { createIngestApp } from '../app';

export const RECEIVED_AT = '2024-05-01T12:00:00.000Z';

/** The standalone ingest app on a fresh database, listening on a free port, for e2e specs. */
export interface IngestTestApp {
  readonly baseUrl: string;
  readonly store: PostgresEventStore;
  readonly apiKeys: ApiKeyStore;
  readonly keys: Readonly<Record<Role, string>>;
  close(): Promise<void>;
}

export async function startIngestTestApp(prefix: string): Promise<IngestTestApp> {
  const database: TestDatabase = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4 });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const apiKeys = new ApiKeyStore(pool);
  await apiKeys.migrate();
  const keys = {} as Record<Role, string>;
  for (const role of ['emitter', 'analyst', 'support', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;

  let app: NestFastifyApplication | undefined;
  try {
    app = await createIngestApp({
      store,
      apiKeys,
      // Errors only: a 500 must show up in the test output, ten thousand request lines must not.
      logger: createLogger({ level: 'error', serviceName: 'ingest' }),
      now: () => new Date(RECEIVED_AT),
    });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await Promise.allSettled([app?.close(), store.close(), pool.end()]);
    await database.drop();
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const started = app;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    store,
    apiKeys,
    keys,
    async close() {
      await started.close();
      await Promise.all([store.close(), pool.end()]);
      await database.drop();
    },
  };
}
