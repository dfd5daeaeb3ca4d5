import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { fromRecordedEvent, type EventOf } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource, type Database, type Projection } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { DEAD_LETTER_HEADERS } from './dead-letters';
import type { KafkaClient } from './kafka-client';
import { kafkaSource } from './kafka-source';
import { HEADERS, toKafkaMessage } from './messages';
import { Relay, relayProducerConfig } from './relay/relay';
import { RelayCheckpoints } from './relay/relay-checkpoints';
import { ensureTopics } from './topics';
import { describeWithBrokers, type Broker } from './testing/brokers';
import { FaultyKafka } from './testing/faults';
import { appendOrders, eventually, orderPlaced, readTopic, uniqueTopic } from './testing/fixtures';

interface Order {
  readonly customerId: string;
  readonly revision: number;
  readonly total: number;
}

/** Per customer: how many orders, their sum, and the stream revisions in the order they were applied. */
const ordersProjection: Projection<Order> = {
  name: 'orders',
  version: 1,
  schema: 'orders',
  eventTypes: ['OrderPlaced'],
  tables: [
    {
      name: 'customers',
      create: (schema) => `CREATE TABLE ${schema}.customers (customer_id text PRIMARY KEY, orders int NOT NULL, total bigint NOT NULL, revisions int[] NOT NULL)`,
    },
  ],
  decode: (event) => {
    const order = fromRecordedEvent(event) as EventOf<'OrderPlaced'> & { revision: number };
    return { customerId: order.customerId!, revision: order.revision, total: order.data.total };
  },
  async apply({ tx, schema }, orders) {
    for (const order of orders) {
      await tx.query(
        `INSERT INTO ${schema}.customers AS c (customer_id, orders, total, revisions) VALUES ($1, 1, $2, ARRAY[$3::int])
         ON CONFLICT (customer_id) DO UPDATE SET orders = c.orders + 1, total = c.total + EXCLUDED.total, revisions = c.revisions || $3::int`,
        [order.customerId, order.total, order.revision],
      );
    }
  },
};

/** A second projection over the same events, for two projections per process. */
const revenueProjection: Projection<Order> = { ...ordersProjection, name: 'revenue', schema: 'revenue' };

const RETRY = { initialRetryTime: 10, retries: 3 };

describeWithBrokers(
  'kafka source',
  (broker: () => Broker) => {
    let database: TestDatabase;
    let pool: Pool;
    let db: Database;
    let store: PostgresEventStore;
    let topic: string;
    let relay: Relay;
    const runtimes: ProjectionRuntime[] = [];

    beforeEach(async () => {
      database = await createTestDatabase('kafka_source');
      pool = new Pool({ connectionString: database.url, max: 10 });
      // Dropping the test database ends connections a pool may still hold idle; that is no test failure.
      pool.on('error', () => undefined);
      db = poolDatabase(pool);
      store = await createPostgresEventStore({ connectionString: database.url, pollIntervalMs: 10 });
      topic = uniqueTopic();
      await ensureTopics(broker().kafka.admin(), [topic, `${topic}.dlq`], { partitions: 4, replicationFactor: 1 });
      relay = new Relay({ store, producer: broker().kafka.producer(relayProducerConfig), checkpoints: await RelayCheckpoints.open(pool), topic, batchSize: 5 }).start();
    });

    afterEach(async () => {
      await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
      await relay.stop();
      await store.close();
      await pool.end();
      await database.drop();
    });

    const group = (projection: string, generation: number) => `projector-${topic}.${projection}.g${generation}`;

    function startProjector(kafka: KafkaClient = broker().kafka, projections: readonly Projection<Order>[] = [ordersProjection]): Promise<ProjectionRuntime> {
      const source = kafkaSource({
        kafka,
        groupId: `projector-${topic}`,
        topic,
        deadLetterTopic: `${topic}.dlq`,
        partitionsConsumedConcurrently: 4,
        headPosition: () => store.headPosition(),
        consumer: { retry: RETRY, sessionTimeout: 10_000, heartbeatInterval: 500 },
      });
      const runtime = new ProjectionRuntime({ db, projections, source, replaySource: storeSource(store) });
      runtimes.push(runtime);
      return runtime.start().then(() => runtime);
    }

    async function readModel(schema = 'orders'): Promise<Record<string, { orders: number; revisions: number[] }>> {
      const { rows } = await pool.query<{ customer_id: string; orders: number; revisions: number[] }>(`SELECT customer_id, orders, revisions FROM ${schema}.customers ORDER BY 1`);
      return Object.fromEntries(rows.map((row) => [row.customer_id, { orders: row.orders, revisions: row.revisions }]));
    }

    const ordersOf = (count: number) => ({ orders: count, revisions: Array.from({ length: count }, (_, revision) => revision) });

    async function pgCheckpoints(projection = 'orders', generation = 1): Promise<Map<string, number>> {
      const { rows } = await pool.query<{ partition: string; checkpoint: string }>(
        // A rebuild replays the store first: its `$all` checkpoint is no Kafka partition's.
        `SELECT partition, checkpoint FROM rapport_projections.checkpoints WHERE projection = $1 AND generation = $2 AND checkpoint IS NOT NULL AND partition <> '$all'`,
        [projection, generation],
      );
      return new Map(rows.map((row) => [row.partition, Number(row.checkpoint)]));
    }

    async function kafkaOffsets(groupId = group('orders', 1)): Promise<Map<string, number>> {
      const admin = broker().kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return new Map(offsets.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [`${topic}:${p.partition}`, Number(p.offset)]));
      } finally {
        await admin.disconnect();
      }
    }

    const customers = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6'];

    it('applies every event once, each customer in order, partitions in parallel; Kafka offsets follow PostgreSQL', async () => {
      await appendOrders(store, customers, 5);
      await startProjector();
      const expected = Object.fromEntries(customers.map((customer) => [customer, ordersOf(5)]));
      await eventually(async () => JSON.stringify(await readModel()) === JSON.stringify(expected), 'every order applied');

      const checkpoints = await pgCheckpoints();
      expect(checkpoints.size).toBeGreaterThan(1);
      await eventually(async () => JSON.stringify([...(await kafkaOffsets())].sort()) === JSON.stringify([...checkpoints].sort()), 'Kafka offsets to match PostgreSQL');
    });

    it('neither skips nor double-applies when the process dies between the PostgreSQL commit and the Kafka commit', async () => {
      await appendOrders(store, customers, 3);
      const faulty = new FaultyKafka(broker().kafka);
      for (let i = 0; i < 50; i++) faulty.failNextCommit();
      const first = await startProjector(faulty);
      await eventually(async () => Object.keys(await readModel()).length === customers.length && (await readModel())['c-6'].orders === 3, 'first pass');
      await first.stop();
      expect((await kafkaOffsets()).size).toBe(0);

      await appendOrders(store, customers, 2);
      await startProjector();
      const expected = Object.fromEntries(customers.map((customer) => [customer, ordersOf(5)]));
      await eventually(async () => JSON.stringify(await readModel()) === JSON.stringify(expected), 'second pass');
    });

    it('commits an offset to Kafka only after its batch committed in PostgreSQL', async () => {
      await appendOrders(store, customers, 1);
      await startProjector();
      await eventually(async () => Object.keys(await readModel()).length === customers.length, 'first pass');
      const before = await eventually(async () => {
        const [kafka, pg] = [await kafkaOffsets(), await pgCheckpoints()];
        return JSON.stringify([...kafka].sort()) === JSON.stringify([...pg].sort()) ? kafka : undefined;
      }, 'offsets committed');

      // Hold the read-model table so the next batches cannot commit. SHARE mode blocks inserts without
      // taking a transaction id, which would hold back the store's gap-safe subscription too.
      const blocker = await pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE orders_g1.customers IN SHARE MODE');
        await appendOrders(store, customers, 1);
        await eventually(async () => {
          const { rows } = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          return rows.length > 0;
        }, 'a batch waiting on the read model');
        expect(await kafkaOffsets()).toEqual(before);
      } finally {
        await blocker.query('ROLLBACK');
        blocker.release();
      }
      const expected = Object.fromEntries(customers.map((customer) => [customer, ordersOf(2)]));
      await eventually(async () => JSON.stringify(await readModel()) === JSON.stringify(expected), 'the held batches applied');
      await eventually(async () => JSON.stringify([...(await kafkaOffsets())].sort()) === JSON.stringify([...(await pgCheckpoints())].sort()), 'Kafka offsets to catch up');
    });

    it('resumes where PostgreSQL says, seeking back when Kafka remembers more', async () => {
      await appendOrders(store, customers, 2);
      const first = await startProjector();
      await eventually(async () => Object.values(await readModel()).reduce((sum, c) => sum + c.orders, 0) === 12, 'first pass');
      await eventually(async () => (await kafkaOffsets()).size === (await pgCheckpoints()).size, 'offsets committed');
      await first.stop();

      // The read model is reset (as by an operator), while Kafka still has the group's offsets at the end.
      await pool.query('TRUNCATE orders_g1.customers, orders_g1._applied');
      await pool.query(`UPDATE rapport_projections.checkpoints SET checkpoint = NULL WHERE projection = 'orders'`);
      await startProjector();
      const expected = Object.fromEntries(customers.map((customer) => [customer, ordersOf(2)]));
      await eventually(async () => JSON.stringify(await readModel()) === JSON.stringify(expected), 'the read model refilled from the oldest offsets');
    });

    it('dead-letters poison messages, parks the identifiable ones, and carries on', async () => {
      await appendOrders(store, ['c-1'], 1);
      const producer = broker().kafka.producer();
      await producer.connect();
      const broken = { ...orderPlaced('c-1'), id: randomUUID() };
      // Their own stream, so the revisions they carry don't hide c-1's later events; same key, so same partition.
      const breaksContract = toKafkaMessage({ ...orderPlaced('c-1'), metadata: orderPlaced('c-1').metadata ?? {}, streamId: 'customer-c-9', revision: 1, position: 90_000, recordedAt: new Date().toISOString(), checkpoint: 'x' }).message;
      const payload = JSON.parse(String(breaksContract.value));
      payload.data.total = 'a lot';
      await producer.send({
        topic,
        messages: [
          { key: 'c-1', value: 'not a rapport event' },
          {
            key: 'c-1',
            value: '{"id": oops',
            headers: { [HEADERS.id]: broken.id, [HEADERS.type]: 'OrderPlaced', [HEADERS.version]: '1', [HEADERS.stream]: 'customer-c-9', [HEADERS.position]: '80000', [HEADERS.revision]: '0' },
          },
          { ...breaksContract, value: JSON.stringify(payload) },
        ],
      });
      await producer.disconnect();
      await appendOrders(store, ['c-1'], 1);

      const runtime = await startProjector();
      await eventually(async () => (await readModel())['c-1']?.orders === 2, 'the valid orders applied');
      const parked = await eventually(async () => {
        const list = await runtime.parked('orders');
        return list.length === 2 ? list : undefined;
      }, 'two parked events');
      expect(parked.map((event) => event.eventId).sort()).toEqual([broken.id, payload.id].sort());

      const letters = await eventually(async () => {
        const read = await readTopic(broker().kafka, `${topic}.dlq`);
        return read.length === 3 ? read : undefined;
      }, 'three dead letters');
      expect(letters.map((letter) => letter.headers[DEAD_LETTER_HEADERS.code]).sort()).toEqual(['INVALID_EVENT', 'POISON_MESSAGE', 'POISON_MESSAGE']);
      expect(letters.every((letter) => letter.headers[DEAD_LETTER_HEADERS.group] === group('orders', 1) && letter.headers[DEAD_LETTER_HEADERS.error] !== '')).toBe(true);
      expect(letters.map((letter) => letter.value)).toContain('not a rapport event');
    });

    it('moves the PostgreSQL checkpoint past a batch of nothing but dead letters, so a restart sends none again', async () => {
      const producer = broker().kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'c-1', value: 'not a rapport event' }, { key: 'c-1', value: 'nor this' }] });
      await producer.disconnect();
      const first = await startProjector();
      const letters = await eventually(async () => {
        const read = await readTopic(broker().kafka, `${topic}.dlq`);
        return read.length === 2 ? read : undefined;
      }, 'two dead letters');
      const partition = `${topic}:${letters[0].headers[DEAD_LETTER_HEADERS.partition]}`;
      await eventually(async () => (await pgCheckpoints()).get(partition) === 2, 'the checkpoint past both letters', 10_000);
      await first.stop();

      await startProjector();
      await appendOrders(store, ['c-1'], 1);
      await eventually(async () => (await readModel())['c-1']?.orders === 1, 'the later order applied');
      expect(await readTopic(broker().kafka, `${topic}.dlq`)).toHaveLength(2);
    });

    it('names groups after projection and generation, whatever order two pods start them in, across a rebuild', async () => {
      const sameOffsets = async (projection: string, generation: number) =>
        JSON.stringify([...(await kafkaOffsets(group(projection, generation)))].sort()) === JSON.stringify([...(await pgCheckpoints(projection, generation))].sort());
      await appendOrders(store, customers, 2);
      const one = await startProjector(broker().kafka, [ordersProjection, revenueProjection]);
      const two = await startProjector(broker().kafka, [revenueProjection, ordersProjection]);
      const twoEach = Object.fromEntries(customers.map((customer) => [customer, ordersOf(2)]));
      await eventually(async () => JSON.stringify(await readModel('orders')) === JSON.stringify(twoEach), 'every order in orders', 15_000);
      await eventually(async () => JSON.stringify(await readModel('revenue')) === JSON.stringify(twoEach), 'every order in revenue');
      await eventually(() => sameOffsets('orders', 1), 'orders g1 offsets committed under its own group');
      await eventually(() => sameOffsets('revenue', 1), 'revenue g1 offsets committed under its own group');

      await one.rebuild('orders');
      await one.rebuildFinished('orders');
      await appendOrders(store, customers, 2);
      const fourEach = Object.fromEntries(customers.map((customer) => [customer, ordersOf(4)]));
      await eventually(async () => JSON.stringify(await readModel('orders')) === JSON.stringify(fourEach), 'every order in the rebuilt orders');
      await eventually(async () => JSON.stringify(await readModel('revenue')) === JSON.stringify(fourEach), 'every later order in revenue');
      expect((await pgCheckpoints('orders', 2)).size).toBeGreaterThan(0);
      await eventually(() => sameOffsets('orders', 2), 'the rebuilt generation consuming as its own group');
      await eventually(async () => (await two.status('orders'))[0].generation === 2, 'the other pod to follow to generation 2');
      await one.stop();
      await appendOrders(store, customers, 1);
      const fiveEach = Object.fromEntries(customers.map((customer) => [customer, ordersOf(5)]));
      await eventually(async () => JSON.stringify(await readModel('orders')) === JSON.stringify(fiveEach), 'the other pod alone feeding generation 2');
    });

    it('shares partitions between group members and hands them over when one leaves', async () => {
      await appendOrders(store, customers, 2);
      const one = await startProjector();
      await startProjector();
      await eventually(async () => Object.values(await readModel()).reduce((sum, c) => sum + c.orders, 0) === 12, 'both members working');

      await one.stop();
      await appendOrders(store, customers, 2);
      const expected = Object.fromEntries(customers.map((customer) => [customer, ordersOf(4)]));
      await eventually(async () => JSON.stringify(await readModel()) === JSON.stringify(expected), 'the remaining member to take every partition');
    });
  },
  { maxBatchSize: 4 },
);
