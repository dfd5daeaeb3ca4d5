import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaProducer } from './kafka-client';
import { DEAD_LETTER_TOPIC } from './topics';

/** Headers a dead letter carries besides the original message's own. */
export const DEAD_LETTER_HEADERS = {
  error: 'dlq-error',
  code: 'dlq-error-code',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  group: 'dlq-consumer-group',
  at: 'dlq-at',
  /** Set by the relay for an event too large to publish: its size as a record, and which relay. */
  size: 'dlq-original-bytes',
  relay: 'dlq-relay',
} as const;

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  /** `POISON_MESSAGE` (not a Rapport event message) or `INVALID_EVENT` (breaks its type's contract). */
  readonly code: string;
  readonly error: string;
}

/**
 * Copies unusable messages, byte for byte and with the reason, to the dead-letter topic,
 * keyed as before so a customer's dead letters keep their order too.
 */
export class DeadLetters {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly consumerGroup: string,
    private readonly topic = DEAD_LETTER_TOPIC,
  ) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const at = new Date().toISOString();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map(({ topic, partition, message, code, error }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...(message.headers ?? {}),
          [DEAD_LETTER_HEADERS.error]: error.slice(0, 4000),
          [DEAD_LETTER_HEADERS.code]: code,
          [DEAD_LETTER_HEADERS.topic]: topic,
          [DEAD_LETTER_HEADERS.partition]: String(partition),
          [DEAD_LETTER_HEADERS.offset]: message.offset,
          [DEAD_LETTER_HEADERS.group]: this.consumerGroup,
          [DEAD_LETTER_HEADERS.at]: at,
        } satisfies IHeaders,
      })),
    });
  }
}
