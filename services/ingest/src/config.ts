import { z } from 'zod';
import { env, loadConfig, loadConfigs, type Env } from '@rapport/platform';
import { loadModes, type BusConfig, type StoreSelection } from '@rapport/kafka';

export const ingestConfigSchema = z.object({
  /** API keys; also the event store when RAPPORT_EVENT_STORE=postgres. */
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3001),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  /** Schema of the event store's tables (PostgreSQL store only). */
  EVENT_STORE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('rapport_events'),
  DB_POOL_SIZE: env.int({ min: 1, max: 100, default: 10 }),
});

export interface IngestConfig extends Readonly<z.infer<typeof ingestConfigSchema>> {
  readonly store: StoreSelection;
  /** Ingest only appends to the store (the relay feeds Kafka), but a bad bus setting still stops it: one typo fails every process alike. */
  readonly bus: BusConfig;
}

/** Reads the environment once at boot; throws one ConfigError naming every bad variable, its own and the mode switches'. */
export function loadIngestConfig(environment: Env = process.env): IngestConfig {
  const { own, modes } = loadConfigs({ own: () => loadConfig(ingestConfigSchema, environment, 'ingest'), modes: () => loadModes(environment) }, 'ingest');
  return Object.freeze({ ...own, store: modes.store, bus: modes.bus });
}
