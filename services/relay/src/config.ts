import { z } from 'zod';
import { ConfigError, env, loadConfig, type Env } from '@rapport/platform';
import type { StoreSelection } from '@rapport/event-store';
import { loadModes, type KafkaConnection, type TopicSettings } from '@rapport/kafka';

const relayEnv = z.object({
  /** Relay checkpoints and leases; also the event store when RAPPORT_EVENT_STORE=postgres. */
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3003),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  EVENT_STORE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('rapport_events'),
  DB_POOL_SIZE: env.int({ min: 2, max: 100, default: 5 }),
  /** Most events per Kafka send and per checkpoint write. */
  RELAY_BATCH_SIZE: env.int({ min: 1, max: 10_000, default: 500 }),
});

export interface RelayConfig extends Readonly<z.infer<typeof relayEnv>> {
  readonly store: StoreSelection;
  readonly kafka: KafkaConnection;
  readonly topics: TopicSettings;
}

/** Reads the environment once at boot. The relay exists to feed Kafka, so RAPPORT_BUS must be kafka. */
export function loadRelayConfig(environment: Env = process.env): RelayConfig {
  const modes = loadModes(environment);
  if (modes.bus.mode !== 'kafka') {
    throw new ConfigError([{ variable: 'RAPPORT_BUS', message: 'the relay publishes to Kafka: set RAPPORT_BUS=kafka and KAFKA_BROKERS' }], 'relay');
  }
  const own = loadConfig(relayEnv, environment, 'relay');
  return Object.freeze({ ...own, store: modes.store, kafka: modes.bus.connection, topics: modes.bus.topics });
}
