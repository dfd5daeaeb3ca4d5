import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { exampleEvent, fromRecordedEvent, type EventOf } from '@rapport/contracts';
import { openEventStore, type EventStore, type StoreSelection } from '@rapport/event-store';
import { createIngestApp } from '@rapport/ingest';
import {
  CUSTOMER_EVENTS_TOPIC,
  DEAD_LETTER_TOPIC,
  ensureTopics,
  kafkaSource,
  Relay,
  RelayCheckpoints,
  relayProducerConfig,
  type KafkaClient,
} from '@rapport/kafka';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { dockerUnavailableReason, startKafkaContainer } from '@rapport/kafka/src/testing/brokers';

/*
 * The scaled topology end to end, on real servers in containers: events posted to ingest
 * land in the event store (PostgreSQL, then KurrentDB), the relay publishes them to Kafka,
 * and a Kafka-fed projector builds a read model in PostgreSQL. Needs a Docker engine.
 */

const POSTGRES_IMAGE = 'postgres:17-alpine';
const KURRENTDB_IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:25.0';

const ordersPerCustomer: Projection<{ customerId: string; total: number }> = {
  name: 'e2e_orders',
  version: 1,
  schema: 'e2e_orders',
  eventTypes: ['OrderPlaced'],
  tables: [{ name: 'customers', create: (schema) => `CREATE TABLE ${schema}.customers (customer_id text PRIMARY KEY, orders int NOT NULL, total bigint NOT NULL)` }],
  decode: (event) => {
    const order = fromRecordedEvent(event) as EventOf<'OrderPlaced'>;
    return { customerId: order.customerId!, total: order.data.total };
  },
  async apply({ tx, schema }, orders) {
    for (const order of orders) {
      await tx.query(
        `INSERT INTO ${schema}.customers AS c VALUES ($1, 1, $2) ON CONFLICT (customer_id) DO UPDATE SET orders = c.orders + 1, total = c.total + EXCLUDED.total`,
        [order.customerId, order.total],
      );
    }
  },
};

const reason = dockerUnavailableReason();
if (reason) process.stderr.write(`[skip] scaled topology e2e: ${reason}\n`);
const describeWithDocker = reason ? describe.skip : describe;

describeWithDocker(`scaled topology: ingest -> store -> relay -> Kafka -> projector${reason ? ` (skipped: ${reason})` : ''}`, () => {
  jest.setTimeout(300_000);
  const stops: Array<() => Promise<unknown>> = [];
  let kafka: KafkaClient;
  let postgresUrl: string;
  let kurrentUrl: string;

  beforeAll(async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const [broker, postgres, kurrent] = await Promise.all([
      startKafkaContainer(),
      new GenericContainer(POSTGRES_IMAGE)
        .withEnvironment({ POSTGRES_USER: 'rapport', POSTGRES_PASSWORD: 'rapport', POSTGRES_DB: 'rapport' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start(),
      new GenericContainer(KURRENTDB_IMAGE)
        .withEnvironment({ KURRENTDB_CLUSTER_SIZE: '1', KURRENTDB_INSECURE: 'true', KURRENTDB_RUN_PROJECTIONS: 'None' })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113))
        .start(),
    ]);
    stops.push(broker.stop, () => postgres.stop(), () => kurrent.stop());
    kafka = broker.broker.kafka;
    postgresUrl = `postgres://rapport:rapport@${postgres.getHost()}:${postgres.getMappedPort(5432)}/rapport`;
    kurrentUrl = `esdb://${kurrent.getHost()}:${kurrent.getMappedPort(2113)}?tls=false`;
    await ensureTopics(kafka.admin(), [CUSTOMER_EVENTS_TOPIC, DEAD_LETTER_TOPIC], { partitions: 6, replicationFactor: 1 });
  });

  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
  });

  const selections = (): Array<[string, () => StoreSelection, string]> => [
    ['PostgreSQL', () => ({ kind: 'postgres' }), 'e2e_pg'],
    ['KurrentDB', () => ({ kind: 'eventstoredb', url: kurrentUrl }), 'e2e_esdb'],
  ];

  it.each(selections())('carries every emitted order to the Kafka-fed read model with the %s store', async (_name, selection, slot) => {
    const pool = new Pool({ connectionString: postgresUrl, max: 8 });
    await pool.query(`DROP SCHEMA IF EXISTS rapport_projections CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS e2e_orders CASCADE`);
    for (const { nspname } of (await pool.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'e2e_orders_%'`)).rows) {
      await pool.query(`DROP SCHEMA "${nspname}" CASCADE`);
    }
    const store: EventStore = await openEventStore(selection(), { connectionString: postgresUrl, schema: slot });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    const emitter = (await apiKeys.create({ role: 'emitter', name: `shop-${randomUUID()}` })).key;
    const logger = createLogger({ level: 'silent', serviceName: 'e2e' });
    const ingest: NestFastifyApplication = await createIngestApp({ store, apiKeys, logger });
    await ingest.init();
    await ingest.getHttpAdapter().getInstance().ready();

    const relay = new Relay({ store, producer: kafka.producer(relayProducerConfig), checkpoints: await RelayCheckpoints.open(pool, `relay_${slot}`) }).start();
    const runtime = new ProjectionRuntime({
      db: poolDatabase(pool),
      projections: [ordersPerCustomer],
      source: kafkaSource({ kafka, groupId: `e2e-${slot}-${randomUUID()}`, headPosition: () => store.headPosition() }),
      replaySource: storeSource(store),
    });
    await runtime.start();
    try {
      const customers = ['e2e-1', 'e2e-2', 'e2e-3'].map((id) => `${id}-${slot}`);
      for (const customerId of customers) {
        for (let i = 0; i < 3; i++) {
          const order = { ...exampleEvent('OrderPlaced'), id: randomUUID(), customerId };
          const response = await ingest.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${emitter}`, 'content-type': 'application/json' }, payload: order });
          expect(response.statusCode).toBeLessThan(300);
        }
      }
      const deadline = Date.now() + 120_000;
      let rows: Array<{ customer_id: string; orders: number }> = [];
      while (Date.now() < deadline) {
        rows = (await pool.query(`SELECT customer_id, orders FROM e2e_orders.customers WHERE customer_id = ANY($1) ORDER BY 1`, [customers])).rows;
        if (rows.length === 3 && rows.every((row) => row.orders === 3)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(rows).toEqual(customers.map((customer_id) => ({ customer_id, orders: 3 })));
    } finally {
      await runtime.stop();
      await relay.stop();
      await ingest.close();
      await store.close();
      await pool.end();
    }
  });
});
