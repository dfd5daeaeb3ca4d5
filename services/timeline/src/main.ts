import { openEventStore } from '@rapport/event-store';
import { openEvents, sealedStore } from '@rapport/personal-data';
import { ApiKeyStore, createLogger, runServiceMain, StaffStore, storeAndPostgresReadiness } from '@rapport/platform';
import { Pool } from 'pg';
import { createTimelineApp } from './app';
import { casesOverHttp } from './customer-profiles/cases-over-http';
import { loadTimelineConfig } from './config';
import { projectorSource } from './projector-source';

async function main(): Promise<void> {
  const config = loadTimelineConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, serviceName: 'timeline' });
  const plainStore = await openEventStore(config.store, { connectionString: config.DATABASE_URL, schema: config.EVENT_STORE_SCHEMA, poolSize: 4 });
  const authPool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const apiKeys = new ApiKeyStore(authPool);
  await apiKeys.migrate();
  // What the store and Kafka hold is sealed; the projections and API read it opened (the API still hides it from analysts).
  const { store, keyring } = await sealedStore(plainStore, authPool, config.masterKeys);
  // The console's staff sign-in in the scaled mode: sessions live in PostgreSQL, so every replica accepts them.
  const staff = new StaffStore(authPool, 'rapport_auth', { idleTimeoutMs: config.RAPPORT_SESSION_IDLE_MINUTES * 60_000 });
  await staff.migrate();

  // An API-only replica makes no source at all, so it never connects to Kafka.
  const source = config.RUN_PROJECTIONS
    ? projectorSource({
        bus: config.bus,
        store,
        batchSize: config.PROJECTION_BATCH_SIZE,
        log: logger.child({ component: 'kafka' }),
        open: (events) => openEvents(events, keyring),
      })
    : undefined;
  const app = await createTimelineApp({
    store,
    apiKeys,
    staff,
    logger,
    databaseUrl: config.DATABASE_URL,
    source,
    batchSize: config.PROJECTION_BATCH_SIZE,
    runProjections: config.RUN_PROJECTIONS,
    readiness: storeAndPostgresReadiness(store, authPool),
    customerCases: config.CASES_URL ? casesOverHttp({ baseUrl: config.CASES_URL, log: logger.child({ component: 'cases' }) }) : undefined,
  });
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await Promise.all([store.close(), authPool.end()]);
  });
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT, host: config.HOST, store: config.store.kind, projections: source?.name ?? 'off' }, 'timeline listening');
}

runServiceMain(main);
