import { openEventStore } from '@rapport/event-store';
import { projectorSource } from '@rapport/kafka';
import { openEvents, sealedStore } from '@rapport/personal-data';
import { ApiKeyStore, createLogger, runServiceMain, storeAndPostgresReadiness } from '@rapport/platform';
import { Pool } from 'pg';
import { createCasesApp } from './app';
import { CASES_CONSUMER_GROUP, loadCasesServiceConfig } from './config';
import { loadPolicy } from './sla/policy';

/**
 * The cases service as its own process (the scaled stack). With RUN_PROJECTIONS=true it
 * builds the read model (from Kafka when RAPPORT_BUS=kafka) and runs the scheduler; with
 * false it is an HTTP reader: the queue, case history and metrics from that model, and staff
 * commands appended to the store.
 */
async function main(): Promise<void> {
  const config = loadCasesServiceConfig();
  const policy = loadPolicy(config.CASES_SLA_POLICY_FILE);
  const logger = createLogger({ level: config.LOG_LEVEL, serviceName: 'cases' });
  const plainStore = await openEventStore(config.store, { connectionString: config.DATABASE_URL, schema: config.EVENT_STORE_SCHEMA, poolSize: 4 });
  const authPool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const apiKeys = new ApiKeyStore(authPool);
  await apiKeys.migrate();
  // What the store and Kafka hold is sealed: the projection reads it opened, and staff commands are sealed before they are appended.
  const { store, keyring } = await sealedStore(plainStore, authPool, config.masterKeys);

  // An API-only replica makes no source at all, so it never connects to Kafka.
  const source = config.RUN_PROJECTIONS
    ? projectorSource({
        bus: config.bus,
        store,
        groupId: CASES_CONSUMER_GROUP,
        batchSize: config.PROJECTION_BATCH_SIZE,
        log: logger.child({ component: 'kafka' }),
        open: (events) => openEvents(events, keyring),
      })
    : undefined;
  const app = await createCasesApp({
    store,
    apiKeys,
    logger,
    databaseUrl: config.DATABASE_URL,
    policy,
    source,
    batchSize: config.PROJECTION_BATCH_SIZE,
    runProjections: config.RUN_PROJECTIONS,
    schedulerIntervalMs: config.CASES_SCHEDULER_INTERVAL_MS,
    readiness: storeAndPostgresReadiness(store, authPool),
  });
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await Promise.all([store.close(), authPool.end()]);
  });
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT, host: config.HOST, store: config.store.kind, projections: source?.name ?? 'off' }, 'cases listening');
}

runServiceMain(main);
