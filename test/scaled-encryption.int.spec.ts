import { toStoredEvent } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ensureTopics, InMemoryKafka, kafkaSource, Relay, relayProducerConfig, RelayCheckpoints } from '@rapport/kafka';
import { encryptPersonalData, generateMasterKeys, Keyring, openEvents } from '@rapport/personal-data';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';

jest.setTimeout(120_000);

// Scaled mode as its processes wire it: ingest appends through the encrypting store, the relay
// publishes what the store holds, the timeline projector's Kafka source opens what it reads.
// (The in-memory Kafka only; the real-broker variants of the Kafka suites need a Docker engine.)

const TOPIC = 'rapport.test.sealed';
const registered = (n: number, customerId: string, email: string) =>
  toStoredEvent(
    { id: `56000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'CustomerRegistered', version: 1, customerId, occurredAt: '2030-01-01T00:00:00Z', source: 'shop', data: { email, country: 'GB' } },
    '2030-01-01T00:00:00Z',
  );

const emails: Projection<{ customerId: string; email: string }> = {
  name: 'emails',
  version: 1,
  schema: 'emails',
  eventTypes: ['CustomerRegistered'],
  tables: [{ name: 'seen', create: (schema) => `CREATE TABLE ${schema}.seen (customer_id text PRIMARY KEY, email text NOT NULL)` }],
  decode: (event) => ({ customerId: String(event.metadata?.customerId), email: String((event.data as { email: string }).email) }),
  async apply({ tx, schema }, rows) {
    for (const row of rows) await tx.query(`INSERT INTO ${schema}.seen VALUES ($1, $2)`, [row.customerId, row.email]);
  },
};

describe('scaled mode: Kafka carries ciphertext, the projector opens it', () => {
  let database: TestDatabase;
  let raw: PostgresEventStore;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('scaled_sealed');
    raw = await createPostgresEventStore({ connectionString: database.url, poolSize: 3, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 6 });
    pool.on('error', () => undefined);
  });

  afterAll(async () => {
    await raw?.close();
    await pool?.end();
    await database?.drop();
  });

  it('publishes no personal value in plain text, and the projection stores it opened (erased customers as the marker)', async () => {
    const keyring = new Keyring(pool, generateMasterKeys());
    await keyring.migrate();
    const ingest = encryptPersonalData(raw, keyring);
    await ingest.append('customer-s1', [registered(1, 's1', 'sable.one@example.com')]);
    await ingest.append('customer-s2', [registered(2, 's2', 'sable.two@example.com')]);
    await keyring.destroy('s2');

    const kafka = new InMemoryKafka();
    await ensureTopics(kafka.admin(), [TOPIC, `${TOPIC}.dlq`], { partitions: 2, replicationFactor: 1 });
    const relay = new Relay({ store: raw, producer: kafka.producer(relayProducerConfig), checkpoints: await RelayCheckpoints.open(pool), topic: TOPIC, batchSize: 10 }).start();
    const runtime = new ProjectionRuntime({
      db: poolDatabase(pool),
      projections: [emails],
      source: kafkaSource({ kafka, groupId: 'sealed-test', topic: TOPIC, headPosition: () => raw.headPosition(), deadLetterTopic: `${TOPIC}.dlq`, open: (events) => openEvents(events, keyring) }),
      replaySource: storeSource(encryptPersonalData(raw, keyring)),
    });
    await runtime.start();
    try {
      const deadline = Date.now() + 30_000;
      let rows: { customer_id: string; email: string }[] = [];
      while (rows.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = (await pool.query(`SELECT customer_id, email FROM emails_g1.seen ORDER BY 1`).catch(() => ({ rows: [] }))).rows; // the table appears once the runtime has started
      }
      expect(rows).toEqual([
        { customer_id: 's1', email: 'sable.one@example.com' },
        { customer_id: 's2', email: 'erased@erased.invalid' },
      ]);
      const published = kafka.published(TOPIC).map((message) => String(message.value));
      expect(published).toHaveLength(2);
      expect(kafka.published(`${TOPIC}.dlq`)).toEqual([]);
      for (const value of published) expect(value).not.toMatch(/sable\.(one|two)@example\.com/);
    } finally {
      await runtime.stop();
      await relay.stop();
    }
  });
});
