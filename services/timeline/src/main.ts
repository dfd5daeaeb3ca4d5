import { createPostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, ConfigError, createLogger } from '@rapport/platform';
import { Pool } from 'pg';
import { createTimelineApp } from './app';
import { loadTimelineConfig } from './config';

async function main(): Promise<void> {
  const config = loadTimelineConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, serviceName: 'timeline' });
  const store = await createPostgresEventStore({ connectionString: config.DATABASE_URL, schema: config.EVENT_STORE_SCHEMA, poolSize: 4 });
  const authPool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  const apiKeys = new ApiKeyStore(authPool);
  await apiKeys.migrate();

  const app = await createTimelineApp({
    store,
    apiKeys,
    logger,
    databaseUrl: config.DATABASE_URL,
    batchSize: config.PROJECTION_BATCH_SIZE,
    runProjections: config.RUN_PROJECTIONS,
    readiness: [{ name: 'postgres', check: async () => void (await store.headPosition()) }],
  });
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await Promise.all([store.close(), authPool.end()]);
  });
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT, host: config.HOST }, 'timeline listening');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
