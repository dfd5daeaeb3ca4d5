import { randomUUID } from 'node:crypto';
import { exampleEvent, toStoredEvent, type EventOf } from '@rapport/contracts';
import type { EventStore, EventToAppend } from '@rapport/event-store';
import type { KafkaClient } from '../kafka-client';
import { headerText } from '../messages';

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function uniqueTopic(prefix = 'rapport.test'): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

export interface ReadMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Number of messages a topic holds, from its watermarks. */
export async function topicSize(kafka: KafkaClient, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads a whole topic through a throw-away consumer group, the way any consumer would. */
export async function readTopic(kafka: KafkaClient, topic: string): Promise<ReadMessage[]> {
  const expected = await topicSize(kafka, topic);
  const received: ReadMessage[] = [];
  if (expected === 0) return received;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? null,
        headers: Object.fromEntries(Object.keys(message.headers ?? {}).map((name) => [name, headerText(message.headers, name) ?? ''])),
      });
    },
  });
  try {
    await eventually(() => received.length >= expected, `${expected} messages on ${topic}`, 60_000);
  } finally {
    await consumer.disconnect();
  }
  return received.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** An `OrderPlaced` for `customerId`, ready to append to `customer-<customerId>`. */
export function orderPlaced(customerId: string, orderId = `ord-${randomUUID().slice(0, 8)}`): EventToAppend {
  const example = exampleEvent('OrderPlaced');
  const event = { ...example, id: randomUUID(), customerId, data: { ...example.data, orderId } } as EventOf<'OrderPlaced'>;
  return toStoredEvent(event, new Date().toISOString());
}

/** Appends `perCustomer` orders for each customer, interleaved across customers; returns the ids in append order. */
export async function appendOrders(store: EventStore, customers: readonly string[], perCustomer: number): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < perCustomer; round++) {
    for (const customerId of customers) {
      const event = orderPlaced(customerId);
      await store.append(`customer-${customerId}`, [event]);
      ids.push(event.id);
    }
  }
  return ids;
}
