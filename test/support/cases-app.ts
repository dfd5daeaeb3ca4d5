import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CASES, CasesModule, readCustomerCases, type Cases, type SlaPolicy } from '@rapport/cases';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { IngestModule } from '@rapport/ingest';
import { defaultRuleBook, LOYALTY, LoyaltyModule, type Loyalty } from '@rapport/loyalty';
import { ApiKeyStore, createLogger, type Role } from '@rapport/platform';
import { createHttpApp, PlatformModule } from '@rapport/platform/nest';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { TIMELINE, TimelineModule, type Timeline } from '@rapport/timeline';
import { Pool } from 'pg';

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public current: Date) {}

  now(): Date {
    return this.current;
  }

  set(instant: string): void {
    this.current = new Date(instant);
  }
}

export interface CallResult {
  readonly status: number;
  readonly type: string | null;
  readonly body: Record<string, any>;
}

/** Ingest, timeline, loyalty and cases in one app on a fresh database, as the embedded process mounts them; schedulers driven by hand. */
export interface CasesTestApp {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly clock: ManualClock;
  readonly cases: Cases;
  readonly loyalty: Loyalty;
  readonly timeline: Timeline;
  call(method: string, path: string, role: Role, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  /** Waits until every projection has applied every stored event. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startCasesTestApp(prefix: string, options: { now: string; policy?: SlaPolicy }): Promise<CasesTestApp> {
  const database = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 6, pollIntervalMs: 10 });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const apiKeys = new ApiKeyStore(pool);
  await apiKeys.migrate();
  const keys = {} as Record<Role, string>;
  for (const role of ['emitter', 'analyst', 'support', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;
  const clock = new ManualClock(new Date(options.now));
  const logger = createLogger({ level: 'error', serviceName: 'cases' });

  @Module({
    imports: [
      PlatformModule.forRoot({ apiKeys, serviceName: 'rapport' }),
      IngestModule.register({ store, now: () => clock.now() }),
      TimelineModule.register({ store, databaseUrl: database.url, logger, customerCases: readCustomerCases }),
      LoyaltyModule.register({ store, databaseUrl: database.url, logger, rules: defaultRuleBook(), clock, schedulerIntervalMs: 0 }),
      CasesModule.register({ store, databaseUrl: database.url, logger, clock, policy: options.policy, schedulerIntervalMs: 0 }),
    ],
  })
  class CasesTestModule {}

  let app: NestFastifyApplication | undefined;
  try {
    app = await createHttpApp(CasesTestModule, { logger, docs: { title: 'test', version: '1', description: 'test' } });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await Promise.allSettled([app?.close(), store.close(), pool.end()]);
    await database.drop();
    throw error;
  }
  const started = app;
  const address = started.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const cases = started.get<Cases>(CASES);
  const loyalty = started.get<Loyalty>(LOYALTY);
  const timeline = started.get<Timeline>(TIMELINE);
  return {
    database,
    store,
    clock,
    cases,
    loyalty,
    timeline,
    async call(method, path, role, body, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${keys[role]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
    },
    async settled() {
      await Promise.all([cases.projections.settled(), loyalty.projections!.settled(), timeline.projections!.settled()]);
    },
    async close() {
      await started.close();
      await Promise.all([store.close(), pool.end()]);
      await database.drop();
    },
  };
}
