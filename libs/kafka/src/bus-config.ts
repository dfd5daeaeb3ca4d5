import { z } from 'zod';
import { ConfigError, env, loadConfig, type Env } from '@rapport/platform';
import { DEFAULT_MAX_MESSAGE_BYTES } from './message-size';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** How to reach the brokers; everything kafkajs needs and nothing it doesn't. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** `false` for plaintext; TLS otherwise, optionally trusting an extra CA bundle. */
  readonly ssl: false | { readonly caFile?: string; readonly rejectUnauthorized: boolean };
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
}

/** How the relay creates topics that are missing; existing topics are never altered. */
export interface TopicSettings {
  readonly partitions: number;
  readonly replicationFactor: number;
  /**
   * The topics' `max.message.bytes`, and the most the relay puts in one send: larger batches
   * are split, a single event larger than this goes to the dead-letter topic. Kafka's own
   * default when unset.
   */
  readonly maxMessageBytes?: number;
}

export type BusConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'kafka'; readonly connection: KafkaConnection; readonly topics: TopicSettings };

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

const busEnv = z.object({
  RAPPORT_BUS: z.enum(['none', 'kafka'], { error: 'expected none or kafka' }).default('none'),
  KAFKA_BROKERS: z
    .string()
    .refine((value) => brokerList(value).length > 0 && brokerList(value).every((broker) => BROKER.test(broker)), {
      message: 'expected a comma-separated list of host:port',
    })
    .optional(),
  KAFKA_CLIENT_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'expected letters, digits, ".", "_" or "-"' }).default('rapport'),
  KAFKA_SSL: env.boolean(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.boolean(true),
  KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS, { error: `expected one of ${SASL_MECHANISMS.join(', ')}` }).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_TOPIC_PARTITIONS: env.int({ min: 1, max: 10_000, default: 12 }),
  KAFKA_TOPIC_REPLICATION_FACTOR: env.int({ min: 1, max: 10, default: 1 }),
  KAFKA_MAX_MESSAGE_BYTES: env.int({ min: 4_096, max: 100 * 1024 * 1024, default: DEFAULT_MAX_MESSAGE_BYTES }),
});

/** Every variable this module reads; the embedded host can show them in its help text. */
export const BUS_VARIABLES = Object.keys(busEnv.shape) as readonly (keyof typeof busEnv.shape)[];

function brokerList(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}

/**
 * Reads `RAPPORT_BUS` and the `KAFKA_*` variables. Combinations that cannot be meant
 * (Kafka settings while the bus is off, half a SASL setup, a CA file without TLS) fail
 * here, at boot, naming each variable, rather than as a confusing connection error later.
 * Never loads kafkajs.
 */
export function loadBusConfig(source: Env = process.env): BusConfig {
  const raw = loadConfig(busEnv, source, 'the event bus (RAPPORT_BUS)');
  const problems: { variable: string; message: string }[] = [];
  const isSet = (name: string) => source[name] !== undefined && source[name] !== '';

  if (raw.RAPPORT_BUS === 'none') {
    for (const name of BUS_VARIABLES) {
      if (name !== 'RAPPORT_BUS' && isSet(name)) {
        problems.push({ variable: name, message: 'is set but RAPPORT_BUS is none: set RAPPORT_BUS=kafka to use Kafka, or unset it' });
      }
    }
    if (problems.length > 0) throw new ConfigError(problems, 'the event bus (RAPPORT_BUS)');
    return Object.freeze({ mode: 'none' });
  }

  if (raw.KAFKA_BROKERS === undefined) {
    problems.push({ variable: 'KAFKA_BROKERS', message: 'required when RAPPORT_BUS=kafka, e.g. kafka-1:9092,kafka-2:9092' });
  }
  if (raw.KAFKA_SSL_CA_FILE !== undefined && !raw.KAFKA_SSL) {
    problems.push({ variable: 'KAFKA_SSL_CA_FILE', message: 'is set but KAFKA_SSL is false: set KAFKA_SSL=true' });
  }
  if (isSet('KAFKA_SSL_REJECT_UNAUTHORIZED') && !raw.KAFKA_SSL) {
    problems.push({ variable: 'KAFKA_SSL_REJECT_UNAUTHORIZED', message: 'is set but KAFKA_SSL is false: set KAFKA_SSL=true' });
  }
  const saslParts = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  if (saslParts.some(isSet)) {
    for (const name of saslParts) {
      if (!isSet(name)) problems.push({ variable: name, message: `required with ${saslParts.filter(isSet).join(' and ')} (SASL needs mechanism, username and password)` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'the event bus (RAPPORT_BUS)');

  const sasl =
    raw.KAFKA_SASL_MECHANISM && raw.KAFKA_SASL_USERNAME && raw.KAFKA_SASL_PASSWORD
      ? { mechanism: raw.KAFKA_SASL_MECHANISM, username: raw.KAFKA_SASL_USERNAME, password: raw.KAFKA_SASL_PASSWORD }
      : undefined;
  return Object.freeze({
    mode: 'kafka',
    connection: Object.freeze({
      brokers: Object.freeze(brokerList(raw.KAFKA_BROKERS ?? '')),
      clientId: raw.KAFKA_CLIENT_ID,
      ssl: raw.KAFKA_SSL ? Object.freeze({ caFile: raw.KAFKA_SSL_CA_FILE, rejectUnauthorized: raw.KAFKA_SSL_REJECT_UNAUTHORIZED }) : false,
      ...(sasl ? { sasl: Object.freeze(sasl) } : {}),
    }),
    topics: Object.freeze({ partitions: raw.KAFKA_TOPIC_PARTITIONS, replicationFactor: raw.KAFKA_TOPIC_REPLICATION_FACTOR, maxMessageBytes: raw.KAFKA_MAX_MESSAGE_BYTES }),
  });
}
