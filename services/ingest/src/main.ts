import { openEventStore } from '@rapport/event-store';
import { sealedStore } from '@rapport/personal-data';
import { ApiKeyStore, createLogger, runServiceMain, storeAndPostgresReadiness } from '@rapport/platform';
import { Pool } from 'pg';
import { createIngestApp } from './app';
import { loadIngestConfig } from './config';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, serviceName: 'ingest' });

  const plainStore = await openEventStore(config.store, {
    connectionString: config.DATABASE_URL,
    schema: config.EVENT_STORE_SCHEMA,
    poolSize: config.DB_POOL_SIZE,
  });
  const authPool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const apiKeys = new ApiKeyStore(authPool);
  await apiKeys.migrate();
  // Personal fields are sealed before they reach the store, so the store, the relay and Kafka hold only ciphertext.
  const { store } = await sealedStore(plainStore, authPool, config.masterKeys);

  const app = await createIngestApp({
    store,
    apiKeys,
    logger,
    readiness: storeAndPostgresReadiness(store, authPool),
  });
  // Closing the app (SIGTERM, through the shutdown hooks) releases the database pools too.
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await Promise.all([store.close(), authPool.end()]);
  });
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT, host: config.HOST, store: config.store.kind }, 'ingest listening');
}

runServiceMain(main);
