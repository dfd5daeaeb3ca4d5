import type { EventStore, RecordedEvent, Subscription } from '@rapport/event-store';
import { metrics } from '@rapport/platform';
import type { Message } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '../dead-letters';
import type { KafkaProducer, LogSink } from '../kafka-client';
import { DEFAULT_MAX_MESSAGE_BYTES, isMessageTooLarge, recordBatchBytes, recordBytes } from '../message-size';
import { toKafkaMessage } from '../messages';
import { CUSTOMER_EVENTS_TOPIC, DEAD_LETTER_TOPIC } from '../topics';
import type { RelayCheckpoints, RelayLease } from './relay-checkpoints';

export interface RelayOptions {
  readonly store: EventStore;
  /** Made with `idempotent: true`; the relay connects and disconnects it. See `relayProducerConfig`. */
  readonly producer: KafkaProducer;
  readonly checkpoints: RelayCheckpoints;
  /** Names the checkpoint and the lease; one per store-to-topic pipe. */
  readonly name?: string;
  readonly topic?: string;
  /** Where an event too large for the topic goes, without its payload. */
  readonly deadLetterTopic?: string;
  /** Most events per Kafka send (and per checkpoint write). */
  readonly batchSize?: number;
  /** The topic's max.message.bytes (`KAFKA_MAX_MESSAGE_BYTES`): sends are split to stay within it. */
  readonly maxMessageBytes?: number;
  /** Backoff after a failure, doubling from `initialMs` to `maxMs`. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /** How often a relay without the lease tries to take it. */
  readonly leasePollMs?: number;
  readonly log?: LogSink;
}

export type RelayState = 'starting' | 'standby' | 'publishing' | 'retrying' | 'stopped';

export interface RelayStatus {
  readonly state: RelayState;
  /** Store position of the last event the broker acknowledged (and the checkpoint recorded). */
  readonly acknowledgedPosition: number;
  readonly published: number;
  /** Events too large for the topic, sent to the dead-letter topic instead. */
  readonly deadLettered: number;
  readonly failures: number;
  readonly lastError?: string;
  readonly caughtUp: boolean;
}

/** What the relay asks of kafkajs for its producer: no duplicates on retry, no reordering. */
export const relayProducerConfig = { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false } as const;

const relayMetrics = () => ({
  published: metrics.counter({ name: 'rapport_relay_published_events_total', help: 'Events the broker acknowledged', labelNames: ['relay'] as const }),
  failures: metrics.counter({ name: 'rapport_relay_failures_total', help: 'Relay cycles that failed and were retried', labelNames: ['relay'] as const }),
  position: metrics.gauge({ name: 'rapport_relay_acknowledged_position', help: 'Store position of the last acknowledged event', labelNames: ['relay'] as const }),
  deadLettered: metrics.counter({
    name: 'rapport_relay_dead_lettered_events_total',
    help: 'Events too large for the topic, sent to the dead-letter topic without their payload',
    labelNames: ['relay'] as const,
  }),
  notUpcast: metrics.counter({
    name: 'rapport_relay_events_not_upcast_total',
    help: 'Events published as stored because the catalogue could not read them',
    labelNames: ['relay'] as const,
  }),
});

/**
 * Follows the event store's global log and publishes every event to Kafka, in log
 * order. The checkpoint advances only after the broker acknowledged the batch (acks=-1),
 * so a crash re-sends at most the unacknowledged tail, which consumers drop by stream
 * revision. Failures never stop it: it backs off and resumes from the checkpoint.
 */
export class Relay {
  private readonly name: string;
  private readonly topic: string;
  private readonly metrics = relayMetrics();
  private state: RelayState = 'starting';
  private acknowledgedPosition = 0;
  private published = 0;
  private deadLettered = 0;
  private failures = 0;
  private consecutiveFailures = 0;
  private lastError?: string;
  private subscription?: Subscription;
  private stopping = false;
  private wake?: () => void;
  private running?: Promise<void>;

  constructor(private readonly options: RelayOptions) {
    this.name = options.name ?? 'customer-events';
    this.topic = options.topic ?? CUSTOMER_EVENTS_TOPIC;
  }

  start(): this {
    this.running ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.subscription?.stop();
    await this.running;
    this.state = 'stopped';
  }

  status(): RelayStatus {
    return {
      state: this.state,
      acknowledgedPosition: this.acknowledgedPosition,
      published: this.published,
      deadLettered: this.deadLettered,
      failures: this.failures,
      caughtUp: this.state === 'publishing' && (this.subscription?.caughtUp ?? false),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private async run(): Promise<void> {
    const { producer, checkpoints, store } = this.options;
    let connected = false;
    while (!this.stopping) {
      let lease: RelayLease | undefined;
      try {
        if (!connected) {
          await producer.connect();
          connected = true;
        }
        lease = await checkpoints.tryLease(this.name);
        if (!lease) {
          this.state = 'standby';
          await this.pause(this.options.leasePollMs ?? 2_000);
          continue;
        }
        const saved = await checkpoints.load(this.name);
        this.acknowledgedPosition = saved?.position ?? 0;
        this.state = 'publishing';
        const subscription = store.subscribeToAll({
          from: saved?.checkpoint,
          batchSize: this.options.batchSize ?? 500,
          onEvents: (events) => this.publish(events),
        });
        this.subscription = subscription;
        const leaseLost = lease.lost.then(() => {
          throw new Error('lost the relay lease (PostgreSQL connection dropped)');
        });
        leaseLost.catch(() => undefined);
        await Promise.race([subscription.closed, leaseLost]).finally(() => subscription.stop());
      } catch (error) {
        if (this.stopping) break;
        this.recordFailure(error);
        this.state = 'retrying';
        const { initialMs, maxMs } = this.options.retry ?? { initialMs: 200, maxMs: 30_000 };
        await this.pause(Math.min(maxMs, initialMs * 2 ** Math.min(this.consecutiveFailures - 1, 20)));
      } finally {
        this.subscription = undefined;
        await lease?.release();
      }
    }
    if (connected) await producer.disconnect().catch(() => undefined);
  }

  private async publish(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const outgoing = events.map(toKafkaMessage);
    for (const [index, { notUpcast }] of outgoing.entries()) {
      if (!notUpcast) continue;
      this.metrics.notUpcast.inc({ relay: this.name });
      this.options.log?.warn({ eventId: events[index].id, type: events[index].type, reason: notUpcast }, 'publishing event as stored, not upcast');
    }
    const limit = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    let chunk: { event: RecordedEvent; message: Message }[] = [];
    let bytes = recordBatchBytes([]);
    for (const [index, { message }] of outgoing.entries()) {
      const size = recordBytes(message, chunk.length);
      if (chunk.length > 0 && bytes + size > limit) {
        await this.send(chunk, limit);
        chunk = [];
        bytes = recordBatchBytes([]);
      }
      chunk.push({ event: events[index], message });
      bytes += size;
    }
    if (chunk.length > 0) await this.send(chunk, limit);
  }

  /**
   * Sends events in order and moves the checkpoint past them. The broker may refuse a send
   * as too large although it looked small enough (the topic's limit is below the setting):
   * it is then halved until it fits, and a single event that fits nowhere is dead-lettered,
   * so that one event never stalls the relay.
   */
  private async send(chunk: readonly { event: RecordedEvent; message: Message }[], limit: number): Promise<void> {
    const messages = chunk.map((item) => item.message);
    if (chunk.length === 1 && recordBatchBytes(messages) > limit) return this.deadLetter(chunk[0], limit);
    try {
      // Resolves only once every in-sync replica has the batch; throws otherwise.
      await this.options.producer.send({ topic: this.topic, acks: -1, messages });
    } catch (error) {
      if (!isMessageTooLarge(error)) throw error;
      if (chunk.length === 1) return this.deadLetter(chunk[0], limit);
      const half = Math.ceil(chunk.length / 2);
      await this.send(chunk.slice(0, half), limit);
      return this.send(chunk.slice(half), limit);
    }
    await this.acknowledged(chunk.map((item) => item.event));
    this.published += chunk.length;
    this.metrics.published.inc({ relay: this.name }, chunk.length);
  }

  /** Keeps the key and headers (the event's identity) but not the payload, which is what did not fit; the store still has it. */
  private async deadLetter({ event, message }: { event: RecordedEvent; message: Message }, limit: number): Promise<void> {
    const bytes = recordBatchBytes([message]);
    await this.options.producer.send({
      topic: this.options.deadLetterTopic ?? DEAD_LETTER_TOPIC,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: null,
          headers: {
            ...message.headers,
            [DEAD_LETTER_HEADERS.error]: `event of ${bytes} bytes exceeds the topic's ${limit} (max.message.bytes); the event store keeps it`,
            [DEAD_LETTER_HEADERS.code]: 'MESSAGE_TOO_LARGE',
            [DEAD_LETTER_HEADERS.topic]: this.topic,
            [DEAD_LETTER_HEADERS.size]: String(bytes),
            [DEAD_LETTER_HEADERS.relay]: this.name,
            [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
          },
        },
      ],
    });
    await this.acknowledged([event]);
    this.deadLettered += 1;
    this.metrics.deadLettered.inc({ relay: this.name });
    this.options.log?.error(
      { eventId: event.id, type: event.type, stream: event.streamId, position: event.position, bytes, limit },
      'event too large for Kafka; sent to the dead-letter topic without its payload',
    );
  }

  private async acknowledged(events: readonly RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1];
    await this.options.checkpoints.save(this.name, { checkpoint: last.checkpoint, position: last.position });
    this.acknowledgedPosition = last.position;
    this.consecutiveFailures = 0;
    this.metrics.position.set({ relay: this.name }, last.position);
  }

  private recordFailure(error: unknown): void {
    this.failures += 1;
    this.consecutiveFailures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.metrics.failures.inc({ relay: this.name });
    this.options.log?.error({ err: error, attempt: this.consecutiveFailures }, 'relay failed; resuming from the last acknowledged checkpoint');
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
