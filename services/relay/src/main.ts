import { Pool } from 'pg';
import { openEventStore } from '@rapport/event-store';
import { createKafkaClient, CUSTOMER_EVENTS_TOPIC, DEAD_LETTER_TOPIC, ensureTopics, Relay, RelayCheckpoints, relayProducerConfig } from '@rapport/kafka';
import { ApiKeyStore, createLogger, runServiceMain } from '@rapport/platform';
import { createRelayApp, relayReadiness } from './app';
import { loadRelayConfig } from './config';

async function main(): Promise<void> {
  const config = loadRelayConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, serviceName: 'relay' });

  const store = await openEventStore(config.store, { connectionString: config.DATABASE_URL, schema: config.EVENT_STORE_SCHEMA, poolSize: config.DB_POOL_SIZE });
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const apiKeys = new ApiKeyStore(pool);
  await apiKeys.migrate();
  const checkpoints = await RelayCheckpoints.open(pool);

  const kafka = createKafkaClient(config.kafka, logger.child({ component: 'kafkajs' }));
  for (const report of await ensureTopics(kafka.admin(), [CUSTOMER_EVENTS_TOPIC, DEAD_LETTER_TOPIC], config.topics)) {
    if (report.warning) logger.warn(report, report.warning);
    else logger.info(report, report.created ? 'created topic' : 'topic exists');
  }

  const relay = new Relay({
    store,
    producer: kafka.producer(relayProducerConfig),
    checkpoints,
    batchSize: config.RELAY_BATCH_SIZE,
    maxMessageBytes: config.topics.maxMessageBytes,
    log: logger.child({ component: 'relay' }),
  }).start();

  const app = await createRelayApp({
    relay,
    apiKeys,
    logger,
    readiness: [relayReadiness(relay), { name: 'event-store', check: async () => void (await store.headPosition()) }],
  });
  // SIGTERM closes the app (shutdown hooks); the relay then stops after its in-flight batch.
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await relay.stop();
    await Promise.all([store.close(), pool.end()]);
  });
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT, store: config.store.kind, brokers: config.kafka.brokers }, 'relay running');
}

runServiceMain(main);
