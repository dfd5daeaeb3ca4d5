import { KAFKA_TOPIC } from '@rapport/contracts';
import type { TopicSettings } from './bus-config';
import type { KafkaAdmin } from './kafka-client';

/** Every stored event, keyed by customer; described by contracts' AsyncAPI document. */
export const CUSTOMER_EVENTS_TOPIC = KAFKA_TOPIC;
/** Messages no consumer could use, with the reason in headers. */
export const DEAD_LETTER_TOPIC = `${CUSTOMER_EVENTS_TOPIC}.dlq`;

export interface TopicReport {
  readonly topic: string;
  readonly created: boolean;
  readonly partitions: number;
  /** Set when an existing topic differs from the settings; Rapport never repartitions on its own. */
  readonly warning?: string;
}

/**
 * Creates the topics that are missing. Existing topics are left alone: adding partitions
 * moves keys to other partitions and would break per-customer order for in-flight events.
 */
export async function ensureTopics(admin: KafkaAdmin, topics: readonly string[], settings: TopicSettings): Promise<TopicReport[]> {
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: settings.partitions,
          replicationFactor: settings.replicationFactor,
          configEntries: [
            // With acks=-1 a write then survives the loss of all but one in-sync replica.
            { name: 'min.insync.replicas', value: String(Math.min(2, settings.replicationFactor)) },
            // The relay sizes its sends by the same figure.
            ...(settings.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(settings.maxMessageBytes) }] : []),
          ],
        })),
      });
    }
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
    return topics.map((topic) => {
      const partitions = metadata.find((entry) => entry.name === topic)?.partitions.length ?? 0;
      const created = missing.includes(topic);
      const warning =
        !created && partitions !== settings.partitions
          ? `${topic} has ${partitions} partitions, KAFKA_TOPIC_PARTITIONS says ${settings.partitions}; left as it is`
          : undefined;
      return { topic, created, partitions, ...(warning ? { warning } : {}) };
    });
  } finally {
    await admin.disconnect();
  }
}
