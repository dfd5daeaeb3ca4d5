import { readFileSync } from 'node:fs';
import type { Admin, AdminConfig, Consumer, ConsumerConfig, KafkaConfig, LogEntry, Producer, ProducerConfig, SASLOptions } from 'kafkajs';
import type { KafkaConnection } from './bus-config';

/*
 * The slices of kafkajs' Producer, Consumer and Admin that Rapport uses. The real `Kafka`
 * class satisfies `KafkaClient` as it is, and so does the in-memory fake the tests use,
 * which is why everything here is typed against kafkajs' own declarations.
 */
export type KafkaProducer = Pick<Producer, 'connect' | 'disconnect' | 'send'>;
export type KafkaConsumer = Pick<Consumer, 'connect' | 'disconnect' | 'subscribe' | 'run' | 'stop' | 'commitOffsets' | 'seek' | 'on' | 'events'>;
export type KafkaAdmin = Pick<
  Admin,
  'connect' | 'disconnect' | 'listTopics' | 'createTopics' | 'fetchTopicMetadata' | 'fetchOffsets' | 'fetchTopicOffsets'
>;

export interface KafkaClient {
  producer(config?: ProducerConfig): KafkaProducer;
  consumer(config: ConsumerConfig): KafkaConsumer;
  admin(config?: AdminConfig): KafkaAdmin;
}

/** Where log lines go; a pino logger fits. */
export interface LogSink {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/**
 * Builds a real client. kafkajs is required here, on first use, and nowhere else: in
 * embedded mode (`RAPPORT_BUS=none`) nothing calls this and kafkajs is never loaded.
 */
export function createKafkaClient(connection: KafkaConnection, log?: LogSink): KafkaClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');
  const config: KafkaConfig = {
    brokers: [...connection.brokers],
    clientId: connection.clientId,
    ssl:
      connection.ssl === false
        ? false
        : {
            rejectUnauthorized: connection.ssl.rejectUnauthorized,
            ...(connection.ssl.caFile ? { ca: [readFileSync(connection.ssl.caFile, 'utf8')] } : {}),
          },
    // Each of the three mechanisms takes exactly { username, password }.
    ...(connection.sasl ? { sasl: { ...connection.sasl } as SASLOptions } : {}),
  };
  if (log) {
    config.logLevel = logLevel.INFO;
    config.logCreator = () => (entry: LogEntry) => {
      const { message, ...fields } = entry.log;
      const line = { ...fields, namespace: entry.namespace };
      if (entry.level === logLevel.ERROR) log.error(line, message);
      else if (entry.level === logLevel.WARN) log.warn(line, message);
      else if (entry.level === logLevel.INFO) log.info(line, message);
      else log.debug(line, message);
    };
  }
  return new Kafka(config);
}
