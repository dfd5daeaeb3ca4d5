import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ensureTopics, InMemoryKafka, Relay, RelayCheckpoints, relayProducerConfig, CUSTOMER_EVENTS_TOPIC } from '@rapport/kafka';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { randomUUID } from 'node:crypto';
import { exampleEvent, toStoredEvent } from '@rapport/contracts';
import { createRelayApp, relayReadiness } from './app';

describe('relay service over HTTP', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let relay: Relay;
  let app: NestFastifyApplication;
  let adminKey: string;
  const kafka = new InMemoryKafka();

  beforeAll(async () => {
    database = await createTestDatabase('relay_app');
    pool = new Pool({ connectionString: database.url, max: 4 });
    store = await createPostgresEventStore({ connectionString: database.url, pollIntervalMs: 10 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    adminKey = (await apiKeys.create({ role: 'admin', name: 'ops' })).key;
    await ensureTopics(kafka.admin(), [CUSTOMER_EVENTS_TOPIC], { partitions: 3, replicationFactor: 1 });
    relay = new Relay({ store, producer: kafka.producer(relayProducerConfig), checkpoints: await RelayCheckpoints.open(pool), leasePollMs: 10 }).start();
    app = await createRelayApp({ relay, apiKeys, logger: createLogger({ level: 'silent', serviceName: 'relay' }), readiness: [relayReadiness(relay)] });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await relay.stop();
    await store.close();
    await pool.end();
    await database.drop();
  });

  it('reports its progress to admins, its health to probes and its counters to Prometheus', async () => {
    const order = () => toStoredEvent({ ...exampleEvent('OrderPlaced'), id: randomUUID(), customerId: 'c-1' }, new Date().toISOString());
    await store.append('customer-c-1', [order(), order()]);
    const head = await store.headPosition();
    const deadline = Date.now() + 10_000;
    while (relay.status().acknowledgedPosition < head && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));

    const anonymous = await app.inject({ method: 'GET', url: '/v1/admin/relay' });
    expect(anonymous.statusCode).toBe(401);
    const status = await app.inject({ method: 'GET', url: '/v1/admin/relay', headers: { authorization: `Bearer ${adminKey}` } });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ state: 'publishing', acknowledgedPosition: head, published: 2, failures: 0 });

    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    const scraped = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.body).toMatch(/rapport_relay_published_events_total\{relay="customer-events"\} 2/);
    expect(kafka.published(CUSTOMER_EVENTS_TOPIC)).toHaveLength(2);
  });
});
