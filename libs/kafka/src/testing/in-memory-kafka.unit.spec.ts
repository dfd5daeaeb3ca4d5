import type { EachBatchPayload } from 'kafkajs';
import { eventually } from './fixtures';
import { InMemoryKafka, murmur2 } from './in-memory-kafka';

describe('in-memory kafka', () => {
  it('partitions keys exactly as kafkajs\' default partitioner does', () => {
    // Only this spec loads kafkajs: the partitioner is the reference the fake must match.
    const { Partitioners } = jest.requireActual<typeof import('kafkajs')>('kafkajs');
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
    for (let i = 0; i < 2_000; i++) {
      const key = `customer-${i * 7919}-é`;
      const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
      expect((murmur2(Buffer.from(key)) & 0x7fffffff) % 12).toBe(expected);
    }
  });

  it('refuses what a one-broker cluster refuses', async () => {
    const kafka = new InMemoryKafka();
    const admin = kafka.admin();
    await expect(admin.createTopics({ topics: [{ topic: 't', numPartitions: 3, replicationFactor: 3 }] })).rejects.toMatchObject({ type: 'INVALID_REPLICATION_FACTOR' });
    expect(await admin.createTopics({ topics: [{ topic: 't', numPartitions: 3 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 't', numPartitions: 3 }] })).toBe(false);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await expect(producer.send({ topic: 'missing', messages: [{ value: 'x' }] })).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(producer.send({ topic: 't', acks: 1, messages: [{ value: 'x' }] })).rejects.toThrow(/idempotent/);
  });

  it('refuses a partition batch over max.message.bytes as a broker does, storing the partitions that fit', async () => {
    const kafka = new InMemoryKafka({ maxMessageBytes: 2_000 });
    await kafka.admin().createTopics({ topics: [{ topic: 'small', numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: '500' }] }, { topic: 'broker-limit' }] });
    const producer = kafka.producer();
    await producer.connect();
    const refusal = producer.send({ topic: 'small', messages: [{ partition: 0, value: 'x'.repeat(600) }, { partition: 1, value: 'fits' }] });
    await expect(refusal).rejects.toMatchObject({ name: 'KafkaJSNonRetriableError', cause: { type: 'MESSAGE_TOO_LARGE' } });
    expect(kafka.published('small').map((message) => message.value)).toEqual(['fits']);
    await expect(producer.send({ topic: 'broker-limit', messages: [{ value: 'x'.repeat(1_500) }] })).resolves.toHaveLength(1);
    await expect(producer.send({ topic: 'broker-limit', messages: [{ value: 'x'.repeat(2_000) }] })).rejects.toMatchObject({ cause: { type: 'MESSAGE_TOO_LARGE' } });
  });

  it('redelivers what a consumer did not resolve, and rejects commits for partitions it does not own', async () => {
    const kafka = new InMemoryKafka({ maxBatchSize: 10 });
    await kafka.admin().createTopics({ topics: [{ topic: 't', numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 't', messages: [1, 2, 3].map((n) => ({ key: 'k', value: String(n) })) });
    const partition = kafka.published('t')[0].partition;

    const seen: string[] = [];
    let resolveNothing = true;
    const consumer = kafka.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }: EachBatchPayload) => {
        seen.push(...batch.messages.map((message) => String(message.value)));
        if (resolveNothing) {
          resolveNothing = false;
          return;
        }
        resolveOffset(batch.lastOffset());
      },
    });
    await eventually(() => seen.length === 6, 'the batch twice');
    expect(seen).toEqual(['1', '2', '3', '1', '2', '3']);

    await consumer.commitOffsets([{ topic: 't', partition, offset: '3' }]);
    expect(kafka.committed('g', 't').get(partition)).toBe(3);
    const other = kafka.consumer({ groupId: 'g' });
    await other.connect();
    await other.subscribe({ topics: ['t'] });
    await other.run({ eachMessage: async () => undefined });
    await expect(other.commitOffsets([{ topic: 't', partition: 5, offset: '1' }])).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
    await Promise.all([consumer.disconnect(), other.disconnect()]);
  });

  it('splits partitions between members and restarts them from committed offsets after a rebalance', async () => {
    const kafka = new InMemoryKafka();
    await kafka.admin().createTopics({ topics: [{ topic: 't', numPartitions: 4 }] });
    const assignments: Record<string, number[]> = {};
    const members = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const consumer = kafka.consumer({ groupId: 'g' });
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => (assignments[name] = payload.memberAssignment.t ?? []));
        await consumer.connect();
        await consumer.subscribe({ topics: ['t'], fromBeginning: true });
        await consumer.run({ eachMessage: async () => undefined });
        return consumer;
      }),
    );
    await eventually(() => assignments.a?.length === 2 && assignments.b?.length === 2, 'two partitions each');
    expect([...assignments.a, ...assignments.b].sort()).toEqual([0, 1, 2, 3]);
    await members[0].disconnect();
    await eventually(() => assignments.b.length === 4, 'the survivor to own every partition');
    await members[1].disconnect();
  });
});
