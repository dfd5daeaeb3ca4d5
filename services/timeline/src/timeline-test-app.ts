import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { streamIdFor, toStoredEvent, type Envelope, type Subject } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, createLogger, type Role, type StaffStore } from '@rapport/platform';
import type { ProjectionRuntime } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { createTimelineApp } from './app';
import { TIMELINE, type Timeline } from './timeline';

export type EmittedEvent = Omit<Envelope<string, unknown>, 'customerId' | 'anonymousId'> & Subject;

/** The standalone timeline app on a fresh database, listening on a free port, for e2e specs. */
export interface TimelineTestApp {
  readonly baseUrl: string;
  readonly databaseUrl: string;
  readonly store: PostgresEventStore;
  readonly projections: ProjectionRuntime;
  readonly keys: Readonly<Record<Role, string>>;
  /** The pool behind the API keys (and the staff accounts, when given one). */
  readonly authPool: Pool;
  /** Appends events as ingest would (stream per customer or visitor), one append per event. */
  emit(events: readonly EmittedEvent[]): Promise<void>;
  get<T>(path: string, role?: Role): Promise<{ status: number; body: T }>;
  post<T>(path: string, role?: Role): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface TimelineTestAppOptions {
  readonly batchSize?: number;
  /** Makes the app accept console sessions, as the scaled timeline API does; built on the test's auth pool. */
  readonly staff?: (authPool: Pool) => Promise<StaffStore>;
}

export async function startTimelineTestApp(prefix: string, options: TimelineTestAppOptions = {}): Promise<TimelineTestApp> {
  const database: TestDatabase = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const apiKeys = new ApiKeyStore(pool);
  await apiKeys.migrate();
  const keys = {} as Record<Role, string>;
  for (const role of ['emitter', 'analyst', 'support', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;

  let app: NestFastifyApplication | undefined;
  try {
    app = await createTimelineApp({
      store,
      apiKeys,
      staff: options.staff ? await options.staff(pool) : undefined,
      databaseUrl: database.url,
      batchSize: options.batchSize,
      logger: createLogger({ level: 'error', serviceName: 'timeline' }),
    });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await Promise.allSettled([app?.close(), store.close(), pool.end()]);
    await database.drop();
    throw error;
  }
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const timeline = app.get<Timeline>(TIMELINE);
  const started = app;
  return {
    baseUrl,
    databaseUrl: database.url,
    store,
    projections: timeline.projections as ProjectionRuntime,
    keys,
    authPool: pool,
    async emit(events) {
      for (const event of events) {
        await store.append(streamIdFor(event), [toStoredEvent(event as Envelope<string, unknown>, event.occurredAt)]);
      }
    },
    async get<T>(path: string, role: Role = 'support') {
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${keys[role]}` } });
      return { status: response.status, body: (await response.json()) as T };
    },
    async post<T>(path: string, role: Role = 'admin') {
      const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${keys[role]}` } });
      return { status: response.status, body: (await response.json()) as T };
    },
    async close() {
      await started.close();
      await Promise.all([store.close(), pool.end()]);
      await database.drop();
    },
  };
}
