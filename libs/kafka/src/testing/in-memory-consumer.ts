import { randomUUID } from 'node:crypto';
import type {
  ConsumerConfig,
  ConsumerEvents,
  IMemberAssignment,
  InstrumentationEvent,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  EachBatchPayload,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
} from 'kafkajs';
import type { KafkaConsumer } from '../kafka-client';
import { InMemoryKafkaError, type InMemoryKafka } from './in-memory-kafka';

type PartitionKey = `${string}#${number}`;
const keyOf = (topic: string, partition: number): PartitionKey => `${topic}#${partition}`;

/**
 * One consumer group: who is in it, who owns which partition, what was committed. A
 * single dispatch loop hands batches to members, never two at once for one partition,
 * and reassigns partitions only once every in-flight batch has finished, as Kafka's join
 * barrier does. After every rebalance each partition restarts from its committed offset,
 * so anything processed but not committed is delivered again, the worst case kafkajs allows.
 */
export class ConsumerGroup {
  private readonly committed = new Map<PartitionKey, number>();
  private readonly positions = new Map<PartitionKey, number>();
  private readonly inFlight = new Set<PartitionKey>();
  private readonly blockedUntil = new Map<PartitionKey, number>();
  private readonly pendingSeeks = new Map<PartitionKey, number>();
  private members: InMemoryConsumer[] = [];
  private assignment = new Map<InMemoryConsumer, { topic: string; partition: number }[]>();
  private rebalancePending = false;
  private generation = 0;
  private looping = false;
  private dirty = false;
  private waker?: () => void;

  constructor(
    private readonly kafka: InMemoryKafka,
    readonly groupId: string,
  ) {}

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(keyOf(topic, partition));
  }

  notify(): void {
    this.dirty = true;
    const wake = this.waker;
    this.waker = undefined;
    wake?.();
  }

  join(member: InMemoryConsumer): void {
    this.members.push(member);
    this.requestRebalance();
    if (!this.looping) void this.loop();
  }

  leave(member: InMemoryConsumer): void {
    this.members = this.members.filter((other) => other !== member);
    this.assignment.delete(member);
    this.requestRebalance();
  }

  requestRebalance(): void {
    this.rebalancePending = true;
    this.notify();
  }

  owns(member: InMemoryConsumer, topic: string, partition: number): boolean {
    return (this.assignment.get(member) ?? []).some((owned) => owned.topic === topic && owned.partition === partition);
  }

  commit(member: InMemoryConsumer, offsets: readonly TopicPartitionOffsetAndMetadata[]): void {
    for (const { topic, partition, offset } of offsets) {
      if (!this.owns(member, topic, partition)) {
        throw new InMemoryKafkaError(
          'KafkaJSProtocolError',
          `The coordinator is not aware of this member for ${topic}/${partition} (generation ${this.generation})`,
          'ILLEGAL_GENERATION',
        );
      }
      this.committed.set(keyOf(topic, partition), Number(offset));
    }
  }

  /** Moves the fetch position; during a batch, takes effect once that batch is done (its resolved offsets are dropped). */
  seek(member: InMemoryConsumer, topic: string, partition: number, offset: number): void {
    if (!this.owns(member, topic, partition)) return;
    const key = keyOf(topic, partition);
    if (this.inFlight.has(key)) this.pendingSeeks.set(key, offset);
    else this.positions.set(key, offset);
    this.notify();
  }

  private async loop(): Promise<void> {
    this.looping = true;
    while (this.members.length > 0) {
      if (this.rebalancePending && this.inFlight.size === 0) this.rebalance();
      if (!this.rebalancePending) this.dispatch();
      await this.sleep();
      // Let timers and I/O run between rounds, as a network fetch would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.looping = false;
  }

  private async sleep(): Promise<void> {
    if (!this.dirty) await new Promise<void>((resolve) => (this.waker = resolve));
    this.dirty = false;
  }

  private rebalance(): void {
    this.rebalancePending = false;
    this.generation += 1;
    this.assignment = new Map(this.members.map((member) => [member, []]));
    this.positions.clear();
    this.blockedUntil.clear();
    this.pendingSeeks.clear();
    const topics = [...new Set(this.members.flatMap((member) => member.topics))].sort();
    for (const topic of topics) {
      const subscribers = this.members.filter((member) => member.topics.includes(topic));
      for (let partition = 0; partition < this.kafka.partitionCount(topic); partition++) {
        const owner = subscribers[partition % subscribers.length];
        this.assignment.get(owner)!.push({ topic, partition });
        const committed = this.committed.get(keyOf(topic, partition));
        this.positions.set(keyOf(topic, partition), committed ?? (owner.fromBeginning ? 0 : this.kafka.endOffset(topic, partition)));
      }
    }
    const leader = this.members[0];
    for (const member of this.members) {
      const memberAssignment: IMemberAssignment = {};
      for (const { topic, partition } of this.assignment.get(member) ?? []) (memberAssignment[topic] ??= []).push(partition);
      member.emit(member.events.GROUP_JOIN, {
        duration: 0,
        groupId: this.groupId,
        isLeader: member === leader,
        leaderId: leader.memberId,
        groupProtocol: 'RoundRobinAssigner',
        memberId: member.memberId,
        memberAssignment,
      });
    }
  }

  private dispatch(): void {
    const now = Date.now();
    for (const member of this.members) {
      if (!member.running) continue;
      for (const { topic, partition } of this.assignment.get(member) ?? []) {
        const key = keyOf(topic, partition);
        if (member.busy >= member.concurrency) break;
        if (this.inFlight.has(key) || (this.blockedUntil.get(key) ?? 0) > now) continue;
        const from = this.positions.get(key) ?? 0;
        const end = this.kafka.endOffset(topic, partition);
        if (from < end) void this.process(member, topic, partition, from, Math.min(end, from + this.kafka.maxBatchSize));
      }
    }
  }

  private async process(member: InMemoryConsumer, topic: string, partition: number, from: number, to: number): Promise<void> {
    const key = keyOf(topic, partition);
    const generation = this.generation;
    this.inFlight.add(key);
    member.busy += 1;
    const run = member.runConfig!;
    const autoCommit = run.autoCommit ?? true;
    const messages = this.kafka.read(topic, partition, from, to);
    let resolved = from - 1;
    const current = () => this.generation === generation && !this.rebalancePending && member.running && !this.pendingSeeks.has(key);
    const commitResolved = () => {
      if (resolved >= from && this.owns(member, topic, partition)) this.committed.set(key, resolved + 1);
    };
    let failure: unknown;
    try {
      if (run.eachBatch) {
        const payload: EachBatchPayload = {
          batch: {
            topic,
            partition,
            highWatermark: String(this.kafka.endOffset(topic, partition)),
            messages,
            isEmpty: () => messages.length === 0,
            firstOffset: () => messages[0]?.offset ?? null,
            lastOffset: () => String(to - 1),
            offsetLag: () => String(this.kafka.endOffset(topic, partition) - to),
            offsetLagLow: () => String(this.kafka.endOffset(topic, partition) - from),
          },
          resolveOffset: (offset) => {
            resolved = Math.max(resolved, Number(offset));
          },
          heartbeat: async () => undefined,
          pause: () => () => undefined,
          commitOffsetsIfNecessary: async (offsets) => {
            if (offsets) this.commit(member, offsets.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p }))));
            else if (autoCommit) commitResolved();
          },
          uncommittedOffsets: () => ({
            topics: resolved >= from ? [{ topic, partitions: [{ partition, offset: String(resolved + 1) }] }] : [],
          }),
          isRunning: () => member.running,
          isStale: () => !current(),
        };
        await run.eachBatch(payload);
        if (run.eachBatchAutoResolve ?? true) resolved = to - 1;
      } else if (run.eachMessage) {
        for (const message of messages) {
          if (!current()) break;
          await run.eachMessage({ topic, partition, message, heartbeat: async () => undefined, pause: () => () => undefined });
          resolved = Number(message.offset);
        }
      }
      member.failures = 0;
    } catch (error) {
      failure = error;
    }

    if (this.generation === generation) {
      const sought = this.pendingSeeks.get(key);
      this.pendingSeeks.delete(key);
      if (sought !== undefined) this.positions.set(key, sought);
      else {
        this.positions.set(key, resolved + 1);
        if (autoCommit) commitResolved();
      }
    }
    this.inFlight.delete(key);
    member.busy -= 1;
    if (failure !== undefined) await this.fail(member, key, failure);
    this.notify();
  }

  private async fail(member: InMemoryConsumer, key: PartitionKey, error: unknown): Promise<void> {
    member.failures += 1;
    member.lastError = error;
    const retry = member.config.retry ?? {};
    if (member.failures <= (retry.retries ?? 5)) {
      const delay = Math.min((retry.initialRetryTime ?? 300) * 2 ** (member.failures - 1), retry.maxRetryTime ?? 30_000);
      this.blockedUntil.set(key, Date.now() + delay);
      setTimeout(() => this.notify(), delay).unref();
      return;
    }
    member.failures = 0;
    member.crashes += 1;
    const restart = retry.restartOnFailure ? await retry.restartOnFailure(error as Error) : true;
    member.emit(member.events.CRASH, { error, groupId: this.groupId, restart });
    // A crashed kafkajs consumer rejoins the group (or stops): either way its partitions restart from committed offsets.
    if (restart) this.requestRebalance();
    else await member.stop();
  }
}

/** kafkajs' Consumer as far as Rapport uses it, over an `InMemoryKafka`. */
export class InMemoryConsumer implements KafkaConsumer {
  topics: string[] = [];
  fromBeginning = false;
  runConfig?: ConsumerRunConfig;
  running = false;
  busy = 0;
  failures = 0;
  crashes = 0;
  lastError: unknown;
  readonly memberId = `rapport-${randomUUID()}`;
  readonly events: ConsumerEvents = {
    HEARTBEAT: 'consumer.heartbeat',
    COMMIT_OFFSETS: 'consumer.commit_offsets',
    GROUP_JOIN: 'consumer.group_join',
    FETCH_START: 'consumer.fetch_start',
    FETCH: 'consumer.fetch',
    START_BATCH_PROCESS: 'consumer.start_batch_process',
    END_BATCH_PROCESS: 'consumer.end_batch_process',
    CONNECT: 'consumer.connect',
    DISCONNECT: 'consumer.disconnect',
    STOP: 'consumer.stop',
    CRASH: 'consumer.crash',
    REBALANCING: 'consumer.rebalancing',
    RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
    REQUEST: 'consumer.network.request',
    REQUEST_TIMEOUT: 'consumer.network.request_timeout',
    REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
  };
  private readonly listeners = new Map<string, Set<(event: InstrumentationEvent<unknown>) => void>>();
  private connected = false;
  private readonly group: ConsumerGroup;

  constructor(
    private readonly kafka: InMemoryKafka,
    readonly config: ConsumerConfig,
  ) {
    this.group = kafka.group(config.groupId);
  }

  /** Only GROUP_JOIN, CRASH and STOP are ever emitted by the fake. */
  on(eventName: ConsumerEvents[keyof ConsumerEvents], listener: (event: InstrumentationEvent<never>) => void): () => void {
    const listeners = this.listeners.get(eventName) ?? new Set();
    this.listeners.set(eventName, listeners);
    listeners.add(listener as (event: InstrumentationEvent<unknown>) => void);
    return () => listeners.delete(listener as (event: InstrumentationEvent<unknown>) => void);
  }

  emit(type: string, payload: unknown): void {
    const event = { id: randomUUID(), type, timestamp: Date.now(), payload };
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  get concurrency(): number {
    return Math.max(1, this.runConfig?.partitionsConsumedConcurrently ?? 1);
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    if (!this.connected) throw new InMemoryKafkaError('KafkaJSError', 'The consumer is not connected');
    if (this.running) throw new InMemoryKafkaError('KafkaJSNonRetriableError', 'Cannot subscribe to topic while consumer is running');
    const topics = 'topics' in subscription ? subscription.topics : [subscription.topic];
    for (const topic of topics) {
      if (typeof topic !== 'string') throw new InMemoryKafkaError('KafkaJSNonRetriableError', 'InMemoryKafka supports topic names, not patterns');
      this.kafka.ensureTopicForConsumer(topic, this.config.allowAutoTopicCreation ?? true);
      if (!this.topics.includes(topic)) this.topics.push(topic);
    }
    this.fromBeginning = subscription.fromBeginning ?? false;
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (!this.connected) throw new InMemoryKafkaError('KafkaJSError', 'The consumer is not connected');
    if (this.running) throw new InMemoryKafkaError('KafkaJSNonRetriableError', 'Consumer is already running');
    this.runConfig = config;
    this.running = true;
    this.group.join(this);
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    if (!this.running) throw new InMemoryKafkaError('KafkaJSNonRetriableError', 'Consumer group was not initialized, consumer#run must be called first');
    this.group.seek(this, topic, partition, Number(offset));
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    if (!this.running) throw new InMemoryKafkaError('KafkaJSError', 'The consumer is not running');
    this.group.commit(this, offsets);
  }

  /** Stops fetching, lets in-flight batches finish, then leaves the group, as kafkajs does. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    while (this.busy > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    this.group.leave(this);
    this.emit(this.events.STOP, null);
  }

  async disconnect(): Promise<void> {
    await this.stop();
    this.connected = false;
  }
}
