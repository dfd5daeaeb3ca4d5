import type {
  AdminConfig,
  ConsumerConfig,
  FetchOffsetsPartition,
  IHeaders,
  ITopicConfig,
  ITopicMetadata,
  KafkaMessage,
  Message,
  ProducerConfig,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';
import type { KafkaAdmin, KafkaClient, KafkaConsumer, KafkaProducer } from '../kafka-client';
import { DEFAULT_MAX_MESSAGE_BYTES, recordBatchBytes } from '../message-size';
import { ConsumerGroup, InMemoryConsumer } from './in-memory-consumer';

export interface InMemoryKafkaOptions {
  /** Brokers in the pretend cluster; a replication factor above this is refused, as a real cluster does. */
  readonly brokers?: number;
  /** Most messages handed to one `eachBatch` call. */
  readonly maxBatchSize?: number;
  /** Mirrors the broker's auto.create.topics.enable; off, as in deploy/. */
  readonly autoCreateTopics?: boolean;
  /** The broker's message.max.bytes, for topics created without their own max.message.bytes. */
  readonly maxMessageBytes?: number;
}

interface StoredMessage {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

/** What a test reads back from a topic: the message as a consumer would decode it. */
export interface PublishedMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** An error shaped like kafkajs' own (`name`, `type`, `retriable`), so callers can branch the same way. */
export class InMemoryKafkaError extends Error {
  constructor(
    name: 'KafkaJSError' | 'KafkaJSProtocolError' | 'KafkaJSNonRetriableError',
    message: string,
    readonly type?: string,
    readonly retriable = false,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
  }
}

/**
 * A single-process stand-in for a Kafka cluster behind kafkajs' Producer, Consumer and
 * Admin interfaces: keyed partitioning with kafkajs' default (murmur2) partitioner,
 * consumer groups with rebalancing, committed offsets, redelivery of anything not
 * resolved, retries and crash-restart. It models what the Rapport code relies on, not
 * Kafka's timing, quotas, retention or transactions.
 */
export class InMemoryKafka implements KafkaClient {
  private readonly topics = new Map<string, StoredMessage[][]>();
  private readonly maxMessageBytes = new Map<string, number>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly brokers: number;
  readonly maxBatchSize: number;
  private readonly autoCreateTopics: boolean;
  private readonly brokerMaxMessageBytes: number;
  private roundRobin = 0;

  constructor(options: InMemoryKafkaOptions = {}) {
    this.brokers = options.brokers ?? 1;
    this.maxBatchSize = options.maxBatchSize ?? 50;
    this.autoCreateTopics = options.autoCreateTopics ?? false;
    this.brokerMaxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  producer(config: ProducerConfig = {}): KafkaProducer {
    let connected = false;
    return {
      connect: async () => {
        connected = true;
      },
      disconnect: async () => {
        connected = false;
      },
      send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
        if (!connected) throw new InMemoryKafkaError('KafkaJSError', 'The producer is disconnected');
        if (config.idempotent && record.acks !== undefined && record.acks !== -1) {
          throw new InMemoryKafkaError('KafkaJSNonRetriableError', "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees");
        }
        return this.append(record.topic, record.messages, config.allowAutoTopicCreation ?? true);
      },
    };
  }

  consumer(config: ConsumerConfig): KafkaConsumer {
    return new InMemoryConsumer(this, config);
  }

  admin(_config?: AdminConfig): KafkaAdmin {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => [...this.topics.keys()],
      createTopics: async ({ topics }) => this.createTopics(topics),
      fetchTopicMetadata: async (options) => ({
        topics: (options?.topics ?? [...this.topics.keys()]).map((name): ITopicMetadata => ({
          name,
          partitions: this.partitionsOf(name).map((_, partitionId) => ({
            partitionErrorCode: 0,
            partitionId,
            leader: 0,
            replicas: [0],
            isr: [0],
          })),
        })),
      }),
      fetchOffsets: async ({ groupId, topics }) =>
        (topics ?? [...this.topics.keys()]).map((topic) => ({
          topic,
          partitions: this.partitionsOf(topic).map((_, partition): FetchOffsetsPartition => {
            const committed = this.groups.get(groupId)?.committedOffset(topic, partition);
            return { partition, offset: committed === undefined ? '-1' : String(committed), metadata: null };
          }),
        })),
      fetchTopicOffsets: async (topic) =>
        this.partitionsOf(topic).map((messages, partition) => ({
          partition,
          offset: String(messages.length),
          high: String(messages.length),
          low: '0',
        })),
    };
  }

  /** Everything on a topic, in partition then offset order. */
  published(topic: string): PublishedMessage[] {
    return this.partitionsOf(topic).flatMap((messages, partition) =>
      messages.map((message) => ({
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? null,
        headers: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, String(value)])),
      })),
    );
  }

  /** The group's committed offset per partition (the next offset it will read). */
  committed(groupId: string, topic: string): Map<number, number> {
    const offsets = new Map<number, number>();
    this.partitionsOf(topic).forEach((_, partition) => {
      const offset = this.groups.get(groupId)?.committedOffset(topic, partition);
      if (offset !== undefined) offsets.set(partition, offset);
    });
    return offsets;
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  partitionCount(topic: string): number {
    return this.partitionsOf(topic).length;
  }

  endOffset(topic: string, partition: number): number {
    return this.partitionsOf(topic)[partition]?.length ?? 0;
  }

  read(topic: string, partition: number, from: number, to: number): KafkaMessage[] {
    return this.partitionsOf(topic)[partition].slice(from, to).map((message) => ({
      key: message.key,
      value: message.value,
      timestamp: message.timestamp,
      attributes: 0,
      offset: String(message.offset),
      headers: message.headers,
    }));
  }

  group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ConsumerGroup(this, groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  ensureTopicForConsumer(topic: string, allowAutoTopicCreation: boolean): void {
    if (this.topics.has(topic)) return;
    if (this.autoCreateTopics && allowAutoTopicCreation) this.topics.set(topic, [[]]);
    else throw unknownTopic(topic);
  }

  private partitionsOf(topic: string): StoredMessage[][] {
    const partitions = this.topics.get(topic);
    if (!partitions) throw unknownTopic(topic);
    return partitions;
  }

  private createTopics(topics: ITopicConfig[]): boolean {
    for (const { topic, numPartitions = 1, replicationFactor = 1 } of topics) {
      if (replicationFactor > this.brokers) {
        throw new InMemoryKafkaError(
          'KafkaJSProtocolError',
          `Replication factor: ${replicationFactor} larger than available brokers: ${this.brokers}.`,
          'INVALID_REPLICATION_FACTOR',
        );
      }
      if (!Number.isInteger(numPartitions) || (numPartitions < 1 && numPartitions !== -1)) {
        throw new InMemoryKafkaError('KafkaJSProtocolError', `Number of partitions must be larger than 0 for ${topic}`, 'INVALID_PARTITIONS');
      }
    }
    const missing = topics.filter(({ topic }) => !this.topics.has(topic));
    for (const { topic, numPartitions = 1, configEntries = [] } of missing) {
      this.topics.set(topic, Array.from({ length: Math.max(1, numPartitions) }, () => []));
      const limit = configEntries.find((entry) => entry.name === 'max.message.bytes');
      if (limit) this.maxMessageBytes.set(topic, Number(limit.value));
    }
    return missing.length > 0;
  }

  private append(topic: string, messages: readonly Message[], allowAutoTopicCreation: boolean): RecordMetadata[] {
    if (!this.topics.has(topic)) {
      if (this.autoCreateTopics && allowAutoTopicCreation) this.topics.set(topic, [[]]);
      else throw unknownTopic(topic);
    }
    const partitions = this.partitionsOf(topic);
    const perPartition = new Map<number, Message[]>();
    for (const message of messages) {
      const partition = this.partitionFor(message, partitions.length);
      perPartition.set(partition, [...(perPartition.get(partition) ?? []), message]);
    }
    // As a broker does: each partition's batch is checked on its own, so the ones that fit are stored even when another is refused.
    const limit = this.maxMessageBytes.get(topic) ?? this.brokerMaxMessageBytes;
    const refused = [...perPartition].filter(([, batch]) => recordBatchBytes(batch) > limit).map(([partition]) => partition);
    const baseOffsets = new Map<number, number>();
    const timestamp = String(Date.now());
    for (const [partition, batch] of perPartition) {
      if (refused.includes(partition)) continue;
      const log = partitions[partition];
      baseOffsets.set(partition, log.length);
      for (const message of batch) {
        log.push({
          offset: log.length,
          key: toBuffer(message.key),
          value: toBuffer(message.value),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, Array.isArray(value) ? value.map(toBuffer) : toBuffer(value)]),
          ) as IHeaders,
          timestamp: message.timestamp ?? timestamp,
        });
      }
    }
    if (refused.length > 0) {
      for (const group of this.groups.values()) group.notify();
      const reason = 'The request included a message larger than the max message size the server will accept';
      // kafkajs does not retry it and hands it over wrapped.
      throw new InMemoryKafkaError('KafkaJSNonRetriableError', reason, undefined, false, new InMemoryKafkaError('KafkaJSProtocolError', reason, 'MESSAGE_TOO_LARGE'));
    }
    for (const group of this.groups.values()) group.notify();
    return [...baseOffsets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, baseOffset]) => ({
        topicName: topic,
        partition,
        errorCode: 0,
        baseOffset: String(baseOffset),
        logAppendTime: '-1',
        logStartOffset: '0',
      }));
  }

  private partitionFor(message: Message, count: number): number {
    if (message.partition !== undefined && message.partition !== null) {
      if (message.partition < 0 || message.partition >= count) throw new InMemoryKafkaError('KafkaJSProtocolError', 'This server does not host this topic-partition', 'UNKNOWN_TOPIC_OR_PARTITION', true);
      return message.partition;
    }
    if (message.key !== undefined && message.key !== null) return (murmur2(toBuffer(message.key) ?? Buffer.alloc(0)) & 0x7fffffff) % count;
    this.roundRobin = (this.roundRobin + 1) % count;
    return this.roundRobin;
  }
}

function unknownTopic(topic: string): InMemoryKafkaError {
  return new InMemoryKafkaError('KafkaJSProtocolError', `This server does not host this topic-partition (${topic})`, 'UNKNOWN_TOPIC_OR_PARTITION', true);
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
}

/** Kafka's murmur2 (the Java client's, which kafkajs' default partitioner copies), in 32-bit arithmetic. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  for (let i = 0; i + 4 <= length; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
