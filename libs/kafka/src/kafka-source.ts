import type { ConsumerConfig, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { fromRecordedEvent, InvalidEventError } from '@rapport/contracts';
import type { EventSource, SourceEvent, SourceHandler, SourceRun } from '@rapport/projections';
import { DeadLetters, type DeadLetter } from './dead-letters';
import { CheckpointExpiredError, PoisonMessageError } from './errors';
import type { KafkaClient, KafkaConsumer, LogSink } from './kafka-client';
import { fromKafkaMessage, identityOf } from './messages';
import { CUSTOMER_EVENTS_TOPIC, DEAD_LETTER_TOPIC } from './topics';

export interface KafkaSourceOptions {
  readonly kafka: KafkaClient;
  /**
   * Base of the consumer-group names, e.g. `rapport.projector.timeline`. Each generation of
   * each projection gets its own group, `<groupId>.<projection>.g<generation>`, the same in
   * every process whatever the start order: members feeding one generation share its
   * partitions, while a rebuild reading the topic from the start beside the live generation
   * needs every partition too. PostgreSQL checkpoints, not the group's offsets, decide where
   * reading resumes.
   */
  readonly groupId: string;
  readonly topic?: string;
  readonly deadLetterTopic?: string;
  /** Partitions this process works on at once; each one stays strictly in order. */
  readonly partitionsConsumedConcurrently?: number;
  /** Newest store position, for lag in events (the projector usually passes `store.headPosition`). */
  readonly headPosition?: () => Promise<number | undefined>;
  /**
   * Turns the events of a batch as the topic carries them into what the projections read, in
   * the same order: opening personal fields sealed at rest (`openingSource`'s job in scaled mode).
   */
  readonly open?: (events: readonly SourceEvent[]) => Promise<readonly SourceEvent[]>;
  /** Extra kafkajs consumer settings (session timeout, retry, …). */
  readonly consumer?: Partial<Omit<ConsumerConfig, 'groupId'>>;
  readonly log?: LogSink;
}

/**
 * The projection runtime's source for scaled mode: one consumer-group member per
 * projection generation per process. Each partition is handed to the runtime batch by batch, in
 * offset order; the runtime commits the read-model change together with the batch's
 * checkpoint (the next offset) in PostgreSQL, and only then is the offset committed to
 * Kafka. PostgreSQL is the truth: on every (re)assignment the source resumes exactly after
 * the stored checkpoint, seeking back or skipping ahead of whatever Kafka remembered.
 */
export function kafkaSource(options: KafkaSourceOptions): EventSource {
  const topic = options.topic ?? CUSTOMER_EVENTS_TOPIC;
  return {
    name: `kafka:${topic}`,
    headPosition: async () => options.headPosition?.(),
    start(handler: SourceHandler): SourceRun {
      const groupId = consumerGroupOf(options.groupId, handler);
      return new KafkaSourceRun(options, topic, groupId, handler);
    },
  };
}

/** The consumer group that feeds one generation of one projection, in every process alike. */
export function consumerGroupOf(base: string, reader: { readonly projection: string; readonly generation: number }): string {
  return `${base}.${reader.projection}.g${reader.generation}`;
}

class KafkaSourceRun implements SourceRun {
  readonly closed: Promise<void>;
  private readonly consumer: KafkaConsumer;
  private readonly deadLetters: DeadLetters;
  /** Per partition: the offset the next batch should start at, as far as this member knows. */
  private readonly expected = new Map<number, number>();
  private readonly soughtTo = new Map<number, number>();
  private readonly lag = new Map<number, number>();
  private joined = false;
  private stopped = false;
  private failure: unknown;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(
    private readonly options: KafkaSourceOptions,
    private readonly topic: string,
    groupId: string,
    private readonly handler: SourceHandler,
  ) {
    this.consumer = options.kafka.consumer({ allowAutoTopicCreation: false, ...options.consumer, groupId });
    this.deadLetters = new DeadLetters(
      options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
      groupId,
      options.deadLetterTopic ?? DEAD_LETTER_TOPIC,
    );
    this.closed = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.closed.catch(() => undefined);
    void this.begin().catch((error) => this.fail(error));
  }

  /** Every partition assigned to this member is drained (a member without partitions has nothing to wait for). */
  get caughtUp(): boolean {
    return this.joined && this.failure === undefined && [...this.lag.values()].every((lag) => lag === 0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.closed.catch(() => undefined);
    this.stopped = true;
    // Waits for in-flight batches, then leaves the group so partitions move to other members.
    await this.consumer.disconnect().catch((error) => this.options.log?.warn({ err: error }, 'kafka consumer did not disconnect cleanly'));
    await this.deadLetters.disconnect().catch(() => undefined);
    if (this.failure === undefined) this.settle.resolve();
    else this.settle.reject(this.failure);
  }

  private async begin(): Promise<void> {
    await this.consumer.connect();
    await this.deadLetters.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.onAssigned(payload.memberAssignment[this.topic] ?? []).catch((error) => this.fail(error));
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Per the source contract: a failure ends the run; the runtime restarts it from the PostgreSQL checkpoints. */
  private fail(error: unknown): void {
    if (this.failure !== undefined || this.stopped) return;
    this.failure = error;
    this.settle.reject(error);
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopped || this.failure !== undefined || !isRunning() || isStale() || batch.messages.length === 0) return;
    const partition = batch.partition;
    try {
      const first = Number(batch.messages[0].offset);
      let expected = this.expected.get(partition);
      // Anything unexpected (new assignment, another member moved on, a restart) is settled by PostgreSQL.
      if (expected === undefined || first !== expected) expected = await this.resumeOffset(partition);
      if (first > expected) {
        if (this.soughtTo.get(partition) === expected) throw new CheckpointExpiredError(this.partitionName(partition), expected, first);
        this.soughtTo.set(partition, expected);
        this.expected.delete(partition);
        this.consumer.seek({ topic: this.topic, partition, offset: String(expected) });
        return;
      }
      this.soughtTo.delete(partition);

      const messages = batch.messages.filter((message) => Number(message.offset) >= expected!);
      const next = Number(batch.lastOffset()) + 1;
      if (messages.length > 0) await this.deliver(partition, messages, next);
      this.expected.set(partition, next);
      this.lag.set(partition, Math.max(0, Number(batch.highWatermark) - next));
      resolveOffset(batch.lastOffset());
      await this.commit(partition, next);
      await heartbeat();
    } catch (error) {
      this.expected.delete(partition);
      this.fail(error);
    }
  }

  private async deliver(partition: number, messages: readonly KafkaMessage[], next: number): Promise<void> {
    const read = messages.map((message) => ({ message, ...this.read(partition, message) }));
    const delivered = read.filter((entry): entry is typeof entry & { event: SourceEvent } => entry.event !== undefined);
    // Sealed personal fields are opened before the contract check: the contract describes the plain values.
    const opened = this.options.open ? await this.options.open(delivered.map((entry) => entry.event)) : delivered.map((entry) => entry.event);
    delivered.forEach((entry, index) => {
      entry.event = opened[index]!;
      if (!entry.letter) entry.letter = this.contractBreak(partition, entry.message, entry.event);
    });
    const events = delivered.map((entry) => entry.event);
    const letters = read.flatMap((entry) => (entry.letter ? [entry.letter] : []));
    await this.deadLetters.send(letters);
    for (const letter of letters) {
      this.options.log?.warn({ partition: this.partitionName(partition), offset: letter.message.offset, code: letter.code, error: letter.error }, 'dead-lettered a message');
    }
    // Also when every message was dead-lettered: the checkpoint must pass them, or each restart sends them again.
    await this.handler.apply({ partition: this.partitionName(partition), events, checkpoint: String(next) });
  }

  /**
   * A message that is no Rapport event goes to the dead-letter topic only. One that is
   * identifiable but unreadable also goes on to the runtime with its payload removed, so
   * the projection's decode rejects it and the runtime parks it.
   */
  private read(partition: number, message: KafkaMessage): { event?: SourceEvent; letter?: DeadLetter } {
    const letterFor = (code: string, error: unknown): DeadLetter => ({
      topic: this.topic,
      partition,
      message,
      code,
      error: error instanceof Error ? error.message : String(error),
    });
    let event: SourceEvent;
    try {
      event = fromKafkaMessage(message);
    } catch (error) {
      if (!(error instanceof PoisonMessageError)) throw error;
      const identity = identityOf(message);
      const { id, type, streamId, revision, position } = identity;
      if (id === undefined || type === undefined || streamId === undefined || revision === undefined || position === undefined) {
        return { letter: letterFor(error.code, error) };
      }
      const placeholder: SourceEvent = {
        id,
        type,
        streamId,
        revision,
        position,
        data: null,
        metadata: { poison: error.message },
        recordedAt: new Date(Number(message.timestamp)).toISOString(),
        checkpoint: String(Number(message.offset) + 1),
      };
      return { event: placeholder, letter: letterFor(error.code, error) };
    }
    return { event };
  }

  /** The dead letter for an event that breaks its contract, if it does. */
  private contractBreak(partition: number, message: KafkaMessage, event: SourceEvent): DeadLetter | undefined {
    try {
      fromRecordedEvent(event);
    } catch (error) {
      // Unknown types are services' own events, which their projections decode; only contract breaks are poison.
      if (error instanceof InvalidEventError) return { topic: this.topic, partition, message, code: error.code, error: error.message };
    }
    return undefined;
  }

  /**
   * On every (re)assignment, points each partition at its PostgreSQL checkpoint, whatever
   * offset the group had committed: Kafka may be behind (a crash before the commit) or
   * ahead (a reset read model).
   */
  private async onAssigned(partitions: readonly number[]): Promise<void> {
    const watermarks = await this.watermarks();
    this.lag.clear();
    for (const partition of partitions) {
      const start = await this.resumeOffset(partition, watermarks);
      this.expected.set(partition, start);
      this.lag.set(partition, Math.max(0, (watermarks.get(partition)?.high ?? 0) - start));
      if (!this.stopped) this.consumer.seek({ topic: this.topic, partition, offset: String(start) });
    }
    this.joined = true;
  }

  /** Where PostgreSQL says this partition resumes; the oldest retained offset when it has no checkpoint yet. */
  private async resumeOffset(partition: number, watermarks?: Map<number, { low: number; high: number }>): Promise<number> {
    const checkpoint = await this.handler.checkpointFor(this.partitionName(partition));
    if (checkpoint !== undefined) return Number(checkpoint);
    return (watermarks ?? (await this.watermarks())).get(partition)?.low ?? 0;
  }

  private async watermarks(): Promise<Map<number, { low: number; high: number }>> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.map((entry) => [entry.partition, { low: Number(entry.low), high: Number(entry.high) }]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Tells Kafka how far this group got. Only a hint (PostgreSQL is the truth), so a failure is logged, not fatal. */
  private async commit(partition: number, next: number): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic: this.topic, partition, offset: String(next) }]);
    } catch (error) {
      this.options.log?.warn({ err: error, partition: this.partitionName(partition), offset: next }, 'could not commit the offset to Kafka; PostgreSQL has it');
    }
  }

  private partitionName(partition: number): string {
    return `${this.topic}:${partition}`;
  }
}
