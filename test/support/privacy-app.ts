import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CASES, CasesModule, readCustomerCases, type Cases } from '@rapport/cases';
import { createPostgresEventStore, type EventStore, type PostgresEventStore } from '@rapport/event-store';
import { IngestModule } from '@rapport/ingest';
import { defaultRuleBook, LOYALTY, LoyaltyModule, type Loyalty } from '@rapport/loyalty';
import { ApiKeyStore, createLogger, type Role } from '@rapport/platform';
import { encryptPersonalData, generateMasterKeys, Keyring, type MasterKeys } from '@rapport/personal-data';
import { createHttpApp, PlatformModule } from '@rapport/platform/nest';
import { checkConsents, PRIVACY, PrivacyModule, type Privacy } from '@rapport/privacy';
import { SEGMENTS_SERVICE, SegmentsModule, type Segments } from '@rapport/segments';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { TIMELINE, TimelineModule, type Timeline } from '@rapport/timeline';
import { Pool } from 'pg';

export interface PrivacyCall {
  readonly status: number;
  readonly type: string | null;
  readonly text: string;
  readonly body: Record<string, any>;
}

/** Every service the embedded process mounts, privacy included, on a fresh database; schedulers off. */
export interface PrivacyTestApp {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly pool: Pool;
  readonly keyIds: Record<Role, string>;
  readonly privacy: Privacy;
  readonly timeline: Timeline;
  readonly loyalty: Loyalty;
  readonly cases: Cases;
  readonly segments: Segments;
  call(method: string, path: string, role: Role, body?: unknown, headers?: Record<string, string>): Promise<PrivacyCall>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivacyTestApp(prefix: string, options: { now: string; masterKeys?: MasterKeys }): Promise<PrivacyTestApp> {
  const database = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 6, pollIntervalMs: 10 });
  const pool = new Pool({ connectionString: database.url, max: 3 });
  const apiKeys = new ApiKeyStore(pool);
  await apiKeys.migrate();
  const keys = {} as Record<Role, string>;
  const keyIds = {} as Record<Role, string>;
  for (const role of ['emitter', 'analyst', 'support', 'admin'] as const) {
    const created = await apiKeys.create({ role, name: `${role}-key` });
    keys[role] = created.key;
    keyIds[role] = created.id;
  }
  const logger = createLogger({ level: 'error', serviceName: 'privacy' });
  const now = () => new Date(options.now);
  // As the embedded process runs it: personal fields encrypted at rest under per-customer keys.
  const keyring = new Keyring(pool, options.masterKeys ?? generateMasterKeys());
  await keyring.migrate();
  const services: EventStore = encryptPersonalData(store, keyring);

  @Module({
    imports: [
      PlatformModule.forRoot({ apiKeys, serviceName: 'rapport' }),
      IngestModule.register({ store: services, now }),
      TimelineModule.register({ store: services, databaseUrl: database.url, logger, customerCases: readCustomerCases }),
      LoyaltyModule.register({ store: services, databaseUrl: database.url, logger, rules: defaultRuleBook(), clock: { now }, schedulerIntervalMs: 0 }),
      CasesModule.register({ store: services, databaseUrl: database.url, logger, clock: { now }, schedulerIntervalMs: 0 }),
      SegmentsModule.register({ store: services, databaseUrl: database.url, logger, now, consentCheck: checkConsents }),
      PrivacyModule.register({ store: services, databaseUrl: database.url, logger, now, keyring }),
    ],
  })
  class PrivacyTestModule {}

  let app: NestFastifyApplication | undefined;
  try {
    app = await createHttpApp(PrivacyTestModule, { logger, docs: { title: 'test', version: '1', description: 'test' } });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await Promise.allSettled([app?.close(), store.close(), pool.end()]);
    await database.drop();
    throw error;
  }
  const started = app;
  const address = started.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const privacy = started.get<Privacy>(PRIVACY);
  const timeline = started.get<Timeline>(TIMELINE);
  const loyalty = started.get<Loyalty>(LOYALTY);
  const cases = started.get<Cases>(CASES);
  const segments = started.get<Segments>(SEGMENTS_SERVICE);
  return {
    database,
    store,
    pool,
    keyIds,
    privacy,
    timeline,
    loyalty,
    cases,
    segments,
    async call(method, path, role, body, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${keys[role]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      const type = response.headers.get('content-type');
      return { status: response.status, type, text, body: (type?.includes('json') && text ? JSON.parse(text) : {}) as Record<string, any> };
    },
    async settled() {
      await Promise.all([privacy.projections.settled(), timeline.projections!.settled(), loyalty.projections!.settled(), cases.projections.settled(), segments.projections.settled()]);
    },
    async close() {
      await started.close();
      await Promise.all([store.close(), pool.end()]);
      await database.drop();
    },
  };
}
