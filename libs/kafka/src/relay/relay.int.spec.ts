import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { exampleEvent, parseEvent, toStoredEvent, type EventOf } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { DEAD_LETTER_HEADERS } from '../dead-letters';
import { HEADERS } from '../messages';
import { ensureTopics } from '../topics';
import { describeWithBrokers, type Broker } from '../testing/brokers';
import { FaultyKafka } from '../testing/faults';
import { appendOrders, eventually, orderPlaced, readTopic, uniqueTopic, type ReadMessage } from '../testing/fixtures';
import type { KafkaClient } from '../kafka-client';
import { Relay, relayProducerConfig } from './relay';
import { RelayCheckpoints } from './relay-checkpoints';

const FAST_RETRY = { initialMs: 5, maxMs: 20 };
const NO_RETRY_DURING_TEST = { initialMs: 600_000, maxMs: 600_000 };
/** The test topics' max.message.bytes: a few orders fill it. */
const SMALL_TOPIC_BYTES = 4_096;

describeWithBrokers('relay', (broker: () => Broker) => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let checkpoints: RelayCheckpoints;
  let topic: string;
  const relays: Relay[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('relay');
    pool = new Pool({ connectionString: database.url, max: 6 });
    // Dropping the test database ends connections a pool may still hold idle; that is no test failure.
    pool.on('error', () => undefined);
    store = await createPostgresEventStore({ connectionString: database.url, pollIntervalMs: 10 });
    checkpoints = await RelayCheckpoints.open(pool);
    topic = uniqueTopic();
    await ensureTopics(broker().kafka.admin(), [topic, `${topic}.dlq`], { partitions: 4, replicationFactor: 1, maxMessageBytes: SMALL_TOPIC_BYTES });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await store.close();
    await pool.end();
    await database.drop();
  });

  function startRelay(kafka: KafkaClient, options: { retry?: typeof FAST_RETRY; batchSize?: number; maxMessageBytes?: number } = {}): Relay {
    const relay = new Relay({
      store,
      producer: kafka.producer(relayProducerConfig),
      checkpoints,
      topic,
      deadLetterTopic: `${topic}.dlq`,
      maxMessageBytes: options.maxMessageBytes,
      batchSize: options.batchSize ?? 7,
      retry: options.retry ?? FAST_RETRY,
      leasePollMs: 10,
    }).start();
    relays.push(relay);
    return relay;
  }

  const acknowledged = (relay: Relay, position: number) => () => relay.status().acknowledgedPosition >= position;

  it('publishes every event in log order, keyed by customer, with the contract headers and payload', async () => {
    const ids = await appendOrders(store, ['c-1', 'c-2', 'c-3'], 5);
    const visit = { ...exampleEvent('VisitRecorded'), id: randomUUID(), customerId: undefined, anonymousId: 'anon-7' } as EventOf<'VisitRecorded'>;
    await store.append('visitor-anon-7', [toStoredEvent(visit, new Date().toISOString())]);
    // A service's own decision event: not in the catalogue, so it goes out as stored.
    await store.append('loyalty-c-1', [{ id: randomUUID(), type: 'PointsEarned', data: { points: 12 }, metadata: { customerId: 'c-1', version: 1 } }]);
    const head = await store.headPosition();

    const relay = startRelay(broker().kafka);
    await eventually(acknowledged(relay, head), 'the relay to reach the head');

    const messages = await readTopic(broker().kafka, topic);
    expect(messages).toHaveLength(ids.length + 2);
    const byId = new Map(messages.map((message) => [message.headers[HEADERS.id], message]));
    expect(new Set(byId.keys()).size).toBe(messages.length);

    const recorded = await store.readAll();
    for (const event of recorded) {
      const message = byId.get(event.id)!;
      expect(message.headers).toMatchObject({
        [HEADERS.type]: event.type,
        [HEADERS.version]: '1',
        [HEADERS.stream]: event.streamId,
        [HEADERS.position]: String(event.position),
        [HEADERS.revision]: String(event.revision),
      });
    }
    expect(byId.get(ids[0])!.key).toBe('c-1');
    expect(messages.find((message) => message.headers[HEADERS.type] === 'VisitRecorded')!.key).toBe('anon-7');
    expect(messages.find((message) => message.headers[HEADERS.type] === 'PointsEarned')!.key).toBe('c-1');

    // The payload is the envelope the contracts describe, plus receivedAt.
    const { receivedAt, ...envelope } = JSON.parse(byId.get(ids[0])!.value!);
    expect(typeof receivedAt).toBe('string');
    expect(parseEvent(envelope)).toMatchObject({ ok: true, event: { id: ids[0], customerId: 'c-1', type: 'OrderPlaced' } });

    // One customer, one partition, positions rising.
    for (const key of ['c-1', 'c-2', 'c-3']) {
      const ofKey = messages.filter((message) => message.key === key);
      expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
      const positions = ofKey.map((message) => Number(message.headers[HEADERS.position]));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(await checkpoints.load('customer-events')).toMatchObject({ position: head });
  });

  it('advances the checkpoint only after the broker acknowledged', async () => {
    await appendOrders(store, ['c-1'], 3);
    const faulty = new FaultyKafka(broker().kafka).refuseNextSend();
    const failing = startRelay(faulty, { retry: NO_RETRY_DURING_TEST });
    await eventually(() => failing.status().failures === 1, 'the refused send');

    expect(await checkpoints.load('customer-events')).toBeUndefined();
    expect(failing.status()).toMatchObject({ state: 'retrying', acknowledgedPosition: 0, published: 0 });
    expect(await readTopic(broker().kafka, topic)).toHaveLength(0);
    await failing.stop();

    const head = await store.headPosition();
    const relay = startRelay(broker().kafka);
    await eventually(acknowledged(relay, head), 'the second relay to reach the head');
    expect(await readTopic(broker().kafka, topic)).toHaveLength(3);
  });

  it('re-sends at most the unacknowledged tail after a restart', async () => {
    const acked = await appendOrders(store, ['c-1', 'c-2'], 4);
    const faulty = new FaultyKafka(broker().kafka);
    const first = startRelay(faulty, { retry: NO_RETRY_DURING_TEST, batchSize: 100 });
    await eventually(acknowledged(first, await store.headPosition()), 'the first batch to be acknowledged');

    // Written in one transaction so that the relay sends it as one batch.
    faulty.loseAckOfNextSend();
    const tailEvents = { 'c-1': [orderPlaced('c-1'), orderPlaced('c-1')], 'c-2': [orderPlaced('c-2')] };
    await store.appendMany(Object.entries(tailEvents).map(([customer, events]) => ({ streamId: `customer-${customer}`, expectedRevision: 'any', events })));
    const tail = Object.values(tailEvents).flatMap((events) => events.map((event) => event.id));
    await eventually(() => first.status().failures === 1, 'the lost acknowledgement');
    await first.stop();

    const head = await store.headPosition();
    const second = startRelay(broker().kafka, { batchSize: 100 });
    await eventually(acknowledged(second, head), 'the restarted relay to reach the head');

    const messages = await readTopic(broker().kafka, topic);
    const copies = countById(messages);
    for (const id of acked) expect(copies.get(id)).toBe(1);
    for (const id of tail) expect(copies.get(id)).toBe(2);

    // What a consumer keeps after dropping what it has seen (highest revision per stream):
    // every event exactly once, each customer's in order.
    const kept = dropDuplicates(messages);
    expect(kept.map((message) => message.headers[HEADERS.id]).sort()).toEqual([...acked, ...tail].sort());
  });

  /** Orders around one event too large for the topic; returns the orders' ids and the large one's. */
  async function ordersAroundALargeEvent(): Promise<{ orders: string[]; large: string }> {
    const before = await appendOrders(store, ['c-1', 'c-2'], 5);
    const large = randomUUID();
    // A service's own event type, published as stored: only its size matters.
    await store.append('customer-c-1', [{ id: large, type: 'NoteTaken', data: { text: 'x'.repeat(3 * SMALL_TOPIC_BYTES) }, metadata: { customerId: 'c-1', version: 1 } }]);
    const after = await appendOrders(store, ['c-1', 'c-2'], 2);
    return { orders: [...before, ...after], large };
  }

  async function expectDeadLettered(relay: Relay, large: string): Promise<void> {
    const [letter, ...more] = await readTopic(broker().kafka, `${topic}.dlq`);
    expect(more).toHaveLength(0);
    expect(letter.headers).toMatchObject({ [HEADERS.id]: large, [DEAD_LETTER_HEADERS.code]: 'MESSAGE_TOO_LARGE', [DEAD_LETTER_HEADERS.topic]: topic });
    expect(Number(letter.headers[DEAD_LETTER_HEADERS.size])).toBeGreaterThan(SMALL_TOPIC_BYTES);
    expect(letter.value).toBeNull();
    expect(relay.status()).toMatchObject({ deadLettered: 1 });
  }

  it('keeps each send within max.message.bytes and dead-letters an event larger than that, then carries on', async () => {
    const { orders, large } = await ordersAroundALargeEvent();
    const head = await store.headPosition();
    const relay = startRelay(broker().kafka, { batchSize: 100, maxMessageBytes: SMALL_TOPIC_BYTES });
    await eventually(acknowledged(relay, head), 'the relay to pass the large event');

    const messages = await readTopic(broker().kafka, topic);
    expect(messages.map((message) => message.headers[HEADERS.id]).sort()).toEqual([...orders].sort());
    await expectDeadLettered(relay, large);
    expect(relay.status().failures).toBe(0);
    expect(await checkpoints.load('customer-events')).toMatchObject({ position: head });
  });

  it('splits sends the broker refuses when its limit is below the configured one', async () => {
    const { orders, large } = await ordersAroundALargeEvent();
    const head = await store.headPosition();
    const relay = startRelay(broker().kafka, { batchSize: 100 });
    await eventually(acknowledged(relay, head), 'the relay to pass the large event');

    // Partitions whose part of a refused send fitted were stored; consumers drop those copies by revision.
    const kept = dropDuplicates(await readTopic(broker().kafka, topic));
    expect(kept.map((message) => message.headers[HEADERS.id]).sort()).toEqual([...orders].sort());
    await expectDeadLettered(relay, large);
  });

  it('lets one relay publish at a time; a standby takes over from the checkpoint', async () => {
    await appendOrders(store, ['c-1', 'c-2'], 3);
    const leader = startRelay(broker().kafka);
    await eventually(acknowledged(leader, await store.headPosition()), 'the leader to publish');
    const standby = startRelay(broker().kafka);
    await eventually(() => standby.status().state === 'standby', 'the second relay to wait');

    await leader.stop();
    const more = await appendOrders(store, ['c-3'], 2);
    await eventually(acknowledged(standby, await store.headPosition()), 'the standby to take over');
    expect(standby.status().published).toBe(more.length);
    expect(await readTopic(broker().kafka, topic)).toHaveLength(8);
  });
});

function countById(messages: readonly ReadMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of messages) counts.set(message.headers[HEADERS.id], (counts.get(message.headers[HEADERS.id]) ?? 0) + 1);
  return counts;
}

function dropDuplicates(messages: readonly ReadMessage[]): ReadMessage[] {
  const applied = new Map<string, number>();
  return messages.filter((message) => {
    const stream = message.headers[HEADERS.stream];
    const revision = Number(message.headers[HEADERS.revision]);
    if (revision <= (applied.get(stream) ?? -1)) return false;
    applied.set(stream, revision);
    return true;
  });
}
